/**
 * moveBestReplicas orders its candidates by class (CandidateScratch: counting sort on the key's four
 * small integers, a heap on size and partition within a class) instead of sorting the whole key: the
 * proposals, their order, the moves and the refusals counted are those of a plain sort on the full
 * key, over random placements, batch sizes, refusal budgets, later goals and higher-goal answers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster } from "../../src/model/types.js";
import { generateCluster } from "../../src/model/generate.js";
import { type Rng, createRng } from "../../src/model/random.js";
import type { GoalContext, GoalId } from "../../src/solver/goal.js";
import { MovableLists, moveBestReplicas } from "../../src/solver/goals/replica-count.js";
import { BandSteps, diskGain, topicGain } from "../../src/solver/goals/scoring.js";
import { moveKeepsSpread } from "../../src/solver/rules.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";
import { randomMoves } from "../support/loaded.js";

/**
 * The selection as a sort on the whole preference key: [move cost, −topic gain, −sign(disk gain),
 * leader, size, partition], then one replica per topic when the topic spread comes later.
 */
function referenceMoveBest(ctx: GoalContext, s: number, d: number, k: number, refusals: { left: number }): number {
  if (k <= 0 || refusals.left <= 0) return 0;
  const { state, targets } = ctx;
  const wantTopic = ctx.later.includes("topic-spread");
  const wantDisk = ctx.later.includes("disk");
  const wantLeader = ctx.later.includes("leader");
  const candidates: { p: number; slot: number; key: number[] }[] = [];
  for (const p of state.partitionsOn(s)) {
    if (state.frozen[p] || state.slotOf(p, d) >= 0) continue;
    const slot = state.slotOf(p, s);
    if (!moveKeepsSpread(state, targets, p, slot, d)) continue;
    candidates.push({ p, slot, key: [] });
  }
  if (!candidates.some(({ p, slot }) => ctx.accepted({ kind: "move", p, slot, to: d }))) {
    refusals.left = Math.max(0, refusals.left - candidates.length);
    return 0;
  }
  for (const c of candidates) {
    const size = state.sizeOf(c.p);
    c.key = [
      state.moveDelta(c.p, c.slot, d),
      wantTopic ? -topicGain(state, targets, c.p, s, d) : 0,
      wantDisk ? -Math.sign(diskGain(state, s, d, size, targets.diskBand)) : 0,
      wantLeader && c.slot === 0 ? 1 : 0,
      size,
      c.p,
    ];
  }
  candidates.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    return 0;
  });
  const taken = new Set<number>();
  let count = 0;
  for (const { p, slot } of candidates) {
    if (wantTopic && taken.has(state.topicIndexOf(p))) continue;
    if (ctx.propose({ kind: "move", p, slot, to: d })) {
      count++;
      if (count >= k) return count;
      taken.add(state.topicIndexOf(p));
    } else if (--refusals.left <= 0) return count;
  }
  return count;
}

const caseArb = fc.record({
  brokers: fc.integer({ min: 3, max: 14 }),
  racks: fc.integer({ min: 1, max: 4 }),
  rf: fc.integer({ min: 1, max: 3 }),
  topics: fc.integer({ min: 1, max: 6 }),
  /** Distinct sizes: few make ties in size (and in the disk sign) common. */
  sizes: fc.integer({ min: 1, max: 5 }),
  frozen: fc.boolean(),
  seed: fc.nat(),
  moves: fc.integer({ min: 0, max: 60 }),
  later: fc.subarray(["topic-spread", "disk", "leader"] as GoalId[]),
  /** Percent of proposals the higher goals accept. */
  acceptPercent: fc.constantFrom(0, 10, 50, 90, 100),
  k: fc.integer({ min: 1, max: 8 }),
  refusals: fc.integer({ min: 1, max: 30 }),
  calls: fc.integer({ min: 1, max: 6 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function clusterOf(c: Case): Cluster {
  const cluster = generateCluster(
    { brokers: c.brokers, racks: Math.min(c.racks, c.brokers), placement: "skewed", topics: c.topics, partitions: { min: 2, max: 12 }, replicationFactor: Math.min(c.rf, c.brokers) },
    createRng(c.seed),
  );
  let i = 0;
  return {
    ...cluster,
    topics: cluster.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, size: 1000 * (1 + ((i++ * 7919) % c.sizes)) })) })),
  };
}

