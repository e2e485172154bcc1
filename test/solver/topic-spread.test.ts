/**
 * Topic spread's kept lists and answers (swap-back lists, band steps, topic standings, a broker's
 * movable replicas of a topic): brought up to date from the brokers' membership logs or forgotten
 * when a topic's replicas move, they must equal what is worked out anew, whatever moves came between.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster } from "../../src/model/types.js";
import { BandSteps, topicGain } from "../../src/solver/goals/scoring.js";
import { Standings, movableList, returnableList, spareList, standingOf, swapBackList, tracking } from "../../src/solver/goals/topic-spread.js";
import { type Action, PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";

/** Six brokers in `racks` racks; topics of 2–12 single-replica partitions, all starting on brokers 1 and 2. */
function cluster(racks: number, sizes: readonly number[][]): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3, 4, 5, 6].map((id) => ({ id, rack: `r${String(id % racks)}`, status: "alive" as const, capacity: {} })),
    topics: sizes.map((parts, t) => ({
      name: `t${String(t)}`,
      partitions: parts.map((size, i) => ({ topic: `t${String(t)}`, partition: i, replicas: [1 + (i % 2)], leader: 1 + (i % 2), size, bytesIn: 0, bytesOut: 0 })),
    })),
  };
}

test("property: a kept swap-back list equals one made anew after any moves", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      // Few (s, d, want) triples, so that kept lists are asked for again after moves.
      fc.array(fc.record({ p: fc.nat(), to: fc.nat(5), s: fc.nat(2), d: fc.nat(2), want: fc.constantFrom(1, 2), look: fc.boolean() }), { maxLength: 80 }),
      (racks, sizes, steps) => {
        const state = new PlacementState(cluster(racks, sizes), { excludeBrokers: new Set(), isFrozenTopic: () => false });
        const targets = new Targets(state, { rackSpread: false, diskThreshold: 0.1 });
        for (const step of steps) {
          const p = step.p % state.partitionCount;
          if (state.slotOf(p, step.to) < 0) state.apply({ kind: "move", p, slot: 0, to: step.to });
          if (!step.look || step.s === step.d) continue;
          const kept = swapBackList(state, targets, step.s, step.d, step.want);
          const expected = [...swapBackList(state, targets, step.s, step.d, step.want, "filtered")];
          assert.deepEqual([...kept], expected);
          assert.deepEqual([...swapBackList(state, targets, step.s, step.d, step.want, "gathered")], expected);
        }
      },
    ),
    { numRuns: 300, seed: 20261207 },
  );
});

/** Topic sizes, and steps of (partition, broker, second partition, accepted?) that pick moves and swaps. */
const placementArb = fc.record({
  racks: fc.integer({ min: 1, max: 3 }),
  sizes: fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
  steps: fc.array(fc.record({ p: fc.nat(), to: fc.nat(5), q: fc.nat(), swap: fc.boolean(), ok: fc.boolean(), undo: fc.boolean() }), { maxLength: 60 }),
});

function setUp(racks: number, sizes: readonly number[][]): { state: PlacementState; targets: Targets } {
  const state = new PlacementState(cluster(racks, sizes), { excludeBrokers: new Set(), isFrozenTopic: () => false });
  return { state, targets: new Targets(state, { rackSpread: false, diskThreshold: 0.1 }) };
}

/** The move or swap a step names, when the state may apply it. */
function actionOf(state: PlacementState, step: { p: number; to: number; q: number; swap: boolean }): Action | undefined {
  const p = step.p % state.partitionCount;
  if (!step.swap) return state.slotOf(p, step.to) < 0 ? { kind: "move", p, slot: 0, to: step.to } : undefined;
  const q = step.q % state.partitionCount;
  const b1 = state.brokerAt(p, 0);
  const b2 = state.brokerAt(q, 0);
  return p === q || b1 === b2 ? undefined : { kind: "swap", p, slot: 0, q, qSlot: 0 };
}

test("property: kept band steps add up to topicGain and count the topics off band, after any moves", () => {
  fc.assert(
    fc.property(placementArb, ({ racks, sizes, steps }) => {
      const { state, targets } = setUp(racks, sizes);
      const steps_ = new BandSteps(state, targets);
      for (const step of steps) {
        const a = actionOf(state, step);
        if (a !== undefined) state.apply(a);
        if (!step.ok) continue;
        for (let b = 0; b < state.brokerCount; b++) {
          const above: number[] = [];
          const below: number[] = [];
          for (let u = 0; u < state.topicNames.length; u++) {
            if (state.topicCountOf(u, b) > targets.topicMaxOf(u, b)) above.push(u);
            if (state.topicCountOf(u, b) < targets.topicMinOf(u, b)) below.push(u);
          }
          assert.equal(steps_.aboveCount(b), above.length);
          assert.equal(steps_.belowCount(b), below.length);
          assert.deepEqual([...steps_.aboveTopics(b)].sort((x, y) => x - y), above);
          assert.deepEqual([...steps_.belowTopics(b)].sort((x, y) => x - y), below);
        }
        for (let s = 0; s < state.brokerCount; s++) {
          for (let d = 0; d < state.brokerCount; d++) {
            if (s === d) continue;
            for (let u = 0; u < state.topicNames.length; u++) {
              assert.equal(steps_.leaving(s)[u]! + steps_.arriving(d)[u]!, topicGain(state, targets, state.topicStartOf(u), s, d));
            }
          }
        }
      }
    }),
    { numRuns: 200, seed: 20261208 },
  );
});

test("property: kept topic standings equal fresh ones after any proposals and undos", () => {
  fc.assert(
    fc.property(placementArb, ({ racks, sizes, steps }) => {
      const { state, targets } = setUp(racks, sizes);
      const standings = new Standings(state, targets);
      let accept = true;
      const ctx = tracking(
        goalContext(state, targets, () => accept),
        standings,
      );
      const check = (): void => {
        for (let t = 0; t < state.topicNames.length; t++) assert.equal(standings.of(t), standingOf(state, targets, t));
      };
      check();
      for (const step of steps) {
        const a = actionOf(state, step);
        if (a === undefined) continue;
        accept = step.ok;
        if (step.undo) ctx.undo(a);
        else ctx.propose(a);
        check();
      }
    }),
    { numRuns: 200, seed: 20261209 },
  );
});

test("property: kept lists of a broker's movable, spare and returnable replicas equal ones made anew", () => {
  fc.assert(
    fc.property(placementArb, ({ racks, sizes, steps }) => {
      const { state, targets } = setUp(racks, sizes);
      for (const step of steps) {
        const a = actionOf(state, step);
        if (a !== undefined) state.apply(a);
        // Few (topic, broker) pairs, so that kept lists are asked for again after moves.
        const t = step.q % state.topicNames.length;
        const s = step.p % 3;
        const d = step.to;
        if (s === d) continue;
        assert.deepEqual(movableList(state, targets, t, s, d), movableList(state, targets, t, s, d, true));
        assert.deepEqual(spareList(state, targets, s), spareList(state, targets, s, true));
        // The replicas d could return to s in an exchange where s gives one of topic t.
        const given = step.p % state.partitionCount;
        for (const strict of [true, false]) {
          const expected = returnableList(state, targets, d, s, given, t, strict, "filtered");
          assert.deepEqual(returnableList(state, targets, d, s, given, t, strict), expected);
          assert.deepEqual(returnableList(state, targets, d, s, given, t, strict, "gathered"), expected);
        }
      }
    }),
    { numRuns: 300, seed: 20261210 },
  );
});
