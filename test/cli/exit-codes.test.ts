import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as exitCodes from "../../src/cli/exit-codes.js";
import { REPO_ROOT, run, singleErrorLine } from "./helpers.js";

describe("exit codes", () => {
  it("docs/exit-codes.md lists every status the CLI uses, and no other", () => {
    const text = readFileSync(join(REPO_ROOT, "docs", "exit-codes.md"), "utf8");
    const documented = [...text.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const used = Object.entries(exitCodes)
      .filter(([name]) => name.startsWith("EXIT_") && name !== "EXIT_STATUS_OF")
      .map(([, value]) => value as number);
    assert.deepEqual([...documented].sort((a, b) => a - b), [...new Set(used)].sort((a, b) => a - b));
    for (const status of Object.values(exitCodes.EXIT_STATUS_OF)) assert.ok(documented.includes(status), String(status));
  });

  it("bad input, an infeasible request, a state folder and Kafka each end with their own status", async () => {
    const demo = join(REPO_ROOT, "fixtures", "demo.yaml");
    const cases: ReadonlyArray<readonly [readonly string[], number]> = [
      [["describe", "--cluster", "no-such-file.yaml"], exitCodes.EXIT_USAGE],
      [["plan", "--cluster", demo, "--output", "/nonexistent/p.json", "--capacity-threshold", "disk=0.01", "--strict-capacity"], exitCodes.EXIT_INFEASIBLE],
      [["status", "--state-dir", join(REPO_ROOT, "no-such-state-folder")], exitCodes.EXIT_STATE],
      // Nothing listens on port 1 of the loopback: the connection is refused at once.
      [["describe", "--bootstrap-server", "127.0.0.1:1"], exitCodes.EXIT_KAFKA],
    ];
    for (const [args, status] of cases) {
      const r = await run(args);
      assert.equal(r.code, status, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(singleErrorLine(r.stderr), r.stderr);
    }
  });
});
