/**
 * The ordering helpers the balance goals use: a broker's partitions by size (cached until the
 * broker's partitions change), the walk of a size-sorted list nearest-size first, which must give
 * exactly the order a sort by (|size − target|, index) gives, and the lazy heap walk of the disk goal.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { closestFirst, partitionsBySize, partitionsByWeightAscending, partitionsByWeightDescending, partitionsOfTopicBySize, sortBySize } from "../../src/solver/goals/by-size.js";
import { GroupStep, firstInGroupOrder, firstInOrder, firstInSortOrder } from "../../src/solver/goals/lazy-order.js";
import { PlacementState } from "../../src/solver/state.js";
import type { Cluster } from "../../src/model/types.js";

function walk(list: readonly number[], size: Float64Array, target: number, stopAt = -1): number[] {
  const seen: number[] = [];
  closestFirst(list, size, target, (q) => {
    seen.push(q);
    return q === stopAt;
  });
  return seen;
}

function sortedBySize(indices: readonly number[], size: Float64Array): number[] {
  return [...indices].sort((a, b) => size[a]! - size[b]! || a - b);
}

test("closestFirst visits nearest sizes first, equal distances by index", () => {
  const size = Float64Array.from([5, 1, 3, 7, 3, 9, 1]);
  const list = sortedBySize([0, 1, 2, 3, 4, 5, 6], size);
  // Target 5: distance 0 (p0), then 2 on both sides (p2, p3, p4 by index), then 4 (p1, p5, p6).
  assert.deepEqual(walk(list, size, 5), [0, 2, 3, 4, 1, 5, 6]);
  assert.deepEqual(walk(list, size, 0), [1, 6, 2, 4, 0, 3, 5]);
  assert.deepEqual(walk(list, size, 100), [5, 3, 0, 2, 4, 1, 6]);
  assert.deepEqual(walk([], size, 3), []);
});

test("closestFirst stops at the first visit that returns true", () => {
  const size = Float64Array.from([1, 2, 3, 4]);
  assert.deepEqual(walk([0, 1, 2, 3], size, 2.9, 1), [2, 1]);
  assert.equal(closestFirst([0, 1, 2, 3], size, 2, (q) => q === 3), true);
  assert.equal(closestFirst([0, 1, 2, 3], size, 2, () => false), false);
});

test("closestFirst gives the order of a sort by distance then index (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 40 }),
      fc.integer({ min: -2, max: 14 }),
      fc.boolean(),
      (sizes, target, half) => {
        const size = Float64Array.from(sizes.map((s) => (half ? s / 2 : s)));
        const all = sizes.map((_, i) => i);
        const t = half ? target / 2 + 0.25 : target;
        const expected = [...all].sort((a, b) => Math.abs(size[a]! - t) - Math.abs(size[b]! - t) || a - b);
        assert.deepEqual(walk(sortedBySize(all, size), size, t), expected);
      },
    ),
  );
});

test("partitionsBySize follows the broker's partitions as they change", () => {
  const cluster: Cluster = {
    version: 1,
    brokers: [1, 2, 3].map((id) => ({ id, status: "alive" as const, capacity: {} })),
    topics: [
      {
        name: "t",
        partitions: [30, 10, 20].map((size, i) => ({ topic: "t", partition: i, replicas: [1, 2], leader: 1, size, bytesIn: 0, bytesOut: 0 })),
      },
    ],
  };
  const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  assert.deepEqual([...partitionsBySize(state, 0)], [1, 2, 0]);
  state.apply({ kind: "move", p: 1, slot: 0, to: 2 });
  assert.deepEqual([...partitionsBySize(state, 0)], [2, 0]);
  assert.deepEqual([...partitionsBySize(state, 2)], [1]);
});

test("the weight-ranked views equal a fresh sort of each broker's partitions after any moves (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(3)), { maxLength: 40 }),
      (weights, moves) => {
        const cluster: Cluster = {
          version: 1,
          brokers: [1, 2, 3, 4].map((id) => ({ id, status: "alive" as const, capacity: {} })),
          topics: [{ name: "t", partitions: weights.map((w, i) => ({ topic: "t", partition: i, replicas: [1 + (i % 4)], leader: 1 + (i % 4), size: w, bytesIn: 0, bytesOut: 0 })) }],
        };
        const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
        const weight = Float64Array.from(weights, (w) => w * 3);
        const check = (): void => {
          for (let b = 0; b < 4; b++) {
            const on = [...state.partitionsOn(b)];
            const up = [...on].sort((x, y) => weight[x]! - weight[y]! || x - y);
            const down = [...on].sort((x, y) => weight[y]! - weight[x]! || x - y);
            assert.deepEqual([...partitionsByWeightAscending(state, weight, b)], up);
            assert.deepEqual([...partitionsByWeightDescending(state, weight, b)], down);
          }
        };
        check();
        for (const [p, to] of moves) {
          const q = p % weights.length;
          if (state.brokerAt(q, 0) !== to) state.apply({ kind: "move", p: q, slot: 0, to });
          check();
        }
      },
    ),
    { numRuns: 200, seed: 23 },
  );
});

test("a topic's partitions on a broker by size equal a fresh sort of them after any moves (property)", () => {
  fc.assert(
    fc.property(
      // Topics of 0–8 partitions with few distinct sizes, so that ties by index matter.
      fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(3)), { maxLength: 40 }),
      (sizes, moves) => {
        const cluster: Cluster = {
          version: 1,
          brokers: [1, 2, 3, 4].map((id) => ({ id, status: "alive" as const, capacity: {} })),
          topics: sizes.map((parts, t) => ({
            name: `t${String(t)}`,
            partitions: parts.map((size, i) => ({ topic: `t${String(t)}`, partition: i, replicas: [1 + ((i + t) % 4)], leader: 1 + ((i + t) % 4), size, bytesIn: 0, bytesOut: 0 })),
          })),
        };
        const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
        const check = (): void => {
          for (let b = 0; b < 4; b++) {
            for (let t = 0; t < sizes.length; t++) {
              const on = [...state.partitionsOn(b)].filter((p) => state.topicIndexOf(p) === t);
              const expected = on.sort((x, y) => state.size[x]! - state.size[y]! || x - y);
              assert.deepEqual([...partitionsOfTopicBySize(state, b, t)], expected);
              assert.deepEqual([...sortBySize(state, on)], expected);
            }
          }
        };
        check();
        for (const [p, to] of moves) {
          if (state.partitionCount === 0) break;
          const q = p % state.partitionCount;
          if (state.brokerAt(q, 0) !== to) state.apply({ kind: "move", p: q, slot: 0, to });
          check();
        }
      },
    ),
    { numRuns: 200, seed: 31 },
  );
});

test("firstInOrder visits in the order of a stable sort and stops when told (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 60 }), fc.integer({ min: -1, max: 60 }), (keys, stop) => {
      const items = keys.map((k, i) => ({ k, i }));
      const expected = [...items].sort((a, b) => a.k - b.k).map((x) => x.i);
      const seen: number[] = [];
      const found = firstInOrder(items, (a, b) => a.k - b.k, (x) => {
        seen.push(x.i);
        return x.i === stop;
      });
      const cut = expected.indexOf(stop);
      assert.equal(found, cut >= 0);
      assert.deepEqual(seen, cut >= 0 ? expected.slice(0, cut + 1) : expected);
    }),
  );
});

test("firstInGroupOrder visits what a sorted walk skipping dropped groups visits (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ k: fc.integer({ min: 0, max: 6 }), g: fc.integer({ min: 0, max: 4 }), step: fc.constantFrom(GroupStep.Next, GroupStep.Next, GroupStep.DropGroup, GroupStep.Stop) }), { maxLength: 60 }),
      (raw) => {
        // A total order (key, then position), as the replica-count goal's candidates have.
        const items = raw.map((x, i) => ({ ...x, i }));
        const compare = (a: { k: number; i: number }, b: { k: number; i: number }): number => a.k - b.k || a.i - b.i;
        const expected: number[] = [];
        const dropped = new Set<number>();
        let stopped = false;
        for (const x of [...items].sort(compare)) {
          if (dropped.has(x.g)) continue;
          expected.push(x.i);
          if (x.step === GroupStep.Stop) {
            stopped = true;
            break;
          }
          if (x.step === GroupStep.DropGroup) dropped.add(x.g);
        }
        const seen: number[] = [];
        const found = firstInGroupOrder(items, (x) => x.g, compare, (x) => {
          seen.push(x.i);
          return x.step;
        });
        assert.equal(found, stopped);
        assert.deepEqual(seen, expected);
      },
    ),
  );
});

test("firstInSortOrder gives what filtering, sorting and slicing give (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 4 }), (keys, k, mod) => {
      const items = keys.map((_, i) => i);
      const compare = (x: number, y: number): number => keys[x]! - keys[y]! || y - x;
      const admit = (x: number): boolean => x % mod !== 0;
      assert.deepEqual(firstInSortOrder(items, k, compare), [...items].sort(compare).slice(0, k));
      assert.deepEqual(firstInSortOrder(items, k, compare, admit), items.filter(admit).sort(compare).slice(0, k));
    }),
    { seed: 29 },
  );
});
