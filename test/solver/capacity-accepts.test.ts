/**
 * The capacity goal's answer for a swap, read per resource off the state (only the broker whose load
 * rises is asked about its aim), is the one the check of every limited resource on both brokers
 * gives, over random over- and under-loaded placements, with and without partitions heavier than any
 * network-out limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng } from "../../src/model/random.js";
import { capacityGoal } from "../../src/solver/goals/capacity.js";
import { limitedResources, replicaWeight, resourceLoad, type Resource } from "../../src/solver/load-targets.js";
import type { Action, PlacementState } from "../../src/solver/state.js";
import { PlacementState as State } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { loadedCluster, randomMoves } from "../support/loaded.js";

/** Broker b's aim of resource r, raised on network out by the heaviest heavy partition it leads. */
function aimOf(state: PlacementState, targets: Targets, r: Resource, b: number): number {
  const aim = targets.load.aim[r][b]!;
  return r === "networkOut" && targets.heavyLeads.length > 0 ? Math.max(aim, targets.heavyLeadOutOf(state, b)) : aim;
}

/** Whether adding d to load v takes it further over `limit` (the goal's tolerance). */
function worse(v: number, d: number, limit: number): boolean {
  return d > 0 && Math.max(0, v + d - limit) > Math.max(0, v - limit) + 1e-6;
}

/** A swap that hands on no heavy leadership: accepted when, for every limited resource, neither broker ends further over its aim. */
function reference(state: PlacementState, targets: Targets, a: Extract<Action, { kind: "swap" }>): boolean {
  const b1 = state.brokerAt(a.p, a.slot);
  const b2 = state.brokerAt(a.q, a.qSlot);
  return limitedResources(targets.load).every((r) => {
    const wp = replicaWeight(state, r, a.p, a.slot);
    const wq = replicaWeight(state, r, a.q, a.qSlot);
    return !worse(resourceLoad(state, r, b1), wq - wp, aimOf(state, targets, r, b1)) && !worse(resourceLoad(state, r, b2), wp - wq, aimOf(state, targets, r, b2));
  });
}

const caseArb = fc.record({
  brokers: fc.integer({ min: 3, max: 12 }),
  racks: fc.integer({ min: 1, max: 3 }),
  topics: fc.integer({ min: 1, max: 8 }),
  seed: fc.nat(),
  /** Utilisation of each resource, percent: below and above the limits. */
  use: fc.tuple(fc.integer({ min: 40, max: 120 }), fc.integer({ min: 40, max: 120 }), fc.integer({ min: 40, max: 120 })),
  /** Hot partitions, some heavier than any network-out limit. */
  hot: fc.integer({ min: 0, max: 3 }),
  moves: fc.integer({ min: 0, max: 40 }),
  swaps: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 40 }),
});

test("capacity: a swap is accepted exactly when no limited resource of either broker ends further over its aim", () => {
  const seen = { accepted: 0, refused: 0, heavy: 0 };
  fc.assert(
    fc.property(caseArb, (c) => {
      const cluster = loadedCluster({ ...c, rf: 3 });
      fc.pre(cluster !== null);
      const state = new State(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
      const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
      randomMoves(state, createRng(c.seed + 1), c.moves);
      for (const [pPick, slotPick, qPick, qSlotPick] of c.swaps) {
        const p = pPick % state.partitionCount;
        const q = qPick % state.partitionCount;
        if (p === q) continue;
        const a: Extract<Action, { kind: "swap" }> = { kind: "swap", p, slot: slotPick % state.rf[p]!, q, qSlot: qSlotPick % state.rf[q]! };
        if (state.brokerAt(a.p, a.slot) === state.brokerAt(a.q, a.qSlot)) continue;
        if (targets.handsOnHeavyLead(a)) {
          seen.heavy++;
          continue;
        }
        const want = reference(state, targets, a);
        assert.equal(capacityGoal.accepts(a, state, targets), want, JSON.stringify(a));
        if (want) seen.accepted++;
        else seen.refused++;
      }
    }),
    { numRuns: 300, seed: 43 },
  );
  assert.ok(seen.accepted > 300 && seen.refused > 300, `${JSON.stringify(seen)}: the cases do not test the claim`);
});
