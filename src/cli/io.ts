/**
 * The CLI's edge: the injected streams, file reading and atomic writing, colour choice, and the one
 * place where an error becomes an exit status and a line on stderr.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { ColorSupportLevel } from "chalk";
import { CommanderError } from "commander";
import { type CapacitySpec, parseCapacityFile } from "../model/capacity-file.js";
import { BallastError, describeIoError, errorCodeOf, isBallastError } from "../model/errors.js";
import { clusterFormatFor, parseCluster } from "../model/parse.js";
import { EXIT_BUG, EXIT_OK, EXIT_STATUS_OF, EXIT_USAGE } from "./exit-codes.js";
import { printable, quote, truncate } from "../model/text.js";
import type { Cluster } from "../model/types.js";

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  getColorDepth?(): number;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Calls `handler` on each Ctrl-C (SIGINT) until the returned function is called. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Calls `handler` on SIGTERM (a service manager's stop) until the returned function is called. */
  readonly onTerminate?: (handler: () => void) => () => void;
}

/** Writes each warning on a line of its own to stderr. */
export function writeWarnings(io: CliIo, warnings: Iterable<string>): void {
  for (const warning of warnings) io.stderr.write(`${warning}\n`);
}

/** Ends a command with a given exit status once its output is written (not an error). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${String(status)}`);
  }
}

/** Input files larger than this are refused before they are read (the largest snapshots are a few hundred MB). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Reads a UTF-8 text file; `what` names it in the error ("cluster snapshot", "config file"). A
 * UTF-16 file (a byte order mark, or NUL bytes between ASCII letters) gets a hint to save it as
 * UTF-8; other binary content (NUL bytes) is refused rather than parsed.
 */
export function readTextFile(path: string, what: string): string {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_INPUT_BYTES) throw Object.assign(new Error("too large"), { code: "ERR_STRING_TOO_LONG" });
    bytes = readFileSync(path);
  } catch (err) {
    throw new BallastError("IO", `cannot read ${what} ${quote(path)}: ${describeIoError(err)}`);
  }
  if (looksUtf16(bytes)) {
    throw new BallastError("IO", `cannot read ${what} ${quote(path)}: it is UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`);
  }
  if (bytes.includes(0)) throw new BallastError("IO", `cannot read ${what} ${quote(path)}: it is not a text file (it holds NUL bytes)`);
  return bytes.toString("utf8");
}

function looksUtf16(bytes: Buffer): boolean {
  const [a, b] = [bytes[0], bytes[1]];
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return true;
  // ASCII text in UTF-16 without a byte order mark: every other byte is NUL.
  return bytes.length >= 4 && ((bytes[1] === 0 && bytes[3] === 0 && a !== 0) || (bytes[0] === 0 && bytes[2] === 0 && b !== 0));
}

/**
 * Writes `text` to a temporary file next to `path` and renames it into place, so a reader never
 * sees a half-written file and a failed write leaves nothing behind.
 */
export function writeFileAtomic(path: string, text: string, what: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    writeFileSync(temp, text, { encoding: "utf8", flag: "wx" });
    renameSync(temp, path);
  } catch (err) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The temporary file was never made (its folder is missing or not a folder): nothing to remove.
    }
    const reason = errorCodeOf(err) === "ENOENT" ? "its directory does not exist" : describeIoError(err);
    throw new BallastError("IO", `cannot write ${what} ${quote(path)}: ${reason}`);
  }
}

/** A file a command reads, and the flag that named it. */
export interface InputFile {
  readonly path: string | undefined;
  readonly flag: string;
}

/**
 * Refuses an output that would destroy an input or a journal before anything is read or written:
 * the same file as an input (by path, or by device and inode for links), a file inside a state
 * folder given to the command, or a file in any folder that holds a Ballast journal (state.json).
 */
