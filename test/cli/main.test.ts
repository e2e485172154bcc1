import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { reportError } from "../../src/cli/io.js";
import { internalError } from "../../src/model/errors.js";
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

  it("a bug exits 1 with one line that says it is a bug and what to attach, the stack only when asked", () => {
    const report = (err: unknown, env: Record<string, string>, debug?: boolean): string => {
      let stderr = "";
      const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env };
      assert.equal(debug === undefined ? reportError(err, io) : reportError(err, io, debug), 1);
      return stderr;
    };
    for (const err of [new TypeError("x is undefined"), internalError("x is undefined")]) {
      const quiet = report(err, {});
      assert.ok(singleErrorLine(quiet), quiet);
      assert.match(quiet, /^error: internal error: x is undefined \(this is a bug in Ballast: please report it with the command line, 'ballast --version' and the input files/);
      assert.match(quiet, /--debug \(or BALLAST_DEBUG=1\) for the stack trace\)\n$/);
      for (const loud of [report(err, { BALLAST_DEBUG: "1" }), report(err, {}, true)]) {
        assert.match(loud, /^error: internal error: x is undefined \(this is a bug in Ballast[^\n]*\)\n/);
        assert.match(loud, /Error: x is undefined\n\s+at /);
      }
    }
    assert.doesNotMatch(report(new TypeError("x"), { BALLAST_DEBUG: "0" }), /\s+at /);
  });

  it("--debug is taken before or after the command", async () => {
    for (const args of [["--debug", "describe", "--cluster", "missing.yaml"], ["describe", "--cluster", "missing.yaml", "--debug"]]) {
      const result = await run(args);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(singleErrorLine(result.stderr), result.stderr);
    }
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
