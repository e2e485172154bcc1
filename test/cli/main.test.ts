import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { reportError } from "../../src/cli/io.js";
import { REPO_ROOT, run, singleErrorLine } from "./helpers.js";

describe("the ballast program", () => {
  it("--help prints the commands on stdout and exits 0", async () => {
    const result = await run(["--help"]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, "");
    for (const command of ["plan", "describe", "generate"]) assert.match(result.stdout, new RegExp(`^ {2}${command}\\b`, "m"));
  });

  it("a command's --help lists its flags", async () => {
    const result = await run(["plan", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--exclude-brokers <ids>/);
    assert.match(result.stdout, /--max-bytes <size>/);
  });

  it("--version prints the package version", async () => {
    const result = await run(["--version"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("an unknown command, or none, is one error line and exit 2", async () => {
    for (const args of [["balance"], []]) {
      const result = await run(args);
      assert.equal(result.code, 2, JSON.stringify(args));
      assert.equal(result.stdout, "");
      assert.ok(singleErrorLine(result.stderr), result.stderr);
    }
  });

  it("a bug exits 1 with the message and the stack", () => {
    let stderr = "";
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} };
    assert.equal(reportError(new TypeError("x is undefined"), io), 1);
    assert.match(stderr, /^error: internal error: x is undefined\n/);
    assert.match(stderr, /TypeError: x is undefined\n\s+at /);
  });

  it("the installed bin runs the program", () => {
    const bin = join(REPO_ROOT, "bin", "ballast.js");
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: ballast /);
    const bad = spawnSync(process.execPath, [bin, "plan", "--output", "x.json"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^error: --cluster: 'ballast plan' needs either --cluster <snapshot> or --bootstrap-server <brokers>\n$/);
  });
});
