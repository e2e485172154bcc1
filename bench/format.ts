/** Figures and tables for the benchmark reports: plain text for the terminal, Markdown for docs/. */
import os from "node:os";

export function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i] as string}`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

export type Row = readonly string[];

export interface Table {
  readonly header: Row;
  readonly rows: readonly Row[];
}

export function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)));
  const line = (r: Row): string => widths.map((w, i) => (r[i] ?? "").padEnd(w)).join("  ").trimEnd();
  return [line(t.header), line(widths.map((w) => "-".repeat(w))), ...t.rows.map(line)].join("\n");
}

export function markdownTable(t: Table): string {
  const line = (r: Row): string => `| ${t.header.map((_, i) => r[i] ?? "").join(" | ")} |`;
  return [line(t.header), line(t.header.map(() => "---")), ...t.rows.map(line)].join("\n");
}

/** The machine the benchmark ran on, as Markdown list items. */
export function machine(): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? "unknown"}, ${cpus.length} cores`,
    `- Memory: ${bytes(os.totalmem())}`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js ${process.version}`,
  ].join("\n");
}
