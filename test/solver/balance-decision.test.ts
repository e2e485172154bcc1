/**
 * The job's pure decisions with an injected time: windows in a time zone (midnight crossings, DST),
 * triggers against a balance report, and outliers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseWindow } from "../../src/model/balance-config.js";
import { findOutliers, inWindow, minuteOfDay, triggerReasons } from "../../src/solver/balance-decision.js";
import { assess } from "../../src/solver/index.js";
import { loadFixture } from "../support/fixtures.js";

const w = (text: string) => parseWindow(text)!;

test("the minute of the day follows the time zone, daylight saving time included", () => {
  assert.equal(minuteOfDay(Date.UTC(2026, 0, 5, 12, 30), "UTC"), 12 * 60 + 30);
  assert.equal(minuteOfDay(Date.UTC(2026, 0, 5, 12, 30), "Europe/Berlin"), 13 * 60 + 30); // CET, +1
  assert.equal(minuteOfDay(Date.UTC(2026, 6, 5, 12, 30), "Europe/Berlin"), 14 * 60 + 30); // CEST, +2
  assert.equal(minuteOfDay(Date.UTC(2026, 0, 5, 3, 0), "America/New_York"), 22 * 60); // the day before
});

test("windows: start inclusive, end exclusive, crossing midnight, several, none", () => {
  const night = [w("01:00-05:00")];
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 1, 0), night, "UTC"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 4, 59), night, "UTC"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 5, 0), night, "UTC"), false);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 0, 59), night, "UTC"), false);
  const late = [w("22:00-02:00")];
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 23, 0), late, "UTC"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 1, 0), late, "UTC"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 12, 0), late, "UTC"), false);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 12, 0), [w("01:00-02:00"), w("11:30-12:30")], "UTC"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 12, 0), [], "UTC"), true);
  // 01:00-05:00 in Berlin is 00:00-04:00 UTC in winter.
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 0, 30), night, "Europe/Berlin"), true);
  assert.equal(inWindow(Date.UTC(2026, 0, 5, 4, 30), night, "Europe/Berlin"), false);
});

test("triggers: thresholds, rack rule, and every unmet goal without triggers", () => {
  const demo = assess(loadFixture("demo.yaml"));
  const balanced = assess(loadFixture("balanced.yaml"));
  assert.deepEqual(triggerReasons(balanced, undefined), []);
  assert.ok(triggerReasons(demo, undefined).some((r) => r.startsWith("goal replica-count unmet")));
  assert.deepEqual(triggerReasons(demo, { replicaSpread: 12, leaderSpread: 6, topicSpread: 100, diskDeviation: 10, networkDeviation: 10, rackViolations: false }), []);
  const reasons = triggerReasons(demo, { replicaSpread: 11, leaderSpread: 5, rackViolations: true });
  assert.deepEqual(reasons, [
    "replica spread 12 is above the trigger 11",
    "leader spread 6 is above the trigger 5",
    "1 partition(s) break the rack rule and 0 the host rule",
  ]);
  assert.match(triggerReasons(demo, { diskDeviation: 0.05, rackViolations: false })[0]!, /^disk deviation \d+\.\d% is above the trigger 5\.0%$/);
});

test("outliers: a broker far above its peers' median, none in a balanced cluster", () => {
  assert.deepEqual(findOutliers(assess(loadFixture("balanced.yaml")), 1.5), []);
  const demo = assess(loadFixture("demo.yaml"));
  // Broker 5 holds 26 replicas, broker 6 14: at 1.2 × the median, 5 stands out on disk.
  const found = findOutliers(demo, 1.2);
  assert.ok(found.some((o) => o.broker === 5 && o.resource === "disk"), JSON.stringify(found));
  assert.deepEqual(findOutliers(demo, 3), []);
});