export function checkOutputPath(output: string, flag: string, inputs: readonly InputFile[], stateDirs: readonly string[] = []): void {
  const target = resolve(output);
  for (const input of inputs) {
    if (input.path !== undefined && sameFile(target, resolve(input.path))) {
      throw usageError(flag, `${quote(output)} is also the input of ${input.flag}; writing it would destroy that input: choose another file`);
    }
  }
  const folder = dirname(target);
  for (const dir of stateDirs) {
    if (sameFile(folder, resolve(dir)) || isInside(target, resolve(dir))) {
      throw usageError(flag, `${quote(output)} is inside the state folder ${quote(dir)}; writing there could destroy the journal: choose a file elsewhere`);
    }
  }
  if (existsSync(join(folder, "state.json")) && existsSync(join(folder, "plan.json")) && existsSync(join(folder, "rollback.json"))) {
    throw usageError(flag, `${quote(output)} is inside a Ballast state folder (it holds state.json); writing there could destroy the journal: choose a file elsewhere`);
  }
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorLevel(io: CliIo): ColorSupportLevel {
  const noColor = io.env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return 0;
  if (io.stdout.isTTY !== true) return 0;
  const depth = io.stdout.getColorDepth?.() ?? 4;
  if (depth >= 24) return 3;
  if (depth >= 8) return 2;
  return depth >= 4 ? 1 : 0;
}

/** What to attach to a report of a bug. */
const BUG_REPORT = "this is a bug in Ballast: please report it with the command line, 'ballast --version' and the input files (snapshot, config, plan)";

/**
 * Maps anything thrown out of the program to an exit status (exit-codes.ts) and prints one `error:`
 * line. A bug's line says it is one and what to attach to a report; its stack trace follows only
 * with `debug` (--debug or BALLAST_DEBUG=1).
 */
export function reportError(err: unknown, io: CliIo, debug = debugWanted(io)): number {
  if (err instanceof ExitStatus) return err.status;
  if (err instanceof CommanderError) return reportCommanderError(err, io);
  if (isBallastError(err) && err.code !== "INTERNAL") {
    io.stderr.write(`error: ${oneLine(err.describe())}\n`);
    return EXIT_STATUS_OF[err.code];
  }
  const message = err instanceof Error ? err.message : String(err);
  const hint = debug ? "" : "; run again with --debug (or BALLAST_DEBUG=1) for the stack trace";
  io.stderr.write(`error: internal error: ${oneLine(message)} (${BUG_REPORT}${hint})\n`);
  if (debug && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  return EXIT_BUG;
}

/** Whether BALLAST_DEBUG asks for stack traces (any value but empty, 0 or false). */
export function debugWanted(io: CliIo): boolean {
  const value = io.env["BALLAST_DEBUG"];
  return value !== undefined && !["", "0", "false"].includes(value.trim().toLowerCase());
}

/** Help and version end with status 0 (their text is already on stdout); anything else is a usage error. */
function reportCommanderError(err: CommanderError, io: CliIo): number {
  if (err.exitCode === 0) return EXIT_OK;
  const message =
    err.code === "commander.help"
      ? "missing or unknown command; run 'ballast --help' to list the commands"
      : err.message.replace(/^error:\s*/, "");
  io.stderr.write(`error: ${oneLine(message)}\n`);
  return EXIT_USAGE;
}

/** The longest `error:` line Ballast prints; quoted input is cut shorter where it is quoted. */
const ERROR_LINE_LIMIT = 1000;

/**
 * One printable line: line breaks become spaces, other control characters escapes (a message can
 * carry input Ballast did not quote itself, e.g. in a JSON parser's message), and at most
 * ERROR_LINE_LIMIT characters.
 */
function oneLine(text: string): string {
  return truncate(printable(text.replace(/\s*[\r\n]\s*/g, " ").trim()), ERROR_LINE_LIMIT);
}

/** A usage error that names the flag whose value is wrong. */
export function usageError(flag: string, message: string): BallastError {
  return new BallastError("USAGE", `${flag}: ${message}`);
}

/** Reads and parses a cluster snapshot; the format follows the file name (.yaml, .yml, .json). */
export function loadCluster(path: string): Cluster {
  const format = clusterFormatFor(path);
  return parseCluster(readTextFile(path, "cluster snapshot"), { format, source: path });
}

/** Reads and parses a capacity file (YAML). */
export function loadCapacityFile(path: string): CapacitySpec {
  return parseCapacityFile(readTextFile(path, "capacity file"), path);
}

/** Ballast's version, from package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}
