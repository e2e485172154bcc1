/**
 * The CLI's edge: the injected streams, file reading and atomic writing, colour choice, and the one
 * place where an error becomes an exit status and a line on stderr.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ColorSupportLevel } from "chalk";
import { CommanderError } from "commander";
import { type CapacitySpec, parseCapacityFile } from "../model/capacity-file.js";
import type { BalanceConfig } from "../model/config.js";
import { parseConfig } from "../model/config-parse.js";
import { BallastError, isBallastError } from "../model/errors.js";
import { clusterFormatFor, parseCluster } from "../model/parse.js";
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
}

/** Ends a command with a given exit status once its output is written (not an error). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${String(status)}`);
  }
}

export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USAGE = 2;

/** Reads a UTF-8 file; `what` names it in the error ("cluster snapshot", "config file"). */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new BallastError("IO", `cannot read ${what} '${path}': ${describeIoError(err)}`);
  }
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
    rmSync(temp, { force: true });
    const reason = errorCode(err) === "ENOENT" ? "its directory does not exist" : describeIoError(err);
    throw new BallastError("IO", `cannot write ${what} '${path}': ${reason}`);
  }
}

const IO_ERROR_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
};

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function describeIoError(err: unknown): string {
  const text = IO_ERROR_TEXT[errorCode(err) ?? ""];
  if (text !== undefined) return text;
  return err instanceof Error ? err.message : String(err);
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

/**
 * Maps anything thrown out of the program to an exit status and prints what the user needs:
 * one `error:` line for bad input, the stack only for bugs.
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof ExitStatus) return err.status;
  if (isBallastError(err)) {
    io.stderr.write(`error: ${oneLine(err.describe())}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof CommanderError) return reportCommanderError(err, io);
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: internal error: ${oneLine(message)}\n`);
  if (err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  return EXIT_BUG;
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

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
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

/** Reads and parses a balance config file (YAML). */
export function loadConfig(path: string): BalanceConfig {
  return parseConfig(readTextFile(path, "config file"), path);
}

/** Reads and parses a capacity file (YAML). */
export function loadCapacityFile(path: string): CapacitySpec {
  return parseCapacityFile(readTextFile(path, "capacity file"), path);
}
