/**
 * Plans every snapshot in fixtures/ and checks the shared invariants plus the expectation written next
 * to each file name below (what fixtures/README.md says a planner should do with it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GoalName } from "../../src/model/config.js";
import type { Cluster, Partition } from "../../src/model/types.js";
import { assess, plan } from "../../src/solver/index.js";
import type { PlanOptions } from "../../src/solver/types.js";
import { loadFixture, snapshotFixtures } from "../support/fixtures.js";
import {
  assertIdempotent,
  eligibleIds,
  hostKey,
  leaderCounts,
  partitionsByKey,
  planned,
  rackKey,
  replicaCounts,
  spreadViolations,
  validPlan,
  type Planned,
} from "../support/invariants.js";

interface Expectation {
  /** What the plan must do, in words (the test name). */
  readonly says: string;
  readonly options?: PlanOptions;
  readonly check: (before: Cluster, p: Planned) => void;
  /** Set while the solver does not meet the expectation yet. */
  readonly todo?: string;
}

function countsOf(p: Planned, ids: readonly number[]): number[] {
  const counts = replicaCounts(p.after);
  return ids.map((id) => counts.get(id) ?? 0);
}

function partitionsOf(c: Cluster, topic?: string): Partition[] {
  return c.topics.filter((t) => topic === undefined || t.name === topic).flatMap((t) => [...t.partitions]);
}

/** Replicas of the partition per rack, largest first. */
function rackShape(c: Cluster, p: Partition): number[] {
  const rackOf = new Map(c.brokers.map((b) => [b.id, rackKey(b)]));
  const per = new Map<string, number>();
  for (const id of p.replicas) per.set(rackOf.get(id) ?? "?", (per.get(rackOf.get(id) ?? "?") ?? 0) + 1);
  return [...per.values()].sort((a, b) => b - a);
}

const WITHOUT_DISK: readonly GoalName[] = ["rack-spread", "replica-count", "topic-spread", "leader"];
/** Without the network goals: leader counts then come straight after the placement goals. */
const WITHOUT_NETWORK: readonly GoalName[] = ["rack-spread", "capacity", "replica-count", "disk", "topic-spread", "leader"];

function satisfied(p: Planned, goals: readonly string[]): void {
  for (const g of p.balanceAfter.goals) if (goals.includes(g.goal)) assert.ok(g.satisfied, `${g.goal}: ${g.detail}`);
}

