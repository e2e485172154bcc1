/**
 * Drives the CLI in-process: fake streams that collect text, a temp directory per test, and the
 * repository's fixtures.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const DEMO = join(REPO_ROOT, "fixtures", "demo.yaml");
/** A live snapshot with ISR-short and offline replicas, a dead broker and a rack name that is markup. */
export const LIVE = join(REPO_ROOT, "fixtures", "report", "live.yaml");

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  /** Pretend stdout is a terminal (with 256 colours). */
  readonly tty?: boolean;
}

export async function run(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const tty = opts.tty === true;
  const code = await main(["node", "ballast", ...args], {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty, getColorDepth: () => 8 },
    stderr: { write: (s: string) => (stderr += s) },
    env: opts.env ?? {},
  });
  return { code, stdout, stderr };
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ballast-cli-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A temp directory for the enclosing describe block: made before its first test, removed after its
 * last. Returns a getter, since the directory exists only once the block runs.
 */
export function suiteDir(): () => string {
  let made: { dir: string; cleanup: () => void } | undefined;
  before(() => {
    made = tempDir();
  });
  after(() => made?.cleanup());
  return () => {
    if (made === undefined) throw new Error("suiteDir() is read before its describe block runs");
    return made.dir;
  };
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** stderr held exactly one line, and it is an `error:` line. */
export function singleErrorLine(stderr: string): string | undefined {
  const lines = stderr.split("\n").filter((l) => l !== "");
  return lines.length === 1 && lines[0]?.startsWith("error: ") ? lines[0] : undefined;
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

/** The data a report embeds, parsed back from its JSON script element. */
export function embeddedData(html: string): Record<string, unknown> & { describe: unknown; plan: Record<string, unknown> | null } {
  const match = /<script type="application\/json" id="ballast-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, "the report embeds its data");
  return JSON.parse(match[1]!) as Record<string, unknown> & { describe: unknown; plan: Record<string, unknown> | null };
}
