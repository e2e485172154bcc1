/** ReplicaBuckets reads back exactly what a Map of arrays would hold (tags too), in filing order, on every sort path, and every entry in the order filed; `live` steps over dropped entries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ReplicaBuckets } from "../../src/solver/replica-buckets.js";

const entriesArb = (maxKey: number): fc.Arbitrary<[number, number, number][]> =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: maxKey }), fc.nat(1000), fc.nat(4)), { maxLength: 300 });

function check(entries: readonly [number, number, number][], probes: readonly number[]): void {
  const map = new Map<number, [number, number, number][]>();
  const buckets = new ReplicaBuckets();
  for (const [key, p, slot] of entries) {
    // A tag of the caller's, here one told apart from the entry's other fields.
    const tag = 3 * p + slot;
    buckets.add(key, p, slot, tag);
    const list = map.get(key) ?? [];
    list.push([p, slot, tag]);
    map.set(key, list);
  }
  buckets.seal();
  // Every entry also reads back in the order filed, after the seal.
  assert.equal(buckets.filedCount, entries.length);
  entries.forEach(([key, p, slot], i) => assert.deepEqual([buckets.filedKey(i), buckets.filedP(i), buckets.filedSlot(i)], [key, p, slot]));
  for (const key of [...map.keys(), ...probes]) {
    const got: [number, number, number][] = [];
    for (let i = buckets.start(key), end = buckets.end(key, i); i < end; i++) got.push([buckets.p(i), buckets.slot(i), buckets.tag(i)]);
    assert.deepEqual(got, map.get(key) ?? [], `key ${String(key)}`);
  }
}

test("buckets hold each key's replicas in filing order (counting sort, packed sort, comparison sort)", () => {
  for (const maxKey of [50, 1_000_000, 2 ** 45]) {
    fc.assert(
      fc.property(entriesArb(maxKey), fc.array(fc.integer({ min: 0, max: maxKey }), { maxLength: 5 }), (entries, probes) => check(entries, probes)),
      { numRuns: 200, seed: 7 },
    );
  }
});

test("buckets grow past their first room and keep every entry", () => {
  const entries: [number, number, number][] = [];
  for (let i = 0; i < 5000; i++) entries.push([(i * 7919) % 613, i, i % 3]);
  check(entries, [0, 612, 613, 10_000]);
});

test("an empty set of buckets has nothing under any key", () => {
  check([], [0, 1, 12345]);
});

test("property: live steps over exactly the dropped entries, drops and reads interleaved", () => {
  fc.assert(
    fc.property(entriesArb(40), fc.array(fc.tuple(fc.nat(40), fc.nat(300)), { maxLength: 200 }), (entries, steps) => {
      const buckets = new ReplicaBuckets();
      for (const [key, p, slot] of entries) buckets.add(key, p, slot);
      buckets.seal();
      const dropped = new Set<number>();
      for (const [key, pick] of steps) {
        // Read key as a take-back pass does, then drop one of its entries (live or not).
        const start = buckets.start(key);
        const end = buckets.end(key, start);
        const got: number[] = [];
        for (let i = buckets.live(start); i < end; i = buckets.live(i + 1)) got.push(i);
        const want: number[] = [];
        for (let i = start; i < end; i++) if (!dropped.has(i)) want.push(i);
        assert.deepEqual(got, want, `key ${String(key)}`);
        if (end > start) {
          const i = start + (pick % (end - start));
          buckets.drop(i);
          dropped.add(i);
        }
      }
    }),
    { numRuns: 200, seed: 11 },
  );
});
