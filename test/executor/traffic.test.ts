/**
 * The sampling arithmetic of `snapshot --sample`: offsets moved × bytes per offset ÷ window, with
 * segments deleted during the window, partitions without retained records, and groups that appear
 * or go back.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { rates, type Reading } from "../../src/executor/traffic.js";

const reading = (at: number, logs: Record<string, [number, number]>, groups: Record<string, Record<string, number>>): Reading => ({
  at,
  logs: new Map(Object.entries(logs).map(([k, [start, end]]) => [k, { start, end }])),
  groups: new Map(Object.entries(groups).map(([g, o]) => [g, new Map(Object.entries(o))])),
});

test("bytes in from log growth and bytes out from committed offsets, at the retained bytes per offset", () => {
  const before = reading(0, { "a-0": [0, 1000], "a-1": [0, 0] }, { g1: { "a-0": 900 }, g2: { "a-0": 1000 } });
  const after = reading(10_000, { "a-0": [0, 2000], "a-1": [0, 0] }, { g1: { "a-0": 1900 }, g2: { "a-0": 1500 }, late: { "a-0": 2000 } });
  const out = rates(before, after, new Map([["a-0", 200_000]]), 10);
  // 100 bytes per offset; 1000 offsets in 10 s; groups moved 1000 + 500 (the late group has no start).
  assert.deepEqual(out.get("a-0"), { bytesIn: 10_000, bytesOut: 15_000 });
  assert.deepEqual(out.get("a-1"), { bytesIn: 0, bytesOut: 0 });
});

test("segments deleted during the window change neither the growth nor the bytes per offset", () => {
  // The log start moved from 0 to 5000 (a segment deleted) while 1000 offsets were appended; the
  // size shrank, but 1000 offsets × 50 bytes still came in.
  const before = reading(0, { "t-0": [0, 9000] }, {});
  const after = reading(20_000, { "t-0": [5000, 10_000] }, {});
  assert.deepEqual(rates(before, after, new Map([["t-0", 250_000]]), 20).get("t-0"), { bytesIn: 2500, bytesOut: 0 });
});

test("a partition with nothing retained takes its topic's bytes per offset; a group going back counts zero", () => {
  const before = reading(0, { "t-0": [0, 100], "t-1": [50, 50] }, { g: { "t-1": 50 } });
  const after = reading(1000, { "t-0": [0, 200], "t-1": [60, 60] }, { g: { "t-1": 40 } });
  const out = rates(before, after, new Map([["t-0", 2000], ["t-1", 0]]), 1);
  assert.deepEqual(out.get("t-0"), { bytesIn: 1000, bytesOut: 0 });
  assert.deepEqual(out.get("t-1"), { bytesIn: 100, bytesOut: 0 });
});
