/**
 * The CLI's edge with files and errors: input that is not UTF-8 text, outputs under a file, and the
 * one error line, which is escaped and capped whatever the input held.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
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
