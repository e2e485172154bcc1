/**
 * The balance goals judge moves and swaps without building their deltas (replicaBandAccepts,
 * topicBandAccepts): the verdicts must be those of the general rule (bandAccepts over the deltas), on
 * every kind of load, including leader-only ones, over generated clusters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bandAccepts, brokerDeltas, replicaBandAccepts, topicBandAccepts, topicDeltas, type MoveOrSwap } from "../../src/solver/goals/band.js";
import { measureDeltas, NETWORK_IN, NETWORK_OUT, LEADER_BYTES, DISK } from "../../src/solver/goals/load-balance.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("property: moves and swaps get the general rule's verdict on counts, loads (leader-only too) and topic counts", () => {
  let refused = 0;
  let accepted = 0;
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      const B = state.brokerCount;
      const T = state.topicNames.length;
      const actions: MoveOrSwap[] = [];
      for (let k = 0; k < 60; k++) {
        const p = rng.int(state.partitionCount);
        const slot = rng.int(state.rf[p]!);
        if (k % 2 === 0) {
          actions.push({ kind: "move", p, slot, to: rng.int(B) });
        } else {
          const q = rng.int(state.partitionCount);
          actions.push({ kind: "swap", p, slot, q, qSlot: rng.int(state.rf[q]!) });
        }
      }
      for (const a of actions) {
        const count = replicaBandAccepts(state, a, null, false, state.count, targets.countMin, targets.countMax, 0);
        const general = bandAccepts(brokerDeltas(state, a, () => 1), (b) => state.count[b]!, (b) => targets.countMin[b]!, (b) => targets.countMax[b]!);
        assert.equal(count, general, `count ${JSON.stringify(a)}`);
        for (const m of [DISK, NETWORK_IN, NETWORK_OUT, LEADER_BYTES]) {
          const band = m === DISK ? { low: targets.diskLow, high: targets.diskHigh } : m === NETWORK_IN ? targets.load.networkIn : m === NETWORK_OUT ? targets.load.networkOut : targets.load.leaderBytes;
          const load = m.load(state);
          const fast = replicaBandAccepts(state, a, m.weight(state), m.leaderOnly, load, band.low, band.high, 1e-6);
          const slow = bandAccepts(measureDeltas(state, a, m), (b) => load[b]!, (b) => band.low[b]!, (b) => band.high[b]!, 1e-6);
          assert.equal(fast, slow, `${JSON.stringify(a)}`);
          if (fast) accepted++;
          else refused++;
        }
        const topics = topicBandAccepts(state, targets, a);
        const general2 = bandAccepts(
          topicDeltas(state, a),
          (k) => state.topicCount[k]!,
          (k) => targets.topicMinOf(Math.floor(k / B), k % B),
          (k) => targets.topicMaxOf(Math.floor(k / B), k % B),
        );
        assert.equal(topics, general2, `topics ${JSON.stringify(a)} (${String(T)} topics)`);
      }
    }),
    { numRuns: 80, seed: 42 },
  );
  // Both verdicts occur, so the comparison means something.
  assert.ok(refused > 100 && accepted > 100, `refused ${String(refused)}, accepted ${String(accepted)}`);
});
