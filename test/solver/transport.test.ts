/**
 * The transport relaxation (src/solver/transport.ts): the simplex and the Lagrangian dual on hand-made
 * models with known optima, and on random feasible models, where the dual must never exceed the LP
 * optimum (weak duality) and must reach it once rounded up (the optimum is integral).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { byPrice, solveTransportLp, transportDualBound, type TransportModel, type TransportOutcome } from "../../src/solver/transport.js";

interface Cells {
  readonly current: number[][];
  readonly lo: number[][];
  readonly hi: number[][];
  readonly brokerLo: number[];
  readonly brokerHi: number[];
  readonly totals?: number[];
  readonly weight?: number[];
}

function model(c: Cells): TransportModel {
  const T = c.current.length;
  const B = c.brokerLo.length;
  const flat = (m: number[][]): Int32Array => Int32Array.from(m.flat());
  return {
    topics: T,
    brokers: B,
    current: flat(c.current),
    lo: flat(c.lo),
    hi: flat(c.hi),
    totals: Float64Array.from(c.totals ?? c.current.map((row) => row.reduce((a, x) => a + x, 0))),
    brokerLo: Float64Array.from(c.brokerLo),
    brokerHi: Float64Array.from(c.brokerHi),
    weight: Float64Array.from(c.weight ?? c.current.map(() => 1)),
  };
}

function value(o: TransportOutcome): number {
  assert.ok(o.status === "optimal" || o.status === "bound", `unexpected ${o.status}`);
  return o.value;
}

// Two topics of 2 replicas each sit on one broker each; both brokers are pinned at 2 replicas and each
// topic must end with one replica per broker. Fixing a topic alone would upset the counts: the fix is a
// swap, 2 moves, though each broker is off its topic band by only 1 replica per topic.
const swap: Cells = {
  current: [
    [2, 0],
    [0, 2],
  ],
  lo: [
    [1, 1],
    [1, 1],
  ],
  hi: [
    [1, 1],
    [1, 1],
  ],
  brokerLo: [2, 2],
  brokerHi: [2, 2],
};

test("a swap forced by pinned broker counts costs two moves, by simplex and by dual", () => {
  assert.equal(value(solveTransportLp(model(swap))), 2);
  assert.equal(Math.ceil(value(transportDualBound(model(swap), { upper: 10 })) - 1e-6), 2);
});

test("a drained broker's replicas all move, and nothing else needs to", () => {
  const m = model({
    current: [
      [3, 1, 1],
      [1, 2, 2],
    ],
    lo: [
      [0, 0, 0],
      [0, 0, 0],
    ],
    hi: [
      [0, 5, 5],
      [0, 5, 5],
    ],
    brokerLo: [0, 0, 0],
    brokerHi: [0, 10, 10],
  });
  assert.equal(value(solveTransportLp(m)), 4);
  assert.equal(Math.ceil(value(transportDualBound(m, { upper: 4 })) - 1e-6), 4);
});

test("weights price additions: bytes are the smallest partition per topic times its additions", () => {
  const m = model({ ...swap, weight: [100, 7] });
  assert.equal(value(solveTransportLp(m)), 107);
  assert.ok(value(transportDualBound(m, { upper: 1000 })) <= 107 + 1e-6);
});

test("a model no placement satisfies is infeasible", () => {
  const m = model({ ...swap, brokerLo: [3, 3], brokerHi: [3, 3] });
  assert.equal(solveTransportLp(m).status, "infeasible");
  const tight = model({ ...swap, hi: [[0, 0], [1, 1]] });
  assert.equal(transportDualBound(tight, { upper: 10 }).status, "infeasible");
});

test("the simplex refuses models beyond its cell limit", () => {
  const T = 30;
  const B = 20;
  const row = (x: number): number[] => Array.from({ length: B }, () => x);
  const m = model({
    current: Array.from({ length: T }, () => row(1)),
    lo: Array.from({ length: T }, () => row(0)),
    hi: Array.from({ length: T }, () => row(2)),
    brokerLo: row(0),
    brokerHi: row(100),
  });
  assert.equal(solveTransportLp(m).status, "too-large");
});

/** A random model with a known feasible final placement, and that placement's cost. */
const feasibleModelArb = fc
  .record({ T: fc.integer({ min: 1, max: 5 }), B: fc.integer({ min: 2, max: 6 }) })
  .chain(({ T, B }) =>
    fc.record({
      current: fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: B, maxLength: B }), { minLength: T, maxLength: T }),
      moves: fc.array(fc.tuple(fc.nat(T - 1), fc.nat(B - 1), fc.nat(B - 1)), { maxLength: 12 }),
      loSlack: fc.array(fc.array(fc.nat(1), { minLength: B, maxLength: B }), { minLength: T, maxLength: T }),
      hiSlack: fc.array(fc.array(fc.nat(1), { minLength: B, maxLength: B }), { minLength: T, maxLength: T }),
      bandSlack: fc.array(fc.tuple(fc.nat(1), fc.nat(1)), { minLength: B, maxLength: B }),
    }),
  )
  .map(({ current, moves, loSlack, hiSlack, bandSlack }) => {
    const final = current.map((r) => [...r]);
    for (const [t, from, to] of moves) {
      if (final[t]![from]! > 0) {
        final[t]![from]!--;
        final[t]![to]!++;
      }
    }
    const lo = final.map((r, t) => r.map((x, b) => Math.max(0, x - loSlack[t]![b]!)));
    const hi = final.map((r, t) => r.map((x, b) => x + hiSlack[t]![b]!));
    const load = current[0]!.map((_, b) => final.reduce((a, r) => a + r[b]!, 0));
    const brokerLo = load.map((x, b) => Math.max(0, x - bandSlack[b]![0]));
    const brokerHi = load.map((x, b) => x + bandSlack[b]![1]);
    const cost = final.reduce((a, r, t) => a + r.reduce((s, x, b) => s + Math.max(0, x - current[t]![b]!), 0), 0);
    return { cells: { current, lo, hi, brokerLo, brokerHi }, cost, final };
  });

