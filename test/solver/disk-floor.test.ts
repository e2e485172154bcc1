/**
 * The disk band a broker can reach (DiskFloors): a broker holding a replica larger than its band's
 * top is held to that replica plus FLOOR_SLACK instead, the disk goal judges it by that top, and the
 * kept tops equal fresh ones whatever moves came between.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster } from "../../src/model/types.js";
import { DiskFloors, FLOOR_AIM, FLOOR_SLACK } from "../../src/solver/goals/disk-floor.js";
import { diskGoal } from "../../src/solver/goals/disk.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";

/** Four brokers in one rack; single-replica partitions of the sizes given, per topic, on brokers 1, 2, 3, 4 in turn. */
function cluster(sizes: readonly number[][], on: (t: number, i: number) => number = (t, i) => 1 + ((t + i) % 4)): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3, 4].map((id) => ({ id, rack: "r", status: "alive" as const, capacity: {} })),
    topics: sizes.map((parts, t) => ({
      name: `t${String(t)}`,
      partitions: parts.map((size, i) => ({ topic: `t${String(t)}`, partition: i, replicas: [on(t, i)], leader: on(t, i), size, bytesIn: 0, bytesOut: 0 })),
    })),
  };
}

function setUp(c: Cluster): { state: PlacementState; targets: Targets } {
  const state = new PlacementState(c, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  return { state, targets: new Targets(state, { rackSpread: false, diskThreshold: 0.1 }) };
}

/** Broker b's reachable top worked out from scratch. */
function freshTop(state: PlacementState, targets: Targets, b: number): number {
  let largest = 0;
  for (let i = 0; i < state.partitionsOnCount(b); i++) largest = Math.max(largest, state.sizeOf(state.partitionOnAt(b, i)));
  return Math.max(targets.diskHighOf(b), largest * (1 + FLOOR_SLACK));
}

test("property: the kept reachable tops equal fresh ones after any moves", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 100, max: 400 })), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.record({ p: fc.nat(), to: fc.nat(3), look: fc.nat(3) }), { maxLength: 60 }),
      (sizes, steps) => {
        const { state, targets } = setUp(cluster(sizes));
        const floors = DiskFloors.of(state, targets);
        for (const step of steps) {
          const p = step.p % state.partitionCount;
          if (state.slotOf(p, step.to) < 0) state.apply({ kind: "move", p, slot: 0, to: step.to });
          assert.equal(floors.highOf(step.look), freshTop(state, targets, step.look));
          assert.ok(floors.aimOf(step.look) <= floors.highOf(step.look));
        }
        for (let b = 0; b < state.brokerCount; b++) assert.equal(floors.highOf(b), freshTop(state, targets, b));
      },
    ),
    { numRuns: 300, seed: 20261208 },
  );
});

/**
 * Broker 1 (index 0) holds a partition of 1,000 bytes, far above its band, and one of 4 bytes; broker
 * 2 holds 635 bytes, also above its band, in partitions of 4, 6, 25 and 600 bytes.
 */
function heldCluster(): Cluster {
  return cluster([[1000], [4, 4, 4, 4], [6, 25], [600]], (t, i) => (t === 0 ? 1 : t === 1 ? 1 + i : 2));
}

test("the disk goal accepts what keeps a broker held by its largest replica within its reachable band, and only that", () => {
  const { state, targets } = setUp(heldCluster());
  const floors = DiskFloors.of(state, targets);
  assert.ok(targets.diskHighOf(0) < 1000 && targets.diskHighOf(1) < state.diskOf(1), "both brokers are above their bands");
  assert.equal(floors.highOf(0), 1000 * (1 + FLOOR_SLACK));
  assert.equal(floors.aimOf(0), 1000 * (1 + FLOOR_AIM));
  assert.equal(floors.highOf(1), targets.diskHighOf(1), "broker 2's largest replica is inside its band");
  const of = (size: number, b: number): number => [...Array(state.partitionCount).keys()].find((p) => state.sizeOf(p) === size && state.brokerAt(p, 0) === b)!;
  const four = of(4, 0);
  // Broker 1 goes from 1,004 to 1,006 bytes: above its band, within its reachable one.
  assert.equal(diskGoal.accepts({ kind: "swap", p: four, slot: 0, q: of(6, 1), qSlot: 0 }, state, targets), true);
  // To 1,025 bytes: above its reachable band too.
  assert.equal(diskGoal.accepts({ kind: "swap", p: four, slot: 0, q: of(25, 1), qSlot: 0 }, state, targets), false);
});

test("the disk goal brings a broker held by its largest replica down to its aim, and says it is held there", () => {
  // Broker 0 holds the large partition and every partition of 25 bytes: 300 bytes above it.
  const c = cluster([[1000], Array(12).fill(25), Array(24).fill(1)], (t, i) => (t === 0 || t === 1 ? 1 : 1 + (i % 4)));
  const { state, targets } = setUp(c);
  const floors = DiskFloors.of(state, targets);
  assert.ok(state.diskOf(0) > floors.highOf(0));
  diskGoal.optimize(goalContext(state, targets, () => true));
  assert.ok(state.diskOf(0) <= floors.aimOf(0) + 1e-9, `disk ${String(state.diskOf(0))}, aim ${String(floors.aimOf(0))}`);
  const status = diskGoal.status(state, targets);
  assert.match(status.detail, /1 broker\(s\) held to their largest replica, within 2% of it/);
});
