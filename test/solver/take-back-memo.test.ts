/**
 * The take-backs' memo of refusals (TakeBackMemo) only skips what would be refused again: plans are
 * the same with it as when every take-back is asked anew, with the real goals and with an arbiter
 * whose verdicts turn at random on everything the memo assumes a verdict may depend on. That the
 * real goals depend on nothing else, and judge a swap the same whichever of its two replicas is
 * named first, is checked on its own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Goal } from "../../src/solver/goal.js";
import { optimize, TakeBackMemo } from "../../src/solver/optimizer.js";
import { prepare, type Prepared } from "../../src/solver/prepare.js";
import type { Action, PlacementState } from "../../src/solver/state.js";

const LOAD = { topicRate: { kind: "lognormal", mean: 2 * 1024 ** 2, sigma: 2 }, keySkew: 0.6, retentionSeconds: 3 * 24 * 3600, fanOut: { min: 0, max: 5 } } as const;

/** Small clusters of the kinds whose plans leave many take-backs refused: skewed placement, new brokers, hot partitions, capacity limits. */
const shapeArb: fc.Arbitrary<{ options: GenerateOptions; seed: number }> = fc.record({
  options: fc
    .record({
      brokers: fc.integer({ min: 6, max: 40 }),
      newBrokers: fc.integer({ min: 0, max: 3 }),
      racks: fc.integer({ min: 1, max: 4 }),
      topics: fc.integer({ min: 2, max: 10 }),
      replicationFactor: fc.constantFrom(2, 3),
      placement: fc.constantFrom("skewed-racked" as const, "skewed" as const, "random" as const),
      hot: fc.boolean(),
      load: fc.constantFrom("none", "some", "tight"),
    })
    .map(({ hot, load, ...rest }): GenerateOptions => {
      const options: GenerateOptions = { ...rest, partitions: { min: 2, max: 30 } };
      if (load === "none") return options;
      const utilisation = load === "some" ? { networkIn: 0.75 } : { networkIn: 0.95, networkOut: 0.9, disk: 0.8 };
      return { ...options, load: { ...LOAD, utilisation, ...(hot ? { hot: { count: 2, factor: 1.5 } } : {}) } };
    }),
  seed: fc.integer({ min: 1, max: 1000 }),
});

/** The goals, each counting the actions it is asked about. */
function counting(goals: readonly Goal[], asked: { n: number }): Goal[] {
  return goals.map((g) => ({ ...g, accepts: (a: Action, s: PlacementState, t: Prepared["targets"]) => (asked.n++, g.accepts(a, s, t)) }));
}

function prepared(options: GenerateOptions, seed: number): Prepared {
  return prepare(generateCluster(options, createRng(seed)), {});
}

const UNLIMITED = { maxMoves: Infinity, maxBytesMoved: Infinity };

test("property: a plan is the same with the memo of refused take-backs as without it, and asks less", () => {
  let fewer = 0;
  fc.assert(
    fc.property(shapeArb, ({ options, seed }) => {
      const runs = [true, false].map((remember) => {
        const { state, targets, goals } = prepared(options, seed);
        const asked = { n: 0 };
        const result = optimize(state, targets, counting(goals, asked), UNLIMITED, createRng(seed), undefined, new TakeBackMemo(state.partitionCount, remember));
        return { replicas: Array.from(state.replicas), result, asked: asked.n, changes: state.changeCount };
      });
      const [memo, fresh] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.deepEqual(memo.replicas, fresh.replicas);
      assert.deepEqual(memo.result, fresh.result);
      assert.equal(memo.changes, fresh.changes);
      assert.ok(memo.asked <= fresh.asked);
      if (memo.asked < fresh.asked) fewer++;
    }),
    { numRuns: 25, seed: 17 },
  );
  assert.ok(fewer > 0, "the memo never saved a question: the property tested nothing");
});