const EXPECTATIONS: Readonly<Record<string, readonly Expectation[]>> = {
  "balanced.yaml": [
    {
      says: "meets every goal already, so the plan is empty",
      check: (before, p) => {
        assert.ok(assess(before).goals.every((g) => g.satisfied));
        assert.deepEqual(p.reassignment.partitions, []);
        assert.equal(p.moves, 0);
        assert.equal(p.leaderChanges, 0);
        assert.equal(p.lowerBound.moves, 0);
      },
    },
  ],
  "dead-broker.yaml": [
    {
      says: "dead broker 5 ends empty; its rack-mates 4 and 6 take its 12 replicas (18 each), other brokers keep 12",
      check: (_, p) => {
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6, 7, 8, 9]), [12, 12, 12, 18, 0, 18, 12, 12, 12]);
        assert.ok(p.moves >= 12);
      },
    },
    {
      says: "without the disk goal, exactly the 12 replicas of broker 5 move, onto 4 and 6",
      options: { goals: WITHOUT_DISK },
      check: (before, p) => {
        assert.equal(p.moves, 12);
        assert.equal(p.lowerBound.moves, 12);
        const was = partitionsByKey(before);
        for (const e of p.reassignment.partitions) {
          const old = was.get(`${e.topic}\u0000${String(e.partition)}`)!;
          const added = e.replicas.filter((b) => !old.replicas.includes(b));
          const removed = old.replicas.filter((b) => !e.replicas.includes(b));
          assert.deepEqual(removed, added.length === 0 ? [] : [5], `${e.topic}-${String(e.partition)}`);
          for (const b of added) assert.ok(b === 4 || b === 6, `${e.topic}-${String(e.partition)} moved to ${String(b)}`);
        }
      },
    },
  ],
  "demo.yaml": [
    {
      says: "payments-5 spans 3 racks and every broker ends with 20 replicas",
      check: (_, p) => {
        const payments5 = partitionsOf(p.after, "payments").find((q) => q.partition === 5)!;
        assert.deepEqual(rackShape(p.after, payments5), [1, 1, 1]);
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6]), [20, 20, 20, 20, 20, 20]);
        assert.ok(p.balanceAfter.goals.every((g) => g.satisfied), JSON.stringify(p.balanceAfter.goals));
      },
    },
  ],
  "new-brokers.yaml": [
    {
      says: "with the default goals the new brokers get 12 replicas each, within capacity, disk and network in, and 4 preferred leaders each",
      check: (_, p) => {
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6, 7, 8, 9]), Array<number>(9).fill(12));
        satisfied(p, ["capacity", "disk", "network-in", "leader"]);
      },
    },
    {
      says: "without the network goals, new brokers 7, 8, 9 get their share: 12 replicas and 4 preferred leaders each, like every broker",
      options: { goals: WITHOUT_NETWORK },
      check: (_, p) => {
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6, 7, 8, 9]), Array<number>(9).fill(12));
        const leaders = leaderCounts(p.after);
        assert.deepEqual([7, 8, 9].map((id) => leaders.get(id)), [4, 4, 4]);
        for (const q of partitionsOf(p.after)) assert.deepEqual(rackShape(p.after, q), [1, 1, 1]);
        assert.equal(p.moves, 36);
      },
    },
  ],
  "no-racks.yaml": [
    {
      says: "each broker is its own failure domain; replica counts even out to 12–13, broker 5 gaining",
      check: (before, p) => {
        for (const n of countsOf(p, [1, 2, 3, 4, 5])) assert.ok(n === 12 || n === 13, `count ${String(n)}`);
        assert.ok((replicaCounts(p.after).get(5) ?? 0) > (replicaCounts(before).get(5) ?? 0));
      },
    },
  ],
  "rf-above-racks.yaml": [
    {
      says: "RF 3 spreads 2 + 1 over the 2 zones, RF 5 spreads 3 + 2",
      check: (_, p) => {
        for (const q of partitionsOf(p.after, "orders")) assert.deepEqual(rackShape(p.after, q), [2, 1], `orders-${String(q.partition)}`);
        for (const q of partitionsOf(p.after, "ledger")) assert.deepEqual(rackShape(p.after, q), [3, 2], `ledger-${String(q.partition)}`);
      },
    },
  ],
  "shared-hosts.yaml": [
    {
      says: "no partition keeps two replicas on one host; orders-2, orders-9, sessions-3, sessions-6 change",
      check: (_, p) => {
        const hostOf = new Map(p.after.brokers.map((b) => [b.id, hostKey(b)]));
        for (const q of partitionsOf(p.after)) {
          assert.equal(new Set(q.replicas.map((id) => hostOf.get(id))).size, q.replicas.length, `${q.topic}-${String(q.partition)}`);
        }
        const changed = new Set(p.reassignment.partitions.map((e) => `${e.topic}-${String(e.partition)}`));
        for (const name of ["orders-2", "orders-9", "sessions-3", "sessions-6"]) assert.ok(changed.has(name), name);
      },
    },
    {
      says: "each host is a failure domain and every broker keeps its share: 72 replicas over 8 brokers, 9 each",
      options: { goals: WITHOUT_NETWORK },
      check: (_, p) => {
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6, 7, 8]), Array<number>(8).fill(9));
        assert.ok(p.balanceAfter.goals.every((g) => g.satisfied), JSON.stringify(p.balanceAfter.goals));
      },
    },
  ],
  "uneven-racks.yaml": [
    {
      says: "every partition spans the 3 racks: broker 1 holds all 28, rack-b 14 each, rack-c 7 each, all on target",
      check: (_, p) => {
        for (const q of partitionsOf(p.after)) assert.deepEqual(rackShape(p.after, q), [1, 1, 1], `${q.topic}-${String(q.partition)}`);
        assert.deepEqual(countsOf(p, [1, 2, 3, 4, 5, 6, 7]), [28, 14, 14, 7, 7, 7, 7]);
        assert.equal(p.balanceAfter.summary.replicaCount.maxDeviation, 0);
        for (const b of p.balanceAfter.brokers) {
          assert.ok(b.replicas >= b.targetReplicas.min && b.replicas <= b.targetReplicas.max, `broker ${String(b.id)}`);
        }
      },
    },
  ],
};

test("every snapshot fixture has expectations", () => {
  assert.deepEqual(snapshotFixtures(), Object.keys(EXPECTATIONS).sort());
});

for (const name of snapshotFixtures()) {
  test(`${name}: the plan is valid, deterministic, idempotent and within its lower bound`, () => {
    const cluster = loadFixture(name);
    const p = validPlan(cluster, plan(cluster));
    assert.deepEqual(spreadViolations(p.after, eligibleIds(cluster)), []);
    assert.equal(JSON.stringify(planned(plan(cluster)).reassignment), JSON.stringify(p.reassignment));
    assertIdempotent(plan(p.after));
    assert.ok(p.moves >= p.lowerBound.moves, `moves ${String(p.moves)} < bound ${String(p.lowerBound.moves)}`);
    assert.ok(p.bytesMoved >= p.lowerBound.bytesMoved * (1 - 1e-9));
  });

  for (const e of EXPECTATIONS[name] ?? []) {
    test(`${name}: ${e.says}`, e.todo === undefined ? {} : { todo: e.todo }, () => {
      const cluster = loadFixture(name);
      const options = e.options ?? {};
      e.check(cluster, validPlan(cluster, plan(cluster, options), options));
    });
  }
}