test("dual ≤ LP optimum ≤ any feasible placement's cost, and the rounded dual reaches the optimum", () => {
  fc.assert(
    fc.property(feasibleModelArb, ({ cells, cost }) => {
      const m = model(cells);
      const lp = value(solveTransportLp(m));
      assert.ok(Math.abs(lp - Math.round(lp)) < 1e-6, `LP optimum ${String(lp)} is not integral`);
      assert.ok(lp <= cost + 1e-6, `LP ${String(lp)} above a feasible cost ${String(cost)}`);
      const dual = value(transportDualBound(m, { upper: cost }));
      assert.ok(dual <= lp + 1e-6, `dual ${String(dual)} above the LP optimum ${String(lp)}`);
      assert.equal(Math.max(0, Math.ceil(dual - 1e-6)), Math.round(lp), `dual ${String(dual)} short of the LP optimum ${String(lp)}`);
    }),
    { numRuns: 200, seed: 7, includeErrorInReport: true },
  );
});

/** Adds rack rows: broker b in rack `of[b]`, each topic's replicas per rack within [lo, hi] (t-major). */
function withRacks(m: TransportModel, of: number[], lo: number[], hi: number[]): TransportModel {
  const count = Math.max(...of) + 1;
  return { ...m, racks: { count, of: Int32Array.from(of), lo: Float64Array.from(lo), hi: Float64Array.from(hi) } };
}

