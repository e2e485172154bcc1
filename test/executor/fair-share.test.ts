/**
 * Max-min fair sharing: exact shares on small cases, and on random instances the two properties
 * that define it — no link over its capacity, and every flow held back by a full link on which no
 * flow gets more than it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FairShareNetwork, maxMinFairRates } from "../../src/executor/fair-share.js";
import type { SharedLink } from "../../src/executor/fair-share.js";

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

test("flows on one link share it equally; a flow on no finite link is unlimited", () => {
  assert.deepEqual([...maxMinFairRates(3, [{ capacity: 90, flows: [0, 1, 2] }])], [30, 30, 30]);
  assert.deepEqual([...maxMinFairRates(2, [{ capacity: Number.POSITIVE_INFINITY, flows: [0] }])], [Infinity, Infinity]);
  assert.deepEqual([...maxMinFairRates(0, [])], []);
});

test("a flow held back elsewhere leaves the rest of a link to the others", () => {
  // Flow 0 crosses a 10 link and the shared 100 link; flows 1 and 2 get (100 − 10) / 2 each.
  const links: SharedLink[] = [
    { capacity: 10, flows: [0] },
    { capacity: 100, flows: [0, 1, 2] },
  ];
  assert.deepEqual([...maxMinFairRates(3, links)], [10, 45, 45]);
});

test("the classic chain: a flow crossing two links gets the smaller share of both", () => {
  // Links A (cap 1) with flows 0, 2 and B (cap 2) with flows 1, 2: flow 2 gets 0.5 on A, flow 1 gets 1.5.
  const rates = maxMinFairRates(3, [
    { capacity: 1, flows: [0, 2] },
    { capacity: 2, flows: [1, 2] },
  ]);
  assert.deepEqual([...rates], [0.5, 1.5, 0.5]);
});

test("a flow leaving a covered link alone re-shares the flows that link and its throttle still carry", () => {
  // Link 0 (a bandwidth of 40) carries a and b; link 1 (a throttle of 30 within it) carries a only.
  // Link 0 fills first: 20 each. Once b leaves, link 0 carries what link 1 does and a gets 30.
  const net = new FairShareNetwork();
  net.setCapacity(0, 40);
  net.setCapacity(1, 30);
  net.cover(0, 1);
  const a = net.add([1, 0]);
  const b = net.add([0]);
  net.reshare();
  assert.deepEqual([net.rate(a), net.rate(b)], [20, 20]);
  net.remove(b);
  assert.deepEqual(net.reshare(), [a]);
  assert.equal(net.rate(a), 30);
});

const instance = fc
  .record({
    flows: fc.integer({ min: 1, max: 12 }),
    links: fc.array(fc.record({ capacity: fc.integer({ min: 1, max: 1000 }), members: fc.uniqueArray(fc.nat(11), { minLength: 1, maxLength: 6 }) }), {
      minLength: 1,
      maxLength: 8,
    }),
  })
  .map(({ flows, links }) => ({
    flows,
    links: links.map((l) => ({ capacity: l.capacity, flows: l.members.filter((f) => f < flows) })),
  }));

test("property: rates fit every link, and each limited flow has a full link where it is among the largest", () => {
  fc.assert(
    fc.property(instance, ({ flows, links }) => {
      const rates = maxMinFairRates(flows, links);
      for (const link of links) {
        const used = link.flows.reduce((a, f) => a + rates[f]!, 0);
        assert.ok(used <= link.capacity * (1 + 1e-9), `link over capacity: ${String(used)} > ${String(link.capacity)}`);
      }
      for (let f = 0; f < flows; f++) {
        const mine = links.filter((l) => l.flows.includes(f));
        if (mine.length === 0) {
          assert.equal(rates[f], Number.POSITIVE_INFINITY);
          continue;
        }
        const bottleneck = mine.some((l) => {
          const used = l.flows.reduce((a, g) => a + rates[g]!, 0);
          return near(used, l.capacity) && l.flows.every((g) => rates[g]! <= rates[f]! * (1 + 1e-9));
        });
        assert.ok(bottleneck, `flow ${String(f)} at ${String(rates[f])} has no bottleneck link`);
      }
    }),
  );
});

/** Flows over links 0..7 with random capacities, then flows leaving (and joining) in a random order. */
const churn = fc.record({
  capacities: fc.array(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(Number.POSITIVE_INFINITY)), { minLength: 8, maxLength: 8 }),
  flows: fc.array(fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
  steps: fc.array(fc.record({ leave: fc.array(fc.nat(29), { maxLength: 4 }), join: fc.oneof(fc.constant(null), fc.constant(null), fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 4 })) }), {
    maxLength: 15,
  }),
});

