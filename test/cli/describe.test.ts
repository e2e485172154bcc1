import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANSI, DEMO, run, singleErrorLine } from "./helpers.js";

describe("ballast describe", () => {
  it("prints the balance report with every goal marked ✓ or ✗", async () => {
    const result = await run(["describe", "--cluster", DEMO]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0, "a report exits 0 even when goals are violated");
    assert.match(result.stdout, /^Brokers$/m);
    assert.match(result.stdout, /^Racks$/m);
    assert.match(result.stdout, /^Goals$/m);
    const goalLines = result.stdout.split("\n").filter((l) => /^ {2}[✓✗] /.test(l));
    assert.ok(goalLines.some((l) => l.includes("valid-placement")), "valid placement is reported");
    assert.ok(goalLines.length >= 2);
    assert.doesNotMatch(result.stdout, ANSI);
  });

  it("--json prints the report as one object", async () => {
    const result = await run(["describe", "--cluster", DEMO, "--json"]);
    assert.equal(result.code, 0);
    const report = JSON.parse(result.stdout) as {
      brokers: { id: number; replicas: number }[];
      racks: { rack: string }[];
      summary: { brokers: number; replicas: number };
      goals: { goal: string; satisfied: boolean; detail: string }[];
    };
    assert.equal(report.brokers.length, report.summary.brokers);
    assert.equal(
      report.brokers.reduce((n, b) => n + b.replicas, 0),
      report.summary.replicas,
    );
    assert.ok(report.racks.length > 0);
    assert.ok(report.goals.every((g) => typeof g.satisfied === "boolean" && g.detail !== ""));
  });

  it("rejects a negative broker id with one error line", async () => {
    const result = await run(["describe", "--cluster", DEMO, "--exclude-brokers", "-3"]);
    assert.equal(result.code, 2);
    assert.match(singleErrorLine(result.stderr) ?? "", /^error: --exclude-brokers: must be at least 0, got -3$/);
  });
});