// Brokers 0 and 1 in rack A, broker 2 in rack B. Broker 0 is drained of topic 0's two replicas. Without
// racks they go one to each other broker (2 moves); when the rack rule keeps topic 0 in rack A both go
// to broker 1, which then holds one replica too many: topic 1's must leave it for broker 2 (3 moves).
const rackBound: Cells = {
  current: [
    [2, 0, 0],
    [0, 1, 1],
  ],
  lo: [
    [0, 0, 0],
    [0, 0, 0],
  ],
  hi: [
    [0, 2, 2],
    [0, 2, 2],
  ],
  brokerLo: [0, 2, 2],
  brokerHi: [0, 2, 2],
};

test("rack rows raise the bound where a rack must keep its replicas, by simplex and by dual", () => {
  const plain = model(rackBound);
  assert.equal(value(solveTransportLp(plain)), 2);
  const racked = withRacks(plain, [0, 0, 1], [2, 0, 0, 0], [2, 0, 2, 2]);
  assert.equal(value(solveTransportLp(racked)), 3);
  assert.equal(Math.ceil(value(transportDualBound(racked, { upper: 10 })) - 1e-6), 3);
});

test("with rack rows too: dual ≤ LP optimum ≤ a feasible placement's cost, and the rounded dual reaches the optimum", () => {
  const arb = feasibleModelArb.chain(({ cells, cost, final }) => {
    const B = cells.brokerLo.length;
    const T = cells.current.length;
    return fc
      .record({
        of: fc.array(fc.nat(2), { minLength: B, maxLength: B }),
        slack: fc.array(fc.tuple(fc.nat(1), fc.nat(1)), { minLength: 3 * T, maxLength: 3 * T }),
      })
      .map(({ of, slack }) => ({ cells, cost, final, of, slack }));
  });
  fc.assert(
    fc.property(arb, ({ cells, cost, final, of, slack }) => {
      const base = model(cells);
      const B = base.brokers;
      const R = Math.max(...of) + 1;
      // The feasible placement's replicas per topic and rack, widened by the slack.
      const lo: number[] = [];
      const hi: number[] = [];
      for (let t = 0; t < base.topics; t++) {
        for (let r = 0; r < R; r++) {
          let x = 0;
          for (let b = 0; b < B; b++) if (of[b] === r) x += final[t]![b]!;
          lo.push(Math.max(0, x - slack[t * 3 + r]![0]));
          hi.push(x + slack[t * 3 + r]![1]);
        }
      }
      const m = withRacks(base, of, lo, hi);
      const lp = value(solveTransportLp(m));
      assert.ok(Math.abs(lp - Math.round(lp)) < 1e-6, `LP optimum ${String(lp)} is not integral`);
      assert.ok(lp <= cost + 1e-6, `LP ${String(lp)} above a feasible cost ${String(cost)}`);
      assert.ok(lp + 1e-6 >= value(solveTransportLp(base)), "rack rows lowered the optimum");
      const dual = value(transportDualBound(m, { upper: cost }));
      assert.ok(dual <= lp + 1e-6, `dual ${String(dual)} above the LP optimum ${String(lp)}`);
      assert.equal(Math.max(0, Math.ceil(dual - 1e-6)), Math.round(lp), `dual ${String(dual)} short of the LP optimum ${String(lp)}`);
    }),
    { numRuns: 200, seed: 7, includeErrorInReport: true },
  );
});

test("brokers by price: from any earlier order, the order of a sort by price, ties by broker", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 40 }).chain((prices) =>
        fc.tuple(fc.constant(prices), fc.shuffledSubarray(prices.map((_, b) => b), { minLength: prices.length, maxLength: prices.length })),
      ),
      ([prices, earlier]) => {
        // Few distinct prices (and -0 beside 0), so ties are common.
        const lambda = Float64Array.from(prices, (x) => (x === 0 && prices.length % 2 === 0 ? -0 : x / 2));
        const order = Int32Array.from(earlier);
        byPrice(order, lambda);
        const sorted = Int32Array.from(prices.map((_, b) => b)).sort((p, q) => lambda[p]! - lambda[q]! || p - q);
        assert.deepEqual(order, sorted);
      },
    ),
    { seed: 17, numRuns: 300 },
  );
});
