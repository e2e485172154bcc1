import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shellCommand, shellQuote } from "../../src/cli/shell.js";

describe("shellQuote", () => {
  it("leaves plain words alone and quotes the rest", () => {
    assert.equal(shellQuote("plan.json"), "plan.json");
    assert.equal(shellQuote("dir/plan-1.json"), "dir/plan-1.json");
    assert.equal(shellQuote("x;touch /tmp/pwned;#"), "'x;touch /tmp/pwned;#'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote("$(id)"), "'$(id)'");
    assert.equal(shellQuote("a\nb"), "$'a\\nb'");
    assert.equal(shellQuote("\u001b[31m"), "$'\\x1b[31m'");
    assert.equal(shellCommand(["kafka-topics.sh", "--bootstrap-server", "<broker:9092>", "--topic", "a b"]), "kafka-topics.sh --bootstrap-server <broker:9092> --topic 'a b'");
  });

  it("property: bash reads every quoted word back as exactly the word", { skip: !hasBash() }, () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary-ascii", maxLength: 12 }).filter((s) => !s.includes("\u0000")), { minLength: 1, maxLength: 4 }), (words) => {
        const script = `printf '%s\\0' ${words.map(shellQuote).join(" ")}`;
        const out = execFileSync("bash", ["-c", script], { encoding: "latin1" });
        assert.deepEqual(out.split("\u0000").slice(0, -1), words);
      }),
      { numRuns: 60 },
    );
  });
});

function hasBash(): boolean {
  try {
    execFileSync("bash", ["-c", "true"]);
    return true;
  } catch {
    return false;
  }
}
