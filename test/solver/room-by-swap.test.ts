/**
 * lightForHeavy, the partner's replica fillMakingRoom swaps with a heavy one of the broker short of
 * room, passes over a replica no larger than the best so far before reading anything else of it: the
 * answer is the one a scan that weighs every replica gives, over random placements with capacities,
 * heavy replicas, partners and shortfalls.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lightForHeavy } from "../../src/solver/goals/replica-count.js";
import { limitedResources, replicaWeight, resourceLoad, type Resource } from "../../src/solver/load-targets.js";
import { moveKeepsSpread } from "../../src/solver/rules.js";
import type { PlacementState } from "../../src/solver/state.js";
import { PlacementState as State } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";
import { loadedCluster } from "../support/loaded.js";

/** The scan as first written: every replica of z weighed, the largest (ties: lowest index) kept. */
function reference(state: PlacementState, targets: Targets, d: number, z: number, h: number, hSlot: number, lacking: readonly number[], limited: readonly Resource[]): number {
  const aim = targets.load.aim;
  let best = -1;
  for (let i = 0; i < state.partitionsOnCount(z); i++) {
    const l = state.partitionOnAt(z, i);
    if (state.frozen[l] || state.slotOf(l, d) >= 0) continue;
    const lSlot = state.slotOf(l, z);
    let fits = true;
    for (let k = 0; k < limited.length && fits; k++) {
      const r = limited[k]!;
      const freed = replicaWeight(state, r, h, hSlot) - replicaWeight(state, r, l, lSlot);
      fits = freed >= lacking[k]! && (freed <= 0 || resourceLoad(state, r, z) + freed <= aim[r][z]!);
    }
    if (!fits || !moveKeepsSpread(state, targets, l, lSlot, d)) continue;
    if (best < 0 || state.sizeOf(l) > state.sizeOf(best) || (state.size[l] === state.size[best] && l < best)) best = l;
  }
  return best;
}

const caseArb = fc.record({
  brokers: fc.integer({ min: 3, max: 12 }),
  racks: fc.integer({ min: 1, max: 3 }),
  rf: fc.integer({ min: 1, max: 3 }),
  topics: fc.integer({ min: 1, max: 8 }),
  seed: fc.nat(),
  /** Utilisation of each resource, percent. */
  use: fc.tuple(fc.integer({ min: 30, max: 110 }), fc.integer({ min: 30, max: 110 }), fc.integer({ min: 30, max: 110 })),
  /** Per resource, the shortfall as a share of the heavy replica's weight, percent (negative: none). */
  short: fc.tuple(fc.integer({ min: -50, max: 100 }), fc.integer({ min: -50, max: 100 }), fc.integer({ min: -50, max: 100 })),
  /** Distinct partition sizes: few make ties in size common. */
  sizes: fc.integer({ min: 1, max: 4 }),
  picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
});

test("the partner's replica for a swap is the one a scan of every replica picks", () => {
  let found = 0;
  let none = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const generated = loadedCluster(c);
      fc.pre(generated !== null);
      let i = 0;
      const cluster = { ...generated, topics: generated.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, size: 1e9 * (1 + ((i++ * 7919) % c.sizes)) })) })) };
      const state = new State(cluster, { excludeBrokers: new Set(), isFrozenTopic: (name) => name.endsWith("1") });
      const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
      const limited = limitedResources(targets.load);
      const ctx = goalContext(state, targets, () => true);
      for (const [dPick, zPick, hPick, lPick] of c.picks) {
        const d = dPick % state.brokerCount;
        const z = zPick % state.brokerCount;
        if (z === d || state.partitionsOnCount(d) === 0) continue;
        const h = state.partitionOnAt(d, hPick % state.partitionsOnCount(d));
        const hSlot = state.slotOf(h, d);
        // Half the time exactly what swapping one of z's replicas frees: the answer then sits on the edge.
        const l = state.partitionsOnCount(z) > 0 && lPick % 2 === 0 ? state.partitionOnAt(z, (lPick >> 1) % state.partitionsOnCount(z)) : -1;
        const lacking = limited.map((r, k) =>
          l >= 0 ? replicaWeight(state, r, h, hSlot) - replicaWeight(state, r, l, state.slotOf(l, z)) : (replicaWeight(state, r, h, hSlot) * c.short[k]!) / 100,
        );
        const want = reference(state, targets, d, z, h, hSlot, lacking, limited);
        assert.equal(lightForHeavy(ctx, d, z, h, hSlot, lacking, limited), want);
        if (want >= 0) found++;
        else none++;
      }
    }),
    { numRuns: 300, seed: 41 },
  );
  assert.ok(found > 100 && none > 100, `${String(found)} found, ${String(none)} none: the cases do not test the claim`);
});
