/**
 * The CLI's edge with files and errors: input that is not UTF-8 text, outputs under a file, and the
 * one error line, which is escaped and capped whatever the input held.
 */
import assert from "node:assert/strict";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEMO, filesIn, run, singleErrorLine, tempDir } from "./helpers.js";

describe("files and error lines", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("a UTF-16 snapshot gets an encoding hint; binary input is refused", async () => {
    const utf16 = join(tmp.dir, "u16.yaml");
    writeFileSync(utf16, Buffer.from("\ufeffversion: 1\nbrokers: []\n", "utf16le"));
    const r = await run(["describe", "--cluster", utf16]);
    assert.equal(r.code, 2);
    assert.match(singleErrorLine(r.stderr) ?? "", /it is UTF-16 text; save it as UTF-8/);
    const bare = join(tmp.dir, "u16-nobom.json");
    writeFileSync(bare, Buffer.from('{"version": 1}', "utf16le"));
    assert.match((await run(["describe", "--cluster", bare])).stderr, /UTF-16/);
    const binary = join(tmp.dir, "random.yaml");
    writeFileSync(binary, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0x9b, 0x07]));
    assert.match(singleErrorLine((await run(["describe", "--cluster", binary])).stderr) ?? "", /not a text file/);
  });

  it("a 10 MB file of one garbage line gives a short, printable error line", async () => {
    const big = join(tmp.dir, "big.yaml");
    writeFileSync(big, `\u001b]0;pwned\u0007${"x".repeat(10_000_000)}`);
    const r = await run(["describe", "--cluster", big]);
    assert.equal(r.code, 2);
    const line = singleErrorLine(r.stderr);
    assert.ok(line !== undefined, r.stderr.slice(0, 200));
    assert.ok(line.length < 400, `${String(line.length)} characters`);
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f]/);
  });

  it("--output under a path component that is a file: one error line, nothing written", async () => {
    const file = join(tmp.dir, "blocker");
    writeFileSync(file, "x");
    for (const args of [
      ["plan", "--cluster", DEMO, "--output", join(file, "p.json")],
      ["generate", "-o", join(file, "c.yaml")],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(singleErrorLine(r.stderr), r.stderr);
    }
    const r = await run(["generate", "-o", join(file, "c.yaml")]);
    assert.match(r.stderr, /^error: cannot write cluster snapshot ".*blocker\/c\.yaml": a parent is not a directory\n$/);
    assert.deepEqual(filesIn(tmp.dir).filter((f) => f.includes(".tmp")), []);
  });
});

describe("outputs never overwrite an input or a journal", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("refuses --output equal to an input (also through another spelling or a link), leaving the input as it was", async () => {
    const cluster = join(tmp.dir, "c.yaml");
    const config = join(tmp.dir, "balance.yaml");
    writeFileSync(cluster, readFileSync(DEMO));
    writeFileSync(config, "goals: [rack-spread, replica-count]\n");
    symlinkSync(cluster, join(tmp.dir, "link.yaml"));
    for (const args of [
      ["plan", "--cluster", cluster, "--output", cluster],
      ["plan", "--cluster", cluster, "--output", join(tmp.dir, ".", "sub", "..", "c.yaml")],
      ["plan", "--cluster", cluster, "--output", join(tmp.dir, "link.yaml")],
      ["plan", "--cluster", cluster, "--config", config, "--output", config],
      ["assign", "--cluster", cluster, "--topic", "new:3:2", "--output", cluster],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(singleErrorLine(r.stderr) ?? "", /^error: --output: ".*" is also the input of --(cluster|config)/);
    }
    assert.equal(readFileSync(cluster, "utf8"), readFileSync(DEMO, "utf8"));
  });

  it("refuses rollback -o into the state folder, and any output into a folder holding a journal", async () => {
    const plan = join(tmp.dir, "plan.json");
    const state = join(tmp.dir, "state");
    assert.equal((await run(["plan", "--cluster", DEMO, "--output", plan])).code, 0);
    assert.equal((await run(["execute", plan, "--simulate", "--cluster", DEMO, "--state-dir", state])).code, 0);
    const journal = readFileSync(join(state, "state.json"), "utf8");
    for (const args of [
      ["rollback", "--state-dir", state, "-o", join(state, "state.json")],
      ["rollback", "--state-dir", state, "-o", join(state, "other.json")],
      ["plan", "--cluster", DEMO, "--output", join(state, "plan.json")],
      ["generate", "-o", join(state, "state.json")],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(singleErrorLine(r.stderr) ?? "", /^error: --output: ".*" is inside (the|a Ballast) state folder/);
    }
    assert.equal(readFileSync(join(state, "state.json"), "utf8"), journal);
    assert.equal((await run(["status", "--state-dir", state])).code, 0);
  });
});