/** A placement of the case's cluster after its random moves (the same for the same case). */
function stateOf(c: Case): { state: PlacementState; targets: Targets } {
  const state = new PlacementState(clusterOf(c), { excludeBrokers: new Set(), isFrozenTopic: (name) => c.frozen && name.endsWith("0") });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  randomMoves(state, createRng(c.seed + 1), c.moves);
  return { state, targets };
}

/** Higher goals that accept a fixed pseudo-random share of moves, the same answer for the same move on the same placement. */
function answers(c: Case, state: PlacementState): (a: Action) => boolean {
  return (a) => {
    if (a.kind !== "move") return true;
    let h = (c.seed ^ (a.p * 73856093) ^ (a.to * 19349663) ^ (state.changeCount * 83492791)) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    return h % 100 < c.acceptPercent;
  };
}

/**
 * Runs moveBestReplicas and the reference side by side over `arb`'s cases: the same proposals, moves
 * and refusal budgets left. Returns how many moves and refusals the cases made.
 */
function compareWithReference(arb: fc.Arbitrary<Case>, numRuns: number, seed: number): { moved: number; refused: number } {
  let moved = 0;
  let refused = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const runs = [stateOf(c), stateOf(c)].map(({ state, targets }) => {
        const proposed: Action[] = [];
        const ctx: GoalContext = { ...goalContext(state, targets, answers(c, state), proposed), later: c.later };
        return { state, ctx, proposed };
      });
      const [fast, slow] = runs as [(typeof runs)[number], (typeof runs)[number]];
      const rng = createRng(c.seed + 2);
      let movedHere = 0;
      for (let call = 0; call < c.calls; call++) {
        const s = Math.floor(rng.next() * fast.state.brokerCount);
        const d = (s + 1 + Math.floor(rng.next() * (fast.state.brokerCount - 1))) % fast.state.brokerCount;
        const budgets = [{ left: c.refusals }, { left: c.refusals }];
        const got = moveBestReplicas(fast.ctx, s, d, c.k, undefined, budgets[0]);
        const want = referenceMoveBest(slow.ctx, s, d, c.k, budgets[1]!);
        assert.equal(got, want, `call ${String(call)}: moved`);
        assert.equal(budgets[0]!.left, budgets[1]!.left, `call ${String(call)}: refusals left`);
        movedHere += got;
      }
      assert.deepEqual(fast.proposed, slow.proposed);
      assert.deepEqual(fast.state.replicas, slow.state.replicas);
      moved += movedHere;
      refused += fast.proposed.length - movedHere;
    }),
    { numRuns, seed },
  );
  return { moved, refused };
}

test("candidates in class order are proposed exactly as a sort on the whole key would propose them", () => {
  const { moved, refused } = compareWithReference(caseArb, 300, 17);
  assert.ok(moved > 100 && refused > 100, `only ${String(moved)} moves and ${String(refused)} refusals: the cases do not test the claim`);
});

test("a batch that takes one replica per topic walks the topics' fronts as the plain walk would", () => {
  // Batches large enough to take a replica of every topic, with the topic spread later: most
  // topics' fronts are refused several times (their next candidates come from their own heaps)
  // before one is taken, and the walk often runs to its end.
  const bigBatches = fc
    .tuple(caseArb, fc.integer({ min: 8, max: 60 }), fc.integer({ min: 20, max: 200 }))
    .map(([c, k, refusals]) => ({ ...c, k, refusals, topics: 1 + (c.topics % 4), acceptPercent: ([10, 50, 90] as const)[c.seed % 3]!, later: ["topic-spread", ...c.later.filter((g) => g !== "topic-spread")] as GoalId[] }));
  const { moved, refused } = compareWithReference(bigBatches, 200, 31);
  assert.ok(moved > 300 && refused > 150, `only ${String(moved)} moves and ${String(refused)} refusals: the cases do not test the claim`);
});

/** Broker b's MovableList as sorted records, for comparing lists whose order differs. */
function records(state: PlacementState, lists: MovableLists, b: number): string[] {
  const list = lists.of(b);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const original = Array.from(list.original.subarray(i * state.maxRf, i * state.maxRf + list.rf[i]!));
    out.push(JSON.stringify([list.p[i], list.offset[i], list.rf[i], list.topic[i], list.size[i], original]));
  }
  return out.sort();
}

