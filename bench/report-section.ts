/**
 * docs/BENCHMARKS.md has sections written by different benchmarks: `npm run bench` rewrites the file
 * and keeps the HTML report's section; `npm run bench:report` rewrites only that section.
 */

export const REPORT_HEADING = "## HTML report";

/** The report's section of a BENCHMARKS.md text (from its heading to the next `## `), or "". */
export function reportSection(text: string): string {
  const start = text.indexOf(`\n${REPORT_HEADING}\n`);
  if (start < 0) return "";
  const next = text.indexOf("\n## ", start + 1);
  return text.slice(start + 1, next < 0 ? undefined : next + 1);
}

/** `text` with its report section replaced by `section` (appended when it has none). */
export function withReportSection(text: string, section: string): string {
  if (section === "") return text;
  const old = reportSection(text);
  if (old !== "") return text.replace(old, section);
  return `${text.trimEnd()}\n\n${section}`;
}
