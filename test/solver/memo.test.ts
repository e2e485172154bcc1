/**
 * Per-broker lists kept between calls (BrokerMemo): rebuilt only when the broker's stamp moves, and
 * then always what a fresh build gives, whatever actions were applied in between.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BrokerMemo, KeyedPairs } from "../../src/solver/goals/memo.js";
import { DISK, LEADER_BYTES, NETWORK_OUT, byTopic, carrying, carryingAscending, ledByTopic, roles } from "../../src/solver/goals/load-balance.js";
import { partitionsByWeightDescending } from "../../src/solver/goals/by-size.js";
import type { Action, PlacementState } from "../../src/solver/state.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("a broker's value is built once per stamp, per state", () => {
  fc.assert(
    fc.property(stateCaseArb, ({ state }) => {
      let builds = 0;
      const memo = new BrokerMemo((_s, b) => ({ b, build: ++builds }));
      const first = memo.get(state, 0, 5);
      assert.equal(memo.get(state, 0, 5), first);
      assert.equal(builds, 1);
      const again = memo.get(state, 0, 6);
      assert.notEqual(again, first);
      assert.equal(builds, 2);
      if (state.brokerCount > 1) assert.equal(memo.get(state, 1, 6).b, 1);
    }),
    { numRuns: 20, seed: 1 },
  );
});

test("keyed pairs read back per key in the order added, and begin forgets them all", () => {
  const lists = new KeyedPairs();
  fc.assert(
    fc.property(fc.array(fc.array(fc.tuple(fc.nat(9), fc.integer(), fc.integer()), { maxLength: 300 }), { minLength: 1, maxLength: 4 }), (calls) => {
      for (const adds of calls) {
        lists.begin(10);
        const expected = new Map<number, Array<[number, number]>>();
        for (const [key, a, b] of adds) {
          lists.add(key, a, b);
          expected.set(key, [...(expected.get(key) ?? []), [a, b]]);
        }
        assert.equal(lists.empty, adds.length === 0);
        for (let key = 0; key < 10; key++) {
          const got: Array<[number, number]> = [];
          for (let e = lists.first(key); e >= 0; e = lists.after(e)) got.push([lists.a(e), lists.b(e)]);
          assert.deepEqual(got, expected.get(key) ?? []);
        }
      }
    }),
    { numRuns: 200, seed: 2 },
  );
});

/** A random action the state may apply, or undefined. */
function randomAction(state: PlacementState, next: () => number): Action | undefined {
  const pick = (n: number): number => Math.floor(next() * n);
  const p = pick(state.partitionCount);
  const slot = pick(state.rf[p]!);
  const kind = pick(3);
  if (kind === 0) {
    const to = pick(state.brokerCount);
    return state.slotOf(p, to) >= 0 ? undefined : { kind: "move", p, slot, to };
  }
  if (kind === 1) {
    const q = pick(state.partitionCount);
    const qSlot = pick(state.rf[q]!);
    const b1 = state.brokerAt(p, slot);
    const b2 = state.brokerAt(q, qSlot);
    return p === q || b1 === b2 || state.slotOf(p, b2) >= 0 || state.slotOf(q, b1) >= 0 ? undefined : { kind: "swap", p, slot, q, qSlot };
  }
  return { kind: "lead", p, slot };
}

test("kept carrying, by-topic, led-by-topic and role lists always equal a fresh build", () => {
  fc.assert(
    fc.property(stateCaseArb, ({ state, rng }) => {
      for (let step = 0; step < 40; step++) {
        for (let b = 0; b < state.brokerCount; b++) {
          for (const m of [LEADER_BYTES, NETWORK_OUT, DISK]) {
            const w = m.weight(state);
            const fresh = Array.from(partitionsByWeightDescending(state, w, b)).filter((p) => w[p]! > 0 && (!m.leaderOnly || state.brokerAt(p, 0) === b));
            assert.deepEqual(Array.from(carrying(state, m, b)), fresh);
            assert.deepEqual(Array.from(carryingAscending(state, m, b)), fresh.slice().reverse());
          }
          const topics = new Map<number, number[]>();
          const led = new Map<number, number[]>();
          for (const p of state.partitionsOn(b)) {
            const t = state.topicIndexOf(p);
            topics.set(t, [...(topics.get(t) ?? []), p]);
            if (state.brokerAt(p, 0) === b) led.set(t, [...(led.get(t) ?? []), p]);
          }
          assert.deepEqual(new Map(byTopic(state, b)), topics);
          assert.deepEqual(new Map(ledByTopic(state, b)), led);
          const on = Array.from(state.partitionsOn(b)).filter((p) => !state.frozen[p]);
          assert.deepEqual(roles(state, b), { led: on.filter((p) => state.brokerAt(p, 0) === b), followed: on.filter((p) => state.brokerAt(p, 0) !== b) });
        }
        const action = randomAction(state, () => rng.next());
        if (action !== undefined) state.apply(action);
      }
    }),
    { numRuns: 60, seed: 7 },
  );
});