test("a broker's movable list kept through moves equals one built afresh", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { state } = stateOf(c);
      const lists = MovableLists.of(state);
      const rng = createRng(c.seed + 3);
      for (let step = 0; step < 4; step++) {
        for (let b = 0; b < state.brokerCount; b++) lists.of(b);
        randomMoves(state, rng, 3 * step * step);
        // A copy of the state with the same placement and no lists built yet.
        const fresh = stateOf(c).state;
        for (let p = 0; p < state.partitionCount; p++) for (let slot = 0; slot < state.rf[p]!; slot++) if (fresh.brokerAt(p, slot) !== state.brokerAt(p, slot)) fresh.apply({ kind: "move", p, slot, to: state.brokerAt(p, slot) });
        for (let b = 0; b < state.brokerCount; b++) {
          const want = records(fresh, MovableLists.of(fresh), b);
          assert.deepEqual(records(state, lists, b), want, `broker ${String(b)} after step ${String(step)}`);
          assert.equal(want.length, fresh.partitionsOn(b).filter((p) => !fresh.frozen[p]).length);
        }
      }
    }),
    { numRuns: 150, seed: 23 },
  );
});

/** Moves up to `count` replicas off broker b, each to a random broker that holds none of its partition. */
function movesOff(state: PlacementState, rng: Rng, b: number, count: number): void {
  for (const p of state.partitionsOn(b).slice(0, count)) {
    const to = Math.floor(rng.next() * state.brokerCount);
    if (state.slotOf(p, to) < 0) state.apply({ kind: "move", p, slot: state.slotOf(p, b), to });
  }
}

test("a broker's movable list kept through many departures at once equals one built afresh", () => {
  // Between two reads of a list, a batch takes several replicas off its broker (taken out in one
  // pass when more than a few) while others come and go.
  let batches = 0;
  fc.assert(
    fc.property(caseArb, fc.integer({ min: 9, max: 20 }), (c, off) => {
      const { state } = stateOf(c);
      const lists = MovableLists.of(state);
      const rng = createRng(c.seed + 5);
      for (let step = 0; step < 4; step++) {
        for (let b = 0; b < state.brokerCount; b++) lists.of(b);
        const b = Math.floor(rng.next() * state.brokerCount);
        const logged = state.membershipLog[b]!.length;
        movesOff(state, rng, b, off);
        randomMoves(state, rng, step);
        if (state.membershipLog[b]!.length - logged > 8) batches++;
        const fresh = stateOf(c).state;
        for (let p = 0; p < state.partitionCount; p++) for (let slot = 0; slot < state.rf[p]!; slot++) if (fresh.brokerAt(p, slot) !== state.brokerAt(p, slot)) fresh.apply({ kind: "move", p, slot, to: state.brokerAt(p, slot) });
        for (let x = 0; x < state.brokerCount; x++) assert.deepEqual(records(state, lists, x), records(fresh, MovableLists.of(fresh), x), `broker ${String(x)} after step ${String(step)}`);
      }
    }),
    { numRuns: 150, seed: 37 },
  );
  assert.ok(batches > 40, `only ${String(batches)} updates with many departures`);
});

test("topic steps kept through moves give topicGain", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { state, targets } = stateOf(c);
      const steps = BandSteps.of(state, targets);
      const rng = createRng(c.seed + 4);
      for (let step = 0; step < 4; step++) {
        randomMoves(state, rng, 3 * step * step);
        for (let p = 0; p < state.partitionCount; p++) {
          const t = state.topicIndexOf(p);
          for (let slot = 0; slot < state.rf[p]!; slot++) {
            const s = state.brokerAt(p, slot);
            for (let d = 0; d < state.brokerCount; d++) {
              if (state.slotOf(p, d) >= 0) continue;
              assert.equal(steps.leaving(s)[t]! + steps.arriving(d)[t]!, topicGain(state, targets, p, s, d), `p${String(p)} from ${String(s)} to ${String(d)}`);
            }
          }
        }
      }
    }),
    { numRuns: 100, seed: 29 },
  );
});
