/**
 * The balance goals judge moves and swaps without building their deltas (replicaBandAccepts,
 * topicBandAccepts): the verdicts must be those of the general rule (bandAccepts over the deltas), on
 * every kind of load, including leader-only ones, over generated clusters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bandAccepts, brokerDeltas, replicaBandAccepts, topicBandAccepts, topicDeltas, type MoveOrSwap } from "../../src/solver/goals/band.js";
import { measureDeltas, leadershipAccepts, NETWORK_IN, NETWORK_OUT, LEADER_BYTES, DISK } from "../../src/solver/goals/load-balance.js";
import { BandRatios, worstFirst } from "../../src/solver/goals/band.js";
import type { Action } from "../../src/solver/state.js";
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

test("property: leadership changes and trades get the general rule's verdict on every load", () => {
  let refused = 0;
  let accepted = 0;
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      const leaderships: Array<Extract<Action, { kind: "lead" | "trade" }>> = [];
      for (let k = 0; k < 60; k++) {
        const pick = (): [number, number] => {
          const p = rng.int(state.partitionCount);
          return [p, rng.int(state.rf[p]!)];
        };
        const [p, slot] = pick();
        const [q, qSlot] = pick();
        const [r, rSlot] = pick();
        // Leaderships of the same partitions and brokers too, so the per-broker sums meet.
        if (k % 3 === 0) leaderships.push({ kind: "lead", p, slot });
        else if (k % 3 === 1) leaderships.push(k % 2 === 0 ? { kind: "trade", p, slot, q: p, qSlot: rng.int(state.rf[p]!) } : { kind: "trade", p, slot, q, qSlot });
        else leaderships.push({ kind: "trade", p, slot, q, qSlot, r, rSlot });
      }
      for (const a of leaderships) {
        for (const m of [DISK, NETWORK_IN, NETWORK_OUT, LEADER_BYTES]) {
          const band = m === DISK ? { low: targets.diskLow, high: targets.diskHigh } : m === NETWORK_IN ? targets.load.networkIn : m === NETWORK_OUT ? targets.load.networkOut : targets.load.leaderBytes;
          const load = m.load(state);
          const fast = leadershipAccepts(state, a, m, band.low, band.high, 1e-6);
          const slow = bandAccepts(measureDeltas(state, a, m), (b) => load[b]!, (b) => band.low[b]!, (b) => band.high[b]!, 1e-6);
          assert.equal(fast, slow, JSON.stringify(a));
          if (fast) accepted++;
          else refused++;
        }
      }
    }),
    { numRuns: 80, seed: 43 },
  );
  assert.ok(refused > 100 && accepted > 100, `refused ${String(refused)}, accepted ${String(accepted)}`);
});

/** worstFirst's pick as a full scan of the brokers works it out (the definition BandRatios keeps up to date). */
function worstByScan(state: Parameters<typeof worstFirst>[0], load: Float64Array, band: { idealOf(b: number): number; deviationOf(b: number, v: number): number }, stuck: Set<number>): number {
  let worstBroker = -1;
  let worst = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || stuck.has(b)) continue;
    const off = band.deviationOf(b, load[b]!);
    const r = off / Math.max(1, band.idealOf(b));
    if (off > 1e-9 * Math.max(1, band.idealOf(b)) && r > worst) {
      worstBroker = b;
      worst = r;
    }
  }
  return worstBroker;
}

test("property: worstFirst tries the broker a full scan finds worst, step after step, as the placement changes", () => {
  let steps = 0;
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      const band = targets.load.networkIn;
      const load = state.netIn;
      const stuck = new Set<number>();
      worstFirst(state, load, band, (b) => {
        assert.equal(b, worstByScan(state, load, band, stuck));
        steps++;
        // Change the placement now and then (a random move or leadership change, any broker), or give up on b.
        const p = rng.int(state.partitionCount);
        const slot = rng.int(state.rf[p]!);
        const to = rng.int(state.brokerCount);
        if (rng.int(3) === 0) {
          stuck.add(b);
          return false;
        }
        state.apply(state.slotOf(p, to) < 0 ? { kind: "move", p, slot, to } : { kind: "lead", p, slot: state.slotOf(p, to) });
        return true;
      });
    }),
    { numRuns: 60, seed: 44 },
  );
  assert.ok(steps > 200, `steps ${String(steps)}`);
});

test("BandRatios answers from the touched brokers what a fresh scan answers", () => {
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      const band = targets.load.leaderBytes;
      const kept = new BandRatios(state, state.leaderBytes, band);
      for (let k = 0; k < 30; k++) {
        const fresh = new BandRatios(state, state.leaderBytes, band).now();
        assert.deepEqual(Array.from(kept.now()), Array.from(fresh));
        const p = rng.int(state.partitionCount);
        const slot = rng.int(state.rf[p]!);
        const to = rng.int(state.brokerCount);
        state.apply(state.slotOf(p, to) < 0 ? { kind: "move", p, slot, to } : { kind: "lead", p, slot: state.slotOf(p, to) });
      }
    }),
    { numRuns: 40, seed: 45 },
  );
});
