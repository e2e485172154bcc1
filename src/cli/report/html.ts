/**
 * The report as one HTML file: the page's style and script inlined, the data as a JSON script
 * element, and a content security policy that lets the page load nothing from anywhere. Pure: the
 * caller passes the page's assets in.
 */
import type { ReportData } from "./data.js";

export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

/** Nothing may be fetched: no default source, inline script and style only, images only as data. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function reportHtml(data: ReportData, assets: PageAssets): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Ballast report: ${escapeHtml(data.title)}</title>`,
    `<style>${rawText(assets.style, "style")}</style>`,
    "</head>",
    "<body>",
    "<noscript>This report needs JavaScript to show its figures.</noscript>",
    `<script type="application/json" id="ballast-data">${scriptJson(data)}</script>`,
    `<script>${rawText(assets.script, "script")}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * JSON that cannot end its script element or be read as markup: `<`, `>` and `&` as \u escapes (the
 * same string to JSON.parse), and the line separators that older parsers refuse.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page's own script and style must not hold their closing tag (they are ours; this guards an edit). */
function rawText(text: string, tag: "script" | "style"): string {
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`the report's ${tag} holds </${tag}>`);
  return text;
}