test("property: the memo kept across runs on a changing placement skips only what would be refused again", () => {
  // Between runs a few replicas move and leaderships change, touching a few brokers: most of what
  // was refused is still remembered, and what a change touched must be asked again.
  fc.assert(
    fc.property(shapeArb, fc.integer({ min: 1, max: 2 ** 30 }), ({ options, seed }, stir) => {
      const runs = [true, false].map((remember) => ({ ...prepared(options, seed), remember }));
      const memos = runs.map(({ state, remember }) => new TakeBackMemo(state.partitionCount, remember));
      const rng = createRng(stir);
      for (let run = 0; run < 6; run++) {
        const results = runs.map(({ state, targets, goals }, i) => optimize(state, targets, goals, UNLIMITED, createRng(seed + run), undefined, memos[i]));
        assert.deepEqual(results[0], results[1]);
        assert.deepEqual(Array.from(runs[0]!.state.replicas), Array.from(runs[1]!.state.replicas), `run ${String(run)}`);
        for (const action of stirs(runs[0]!.state, rng, 1 + Math.floor(rng.next() * 4))) for (const { state } of runs) state.apply(action);
      }
    }),
    { numRuns: 20, seed: 23 },
  );
});

/**
 * A few valid random moves, swaps and leadership changes on `state` (not applied), mostly of
 * partitions with a replica away from home: those whose take-backs the memo holds. A swap sends two
 * replicas away each for the other's broker: a pair to take back.
 */
function stirs(state: PlacementState, rng: { next(): number }, count: number): Action[] {
  const away: number[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    for (let slot = 0; slot < state.rfOf(p); slot++) if (!state.wasOriginally(p, state.brokerAt(p, slot))) away.push(p);
  }
  const pick = (): number => (away.length > 0 && rng.next() < 0.8 ? away[Math.floor(rng.next() * away.length)]! : Math.floor(rng.next() * state.partitionCount));
  const out: Action[] = [];
  const seen = new Set<number>();
  for (let tries = 0; out.length < count && tries < 20 * count; tries++) {
    const p = pick();
    const q = pick();
    if (seen.has(p) || seen.has(q)) continue;
    const slot = Math.floor(rng.next() * state.rfOf(p));
    const qSlot = Math.floor(rng.next() * state.rfOf(q));
    const kind = rng.next();
    if (kind < 0.4) {
      if (slot === 0) continue;
      out.push({ kind: "lead", p, slot });
    } else if (kind < 0.7) {
      const to = Math.floor(rng.next() * state.brokerCount);
      if (!state.eligible[to] || state.slotOf(p, to) >= 0) continue;
      out.push({ kind: "move", p, slot, to });
    } else {
      const x = state.brokerAt(p, slot);
      const y = state.brokerAt(q, qSlot);
      if (p === q || state.slotOf(p, y) >= 0 || state.slotOf(q, x) >= 0) continue;
      out.push({ kind: "swap", p, slot, q, qSlot });
      seen.add(q);
    }
    seen.add(p);
  }
  return out;
}

test("property: every goal judges a swap the same whichever of its two replicas is named first", () => {
  fc.assert(
    fc.property(shapeArb, fc.integer({ min: 1, max: 2 ** 30 }), ({ options, seed }, draw) => {
      const { state, targets, goals } = prepared(options, seed);
      const rng = createRng(draw);
      // Judged on the placement as generated and after part of a plan (bands crossed, leaders moved).
      for (let stage = 0; stage < 2; stage++) {
        for (let k = 0; k < 300; k++) {
          const p = Math.floor(rng.next() * state.partitionCount);
          const q = Math.floor(rng.next() * state.partitionCount);
          const slot = Math.floor(rng.next() * state.rfOf(p));
          const qSlot = Math.floor(rng.next() * state.rfOf(q));
          const x = state.brokerAt(p, slot);
          const y = state.brokerAt(q, qSlot);
          if (p === q || x === y || state.slotOf(p, y) >= 0 || state.slotOf(q, x) >= 0) continue;
          for (const goal of goals) {
            const one = goal.accepts({ kind: "swap", p, slot, q, qSlot }, state, targets);
            const other = goal.accepts({ kind: "swap", p: q, slot: qSlot, q: p, qSlot: slot }, state, targets);
            assert.equal(one, other, `${goal.id}: swap of ${String(p)}/${String(slot)} and ${String(q)}/${String(qSlot)}`);
          }
        }
        goals[Math.floor(rng.next() * goals.length)]!.optimize({
          state,
          targets,
          rng,
          later: [],
          allowed: () => true,
          accepted: () => true,
          mayGo: () => true,
          propose: (a) => (state.apply(a), true),
          undo: (a) => state.apply(a),
        });
      }
    }),
    { numRuns: 40, seed: 29 },
  );
});

