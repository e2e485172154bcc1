/**
 * Showing text a user gave back to them: control characters (terminal escapes, newlines) as visible
 * escapes, and quoted input cut to a length a message can hold.
 */

/** How much of an input a message quotes before cutting it. */
export const QUOTE_LIMIT = 80;

/**
 * `text` safe to print on a terminal: C0 and C1 control characters, DEL, the Unicode line and
 * paragraph separators and bidirectional overrides are shown as `\n`, `\x1b`, `\u202e`, …
 */
export function printable(text: string): string {
  return text.replace(CONTROL_ALL, escapeChar);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const CONTROL_ALL = new RegExp(CONTROL.source, "g");

function escapeChar(c: string): string {
  switch (c) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default: {
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
    }
  }
}

/** At most `limit` characters of `text`, then `…` when it was longer. */
export function truncate(text: string, limit = QUOTE_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

/**
 * Input quoted for a message: in double quotes, control characters escaped, cut to `limit`
 * characters (then its full length is given), e.g. `"orders"` or `"aaaa…" (100000 characters)`.
 */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  const shown = `"${printable(truncate(text, limit)).replace(/"/g, '\\"')}"`;
  return text.length <= limit ? shown : `${shown} (${text.length} characters)`;
}

/** Whether `text` holds a character `printable` would escape. */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

/** The first `n` items, comma-separated, and how many more: `a, b, c and 7 more`. */
export function listSome(items: readonly string[], n = 5): string {
  return items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${String(items.length - n)} more`;
}
