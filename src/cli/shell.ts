/**
 * Shell commands Ballast prints for a person to copy (`kafka-topics.sh …`, `kafka-reassign-partitions.sh
 * …`): every argument that is not plainly safe is quoted, so a file name or value can never end the
 * command or start another.
 */
import { hasControl, printable } from "../model/text.js";

/** Characters that need no quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One shell word for `arg`: as it is when safe, else in single quotes (a `'` inside written as
 * `'\''`); with control characters, bash's `$'…'` with them escaped, so the line prints and pastes
 * as one line.
 */
export function shellQuote(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  if (hasControl(arg)) return `$'${printable(arg.replace(/\\/g, "\\\\").replace(/'/g, "\\'"))}'`;
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/** A command line from its words, each quoted as needed; `<placeholders>` stay as they are. */
export function shellCommand(words: readonly string[]): string {
  return words.map((w) => (/^<[^<>\s]+>$/.test(w) ? w : shellQuote(w))).join(" ");
}
