/**
 * Every shell command of the README and docs/ that runs `npx ballast` on the bundled fixtures (or on
 * a file an earlier command of the same block wrote) works as shown: run in-process, in a fresh
 * folder, it exits 0. Commands that need a live cluster (--bootstrap-server, a state folder) are
 * left to the real-Kafka suites.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, run, suiteDir } from "./helpers.js";

const DOCS = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];

/** The `npx ballast` lines of a file's sh blocks, each block's lines together. */
function commandBlocks(file: string): string[][] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    (m[1] ?? "")
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trim())
      .filter((line) => line.startsWith("npx ballast ")),
  );
}

/** Splits a command line into words, honouring single and double quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

const LIVE = /--bootstrap-server|--state-dir|^npx ballast (status|cancel|throttle|rollback|snapshot)\b/;

describe("the documentation's commands", () => {
  const dir = suiteDir();
  for (const file of DOCS) {
    const blocks = commandBlocks(file).filter((block) => block.some((line) => line.includes("fixtures/") || / generate /.test(line)));
    if (blocks.length === 0) continue;
    it(`${file}: every command on the bundled fixtures exits 0`, async () => {
      for (const block of blocks) {
        const here = dir();
        for (const line of block) {
          if (LIVE.test(line)) continue;
          const args = words(line.slice("npx ballast ".length)).map((w) => (w.startsWith("fixtures/") ? join(REPO_ROOT, w) : /\.(json|yaml|html)$/.test(w) && !w.includes("/") ? join(here, w) : w));
          const result = await run(args);
          assert.equal(result.code, 0, `${file}: ${line}\n${result.stderr}`);
        }
      }
    });
  }
});
