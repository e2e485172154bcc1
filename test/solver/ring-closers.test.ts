/**
 * ringClosers (three-way leadership trades): per pair of a follower x of a partition given and the
 * leader v of a partition taken, exactly the partitions x leads and v follows that may change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ringClosers } from "../../src/solver/goals/load-balance.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("ring closers are the partitions x leads and v follows, for every pair asked", () => {
  fc.assert(
    fc.property(stateCaseArb, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), ({ state }, g, t) => {
      const give = g.map((i) => i % state.partitionCount);
      const take = t.map((i) => i % state.partitionCount);
      const closers = ringClosers(state, give, take);
      const starts = new Set(give.flatMap((p) => state.replicaIds(p).slice(1).map((id) => state.brokerIndexOf(id)!)).filter((x) => state.eligible[x]));
      const ends = new Set(take.map((q) => state.brokerAt(q, 0)));
      for (const x of starts) {
        for (const v of ends) {
          if (v === x) continue;
          const expected: number[] = [];
          for (let r = 0; r < state.partitionCount; r++) if (!state.frozen[r] && state.brokerAt(r, 0) === x && state.slotOf(r, v) > 0) expected.push(r);
          assert.deepEqual([...closers(x, v)].sort((a, b) => a - b), expected);
        }
      }
    }),
    { numRuns: 100, seed: 5 },
  );
});