/** Each live flow's rate (by slot) from sharing everything anew over links with these capacities. */
function sharedAnew(capacities: readonly number[], live: ReadonlyMap<number, readonly number[]>): Map<number, number> {
  const order = [...live.keys()];
  const fresh = maxMinFairRates(
    order.length,
    capacities.map((capacity, l) => ({ capacity, flows: order.flatMap((slot, i) => (live.get(slot)!.includes(l) ? [i] : [])) })),
  );
  return new Map(order.map((slot, i) => [slot, fresh[i]!]));
}

/** Every flow crossing link 1 crosses link 0 too (as a throttle within a bandwidth), so net.cover(0, 1) holds. */
const covered = (links: readonly number[]): number[] => (links.includes(1) && !links.includes(0) ? [...links, 0] : [...links]);

test("property: FairShareNetwork's rates after flows leave and join are those of sharing everything anew", () => {
  fc.assert(
    fc.property(churn, fc.boolean(), ({ capacities, flows: given, steps: givenSteps }, cover) => {
      const flows = cover ? given.map(covered) : given;
      const steps = cover ? givenSteps.map((s) => ({ ...s, join: s.join === null ? null : covered(s.join) })) : givenSteps;
      const net = new FairShareNetwork();
      capacities.forEach((c, l) => net.setCapacity(l, c));
      if (cover) net.cover(0, 1);
      const live = new Map<number, readonly number[]>();
      for (const links of flows) live.set(net.add(links), links);
      net.reshare();
      for (const step of steps) {
        const slots = [...live.keys()];
        for (const i of step.leave) {
          const slot = slots[i % Math.max(1, slots.length)];
          if (slot === undefined || !live.has(slot)) continue;
          net.remove(slot);
          live.delete(slot);
        }
        if (step.join !== null) live.set(net.add(step.join), step.join);
        const changed = new Set(net.reshare());
        sharedAnew(capacities, live).forEach((want, slot) => {
          const got = net.rate(slot);
          assert.ok(want === got || near(got, want), `slot ${String(slot)}: ${String(got)} where sharing anew gives ${String(want)}`);
        });
        for (const slot of changed) assert.ok(live.has(slot));
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

/** Bigger networks than `churn`, whose flows only leave, one or a few at a time (the simulator's common case). */
const leaving = fc.record({
  capacities: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 6, maxLength: 16 }),
  flows: fc.array(fc.uniqueArray(fc.nat(15), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 45 }),
  leave: fc.array(fc.array(fc.nat(44), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 40 }),
});

test("property: as flows leave, re-sharing near them gives the rates of sharing everything anew", () => {
  fc.assert(
    fc.property(leaving, ({ capacities, flows: given, leave }) => {
      const flows = given.map((links) => links.map((l) => l % capacities.length)).map((links) => [...new Set(links)]);
      const net = new FairShareNetwork();
      capacities.forEach((c, l) => net.setCapacity(l, c));
      const live = new Map<number, readonly number[]>();
      for (const links of flows) live.set(net.add(links), links);
      net.reshare();
      for (const step of leave) {
        const slots = [...live.keys()];
        if (slots.length === 0) break;
        for (const i of step) {
          const slot = slots[i % slots.length]!;
          if (!live.has(slot)) continue;
          net.remove(slot);
          live.delete(slot);
        }
        const before = new Map([...live.keys()].map((slot) => [slot, net.rate(slot)]));
        const changed = new Set(net.reshare());
        sharedAnew(capacities, live).forEach((want, slot) => {
          const got = net.rate(slot);
          assert.ok(near(got, want), `slot ${String(slot)}: ${String(got)} where sharing anew gives ${String(want)}`);
          // Every rate that moved is reported.
          if (!Object.is(got, before.get(slot))) assert.ok(changed.has(slot), `slot ${String(slot)} changed unreported`);
        });
      }
    }),
    { seed: 20261207, numRuns: 400 },
  );
});
