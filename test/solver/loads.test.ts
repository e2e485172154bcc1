/**
 * Per-broker loads kept by PlacementState: network in and out, leader bytes and CPU follow every
 * action through apply(), and always equal the sums recomputed from the replica lists.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Cluster } from "../../src/model/types.js";
import { type Action, PlacementState } from "../../src/solver/state.js";

function stateOf(c: Cluster): PlacementState {
  return new PlacementState(c, { excludeBrokers: new Set(), isFrozenTopic: () => false });
}

/** The loads summed from scratch over the current replica lists. */
function recomputed(s: PlacementState): { netIn: number[]; netOut: number[]; leaderBytes: number[]; cpu: number[]; disk: number[] } {
  const z = (): number[] => new Array<number>(s.brokerCount).fill(0);
  const out = { netIn: z(), netOut: z(), leaderBytes: z(), cpu: z(), disk: z() };
  for (let p = 0; p < s.partitionCount; p++) {
    const src = s.source[p]!;
    const lead = s.brokerAt(p, 0);
    out.netOut[lead]! += src.bytesOut + (src.replicas.length - 1) * src.bytesIn;
    out.leaderBytes[lead]! += src.bytesIn;
    out.cpu[lead]! += src.cpu ?? 0;
    for (let slot = 0; slot < s.rf[p]!; slot++) {
      const b = s.brokerAt(p, slot);
      out.netIn[b]! += src.bytesIn;
      out.disk[b]! += src.size;
    }
  }
  return out;
}

function assertLoadsMatch(s: PlacementState): void {
  const r = recomputed(s);
  for (const key of ["netIn", "netOut", "leaderBytes", "cpu", "disk"] as const) {
    for (let b = 0; b < s.brokerCount; b++) {
      const want = r[key][b]!;
      const got = s[key][b]!;
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, want), `${key}[${b}] is ${got}, recomputed ${want}`);
    }
  }
}

const small: Cluster = {
  version: 1,
  brokers: [1, 2, 3, 4].map((id) => ({ id, status: "alive" as const, capacity: {} })),
  topics: [
    {
      name: "t",
      partitions: [
        { topic: "t", partition: 0, replicas: [1, 2], leader: 1, size: 10, bytesIn: 100, bytesOut: 300, cpu: 0.5 },
        { topic: "t", partition: 1, replicas: [2, 3, 4], leader: 2, size: 20, bytesIn: 10, bytesOut: 0 },
      ],
    },
  ],
};

test("initial loads: followers take bytesIn, the leader bytesOut plus bytesIn per follower", () => {
  const s = stateOf(small);
  assert.deepEqual([...s.netIn], [100, 110, 10, 10]);
  assert.deepEqual([...s.netOut], [300 + 100, 0 + 2 * 10, 0, 0]);
  assert.deepEqual([...s.leaderBytes], [100, 10, 0, 0]);
  assert.deepEqual([...s.cpu], [0.5, 0, 0, 0]);
  assert.equal(s.hasCpu, true);
  assert.equal(s.hasNetInCapacity, false);
});

test("a leadership change moves network out, leader bytes and CPU but not network in", () => {
  const s = stateOf(small);
  s.apply({ kind: "lead", p: 0, slot: 1 });
  assert.deepEqual([...s.netIn], [100, 110, 10, 10]);
  assert.deepEqual([...s.netOut], [0, 400 + 20, 0, 0]);
  assert.deepEqual([...s.leaderBytes], [0, 110, 0, 0]);
  assert.deepEqual([...s.cpu], [0, 0.5, 0, 0]);
});

test("a trade moves leader load both ways and leaves every broker's leader count as it was", () => {
  const t = small.topics[0]!;
  // Partition 0 is led by broker 1 with a follower on 2; partition 1 the other way round.
  const s = stateOf({ ...small, topics: [{ ...t, partitions: [t.partitions[0]!, { ...t.partitions[1]!, replicas: [2, 1], leader: 2 }] }] });
  const leadersBefore = [...s.leaders];
  const trade: Action = { kind: "trade", p: 0, slot: 1, q: 1, qSlot: 1 };
  assert.deepEqual(s.cost(trade), { moves: 0, bytes: 0 });
  s.apply(trade);
  assert.deepEqual([s.brokerAt(0, 0), s.brokerAt(1, 0)], [1, 0]);
  assert.deepEqual([...s.leaders], leadersBefore);
  assert.deepEqual([...s.netOut], [0 + 1 * 10, 300 + 1 * 100, 0, 0]);
  assertLoadsMatch(s);
});

test("moving a leader replica carries its leader load; a follower only its network in", () => {
  const s = stateOf(small);
  s.apply({ kind: "move", p: 0, slot: 0, to: 2 });
  assert.deepEqual([...s.netIn], [0, 110, 110, 10]);
  assert.deepEqual([...s.netOut], [0, 20, 400, 0]);
  s.apply({ kind: "move", p: 1, slot: 2, to: 0 });
  assert.deepEqual([...s.netIn], [10, 110, 110, 0]);
  assert.deepEqual([...s.netOut], [0, 20, 400, 0]);
  assertLoadsMatch(s);
});

test("property: after any sequence of moves, swaps, leadership changes and trades the loads equal a recomputation", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (seed, draws) => {
      const c = generateCluster({ brokers: 6, racks: 2, topics: 3, partitions: { min: 2, max: 6 }, replicationFactor: { min: 1, max: 3 } }, createRng(seed));
      const s = stateOf(c);
      let i = 0;
      const next = (n: number): number => draws[i++ % draws.length]! % n;
      for (let k = 0; k < draws.length; k++) {
        const p = next(s.partitionCount);
        const slot = next(s.rf[p]!);
        const kind = next(4);
        let a: Action | null = null;
        if (kind === 0) a = { kind: "lead", p, slot };
        else if (kind === 3) {
          const q = next(s.partitionCount);
          if (q !== p) a = { kind: "trade", p, slot, q, qSlot: next(s.rf[q]!) };
        }
        else if (kind === 1) {
          const to = next(s.brokerCount);
          if (s.slotOf(p, to) < 0) a = { kind: "move", p, slot, to };
        } else {
          const q = next(s.partitionCount);
          const qSlot = next(s.rf[q]!);
          const b1 = s.brokerAt(p, slot);
          const b2 = s.brokerAt(q, qSlot);
          if (q !== p && s.slotOf(p, b2) < 0 && s.slotOf(q, b1) < 0) a = { kind: "swap", p, slot, q, qSlot };
        }
        if (a !== null) s.apply(a);
      }
      assertLoadsMatch(s);
    }),
    { seed: 7, numRuns: 100 },
  );
});
