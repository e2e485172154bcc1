/**
 * chooseDestination against its definition: brokers are scanned in the broker order until CANDIDATES
 * rule-keeping ones (adding no violation beyond the partition's without the replica) have been seen,
 * and the best accepted broker of that prefix wins by (violation, move cost, fill, topic fill, order).
 * The implementation passes over racks known to add a violation; this checks it never changes the
 * answer, with accept filters that refuse some, most or all brokers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { BrokerOrder, CANDIDATES, chooseDestination, lexLess, type DestinationChoice } from "../../src/solver/goals/destinations.js";
import { spreadViolation } from "../../src/solver/rules.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

function reference(state: PlacementState, targets: Targets, order: BrokerOrder, p: number, slot: number, accept: (d: number) => boolean): DestinationChoice | null {
  const base = spreadViolation(state, targets, p, slot, -1);
  const t = state.topicOf[p]!;
  let best: { to: number; key: number[] } | null = null;
  let perfect = 0;
  for (const d of order.brokers()) {
    if (perfect >= CANDIDATES) break;
    if (state.slotOf(p, d) >= 0 || !targets.canReceive(p, d)) continue;
    const v = spreadViolation(state, targets, p, slot, d);
    if (v === base) perfect++;
    const key = [v, state.moveDelta(p, slot, d), state.count[d]! - targets.countMax[d]!, state.topicCount[t * state.brokerCount + d]! - targets.topicMaxOf(t, d)];
    const better = best === null || lexLess(key, best.key);
    if (better && accept(d)) best = { to: d, key };
  }
  return best === null ? null : { to: best.to, violation: best.key[0]! };
}

const caseArb = fc.record({
  brokers: fc.integer({ min: 6, max: 60 }),
  racks: fc.integer({ min: 0, max: 4 }),
  brokersPerHost: fc.integer({ min: 1, max: 3 }),
  placement: fc.constantFrom("skewed" as const, "random" as const),
  rf: fc.integer({ min: 1, max: 5 }),
  seed: fc.nat(),
  /** Share of brokers the accept filter lets through: 0 refuses all, 1 accepts all. */
  acceptShare: fc.constantFrom(0, 0.1, 0.5, 1),
});

test("chooseDestination gives the best accepted broker of the scanned prefix, as the full comparison does", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const racks = Math.min(c.racks, c.brokers);
      const cluster = generateCluster(
        { brokers: c.brokers, racks, brokersPerHost: c.brokersPerHost, placement: c.placement, topics: 3, partitions: { min: 4, max: 12 }, replicationFactor: Math.min(c.rf, c.brokers) },
        createRng(c.seed),
      );
      const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
      const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
      const order = new BrokerOrder(state, targets);
      const rng = createRng(c.seed + 1);
      const accepted = new Set(state.brokerIds.map((_, b) => b).filter(() => rng.next() < c.acceptShare));
      const accept = (d: number): boolean => accepted.has(d);
      for (let p = 0; p < state.partitionCount; p++) {
        for (let slot = 0; slot < state.rf[p]!; slot++) {
          assert.deepEqual(chooseDestination(state, targets, order, p, slot, accept), reference(state, targets, order, p, slot, accept), `p ${String(p)} slot ${String(slot)}`);
        }
      }
    }),
    { numRuns: 120, seed: 11 },
  );
});