/** Mixes v into hash h (32 bits). */
function mix(h: number, v: number): number {
  const m = Math.imul(h ^ v, 0x9e3779b1);
  return (m ^ (m >>> 15)) >>> 0;
}

/** Partition p's replica list, in order. */
function listHash(state: PlacementState, p: number): number {
  let h = mix(3, p);
  for (let slot = 0; slot < state.rfOf(p); slot++) h = mix(h, state.brokerAt(p, slot));
  return h;
}

/** Broker b's replicas (in no order) and, when `leaders`, which of them it leads. */
function brokerHash(state: PlacementState, b: number, leaders: boolean): number {
  let h = mix(5, b);
  for (let i = 0; i < state.partitionsOnCount(b); i++) {
    const p = state.partitionOnAt(b, i);
    h = (h + mix(7, p) + (leaders && state.brokerAt(p, 0) === b ? mix(11, p) : 0)) >>> 0;
  }
  return h;
}

/**
 * A goal whose verdicts look random but depend on exactly what the memo assumes: for a replica of p
 * going from one broker to another, p's list and the two brokers' replicas, and their leaderships
 * when the replica leads; a swap is its two halves, the same in either order, and reads leaderships
 * when either replica leads. About one move in `moveOdds` is accepted, one swap in `swapOdds`.
 */
function arbiter(salt: number, moveOdds: number, swapOdds: number): Goal {
  const half = (state: PlacementState, p: number, slot: number, from: number, to: number, leaders: boolean): number =>
    mix(mix(mix(mix(listHash(state, p), slot + salt), brokerHash(state, from, leaders)), brokerHash(state, to, leaders)), salt);
  return {
    id: "disk",
    hard: false,
    score: () => 0,
    status: () => ({ satisfied: true, detail: "" }),
    accepts(a, state) {
      if (a.kind === "move") return half(state, a.p, a.slot, state.brokerAt(a.p, a.slot), a.to, a.slot === 0) % moveOdds === 0;
      if (a.kind !== "swap") return true;
      const leaders = a.slot === 0 || a.qSlot === 0;
      const x = state.brokerAt(a.p, a.slot);
      const y = state.brokerAt(a.q, a.qSlot);
      return mix((half(state, a.p, a.slot, x, y, leaders) + half(state, a.q, a.qSlot, y, x, leaders)) >>> 0, salt) % swapOdds === 0;
    },
    optimize: () => undefined,
  };
}

test("property: with an arbiter that turns on everything a take-back may depend on, the memo changes nothing", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 6, max: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 1, max: 2 ** 30 }),
      fc.integer({ min: 2, max: 40 }),
      fc.integer({ min: 2, max: 8 }),
      (brokers, racks, topics, seed, moveOdds, swapOdds) => {
        const cluster = generateCluster({ brokers, racks, topics, partitions: { min: 2, max: 12 }, replicationFactor: 3 }, createRng(seed));
        const goals = [arbiter(seed, moveOdds, swapOdds)];
        const runs = [true, false].map((remember) => {
          const { state, targets } = prepare(cluster, {});
          return { state, targets, memo: new TakeBackMemo(state.partitionCount, remember) };
        });
        const rng = createRng(seed + 1);
        // Scattered first, so that many replicas (often two of a partition) are away from home; then
        // stirred a little between runs.
        for (let pass = 0; pass < 3; pass++) {
          for (const action of stirs(runs[0]!.state, rng, runs[0]!.state.partitionCount)) for (const { state } of runs) state.apply(action);
        }
        for (let run = 0; run < 8; run++) {
          const results = runs.map(({ state, targets, memo }) => optimize(state, targets, goals, UNLIMITED, createRng(seed + run), undefined, memo));
          assert.deepEqual(results[0], results[1]);
          assert.deepEqual(Array.from(runs[0]!.state.replicas), Array.from(runs[1]!.state.replicas), `run ${String(run)}`);
          for (const action of stirs(runs[0]!.state, rng, 1 + Math.floor(rng.next() * 3))) for (const { state } of runs) state.apply(action);
        }
      },
    ),
    { numRuns: 300, seed: 31 },
  );
});
