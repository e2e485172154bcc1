/**
 * partnersByFill: the `count` least-filled eligible brokers of b's rack, then of the other racks,
 * each lowest first with ties to the lower index: what a stable sort of each group would give.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { partnersByFill } from "../../src/solver/goals/band.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("partners are each rack group's least filled, as a stable sort would order them", () => {
  fc.assert(
    fc.property(stateCaseArb, fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 64, maxLength: 64 }), fc.nat(5), fc.nat(), ({ state }, fills, count, at) => {
      const b = at % state.brokerCount;
      // Few distinct values, so ties are common.
      const fill = (x: number): number => fills[x % fills.length]! / 2;
      const group = (same: boolean): number[] =>
        Array.from({ length: state.brokerCount }, (_, x) => x)
          .filter((x) => state.eligible[x] && x !== b && (state.rackOf[x] === state.rackOf[b]) === same)
          .sort((x, y) => fill(x) - fill(y) || x - y)
          .slice(0, count);
      assert.deepEqual(partnersByFill(state, b, fill, count), group(true).concat(group(false)));
    }),
    { numRuns: 200, seed: 4 },
  );
});
