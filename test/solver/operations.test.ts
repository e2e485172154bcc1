/**
 * Broker and topic operations of `plan`: --to-brokers, --replace, --demote-brokers and replication
 * factor changes. Unit tests on the fixtures, properties on generated clusters.
 */
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isBallastError } from "../../src/model/errors.js";
import type { Broker, Cluster } from "../../src/model/types.js";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { assess, plan } from "../../src/solver/index.js";
import type { PlanOptions } from "../../src/solver/types.js";
import { aliveIds, clusterArb, excludeArb, largestRf, type ClusterCase } from "../support/arbitraries.js";
import { broker, topic } from "../support/build.js";
import { loadFixture } from "../support/fixtures.js";
import { eligibleIds, partitionsByKey, planned, replicaCounts, spreadViolations, validPlan } from "../support/invariants.js";
import { Precondition } from "../support/precondition.js";

const RUNS = { numRuns: 80, seed: 7, includeErrorInReport: true } as const;
const key = (topic: string, partition: number): string => `${topic}\u0000${String(partition)}`;

function throwsUsage(fn: () => unknown, message: RegExp, path?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isBallastError(e), `expected a BallastError, got ${String(e)}`);
    assert.equal(e.code, "USAGE");
    assert.match(e.message, message);
    if (path !== undefined) assert.equal(e.place.path, path);
    return true;
  });
}

/** Brokers each partition gained, per partition key. */
function gained(before: Cluster, after: Cluster): Map<string, number[]> {
  const old = partitionsByKey(before);
  const out = new Map<string, number[]>();
  for (const t of after.topics) {
    for (const p of t.partitions) {
      const was = old.get(key(t.name, p.partition))!;
      const added = p.replicas.filter((b) => !was.replicas.includes(b));
      if (added.length > 0) out.set(key(t.name, p.partition), added);
    }
  }
  return out;
}

describe("--to-brokers", () => {
  it("moves replicas only onto the listed brokers and balances as far as they allow", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const p = validPlan(cluster, plan(cluster, { toBrokers: [7, 8] }));
    const dest = new Set([...gained(cluster, p.after).values()].flat());
    assert.deepEqual([...dest].sort(), [7, 8]);
    const counts = replicaCounts(p.after);
    assert.equal(counts.get(9) ?? 0, 0, "broker 9 may not receive");
    // Rack rule: rack a (1, 2, 7) and rack b (3, 4, 8) share their 36 replicas; rack c stays on 5 and 6.
    for (const id of [1, 2, 3, 4, 7, 8]) assert.equal(counts.get(id), 12, `broker ${String(id)}`);
    const count = p.balanceAfter.goals.find((g) => g.goal === "replica-count");
    assert.ok(count?.satisfied, `replica-count reports the reachable targets: ${count?.detail ?? ""}`);
    for (const goal of ["disk", "topic-spread"] as const) {
      const status = p.balanceAfter.goals.find((g) => g.goal === goal);
      assert.ok(status?.satisfied, `${goal} reports the reachable targets: ${status?.detail ?? ""}`);
    }
    assert.equal(spreadViolations(p.after, eligibleIds(cluster)).length, 0);
  });

  it("says when replicas on a dead broker have no listed broker to go to", () => {
    const cluster = loadFixture("dead-broker.yaml");
    // Broker 2 already holds a replica of some of broker 5's partitions: those cannot move to it.
    const p = planned(plan(cluster, { toBrokers: [2] }));
    const left = replicaCounts(p.after).get(5) ?? 0;
    assert.ok(left > 0, "some replicas stay on the dead broker");
    assert.equal(p.notes.length, 2, p.notes.join("\n"));
    assert.match(p.notes[0]!, /^rack-spread: 12 partition\(s\) .* rack us-east-1b has no broker of --to-brokers; .* add broker\(s\) 4 to --to-brokers/);
    assert.equal(p.notes[1], `${String(left)} replica(s) stay on dead or excluded brokers: no broker of --to-brokers can take them without breaking the rack rule or holding the partition twice`);
    // The suggested fix: with broker 4 listed too, every replica finds a place within the rule.
    assert.deepEqual(planned(plan(cluster, { toBrokers: [2, 4] })).notes, []);
    assert.equal(planned(plan(cluster, { toBrokers: [1, 2, 3, 4, 6, 7, 8, 9] })).notes.length, 0);
  });

  it("refuses unknown, dead, excluded or no brokers", () => {
    const cluster = loadFixture("dead-broker.yaml");
    throwsUsage(() => plan(cluster, { toBrokers: [42] }), /broker 42 is not in the cluster/, "toBrokers");
    throwsUsage(() => plan(cluster, { toBrokers: [5] }), /broker 5 cannot receive replicas: it is dead/);
    throwsUsage(() => plan(cluster, { toBrokers: [4], excludeBrokers: [4] }), /it is excluded/);
    throwsUsage(() => plan(cluster, { toBrokers: [] }), /lists no brokers/);
  });

  test("property: no replica goes to a broker outside the list; plans are valid, deterministic and above the bound", () => {
    const arb = clusterArb.chain((c) => {
      const alive = aliveIds(c.cluster);
      return fc.record({
        c: fc.constant(c),
        excludeBrokers: excludeArb(c.cluster, largestRf(c.cluster)),
        to: fc.subarray(alive, { minLength: 1 }),
      });
    });
    const receivable: Precondition = new Precondition("plans onto at least one listed broker");
    fc.assert(
      fc.property(arb, ({ c, excludeBrokers, to }) => {
        const toBrokers = to.filter((id) => !excludeBrokers.includes(id));
        const options: PlanOptions = { toBrokers, ...(excludeBrokers.length > 0 ? { excludeBrokers } : {}) };
        const outcome = toBrokers.length > 0 ? plan(c.cluster, options) : undefined;
        receivable.pre(outcome?.status === "planned");
        const p = planned(outcome);
        for (const [k, added] of gained(c.cluster, p.after)) {
          for (const b of added) assert.ok(toBrokers.includes(b), `${k} gained broker ${String(b)}, not in [${toBrokers.join(",")}]`);
        }
        assert.ok(p.moves >= p.lowerBound.moves, `moves ${String(p.moves)} < bound ${String(p.lowerBound.moves)}`);
        assert.deepEqual(planned(plan(c.cluster, options)).reassignment, p.reassignment, "same input, same plan");
      }),
      RUNS,
    );
    receivable.atLeast(RUNS.numRuns, 0.8);
  });
});

test("--to-brokers targets are a fixed point: the plan's result has the same replica-count bands, and re-planning it rarely moves", () => {
  // A broker that may not receive is capped at the largest ideal its holding reaches, not at the
  // holding itself, so where a plan leaves it inside its band does not shift the receivers' targets.
  const seeds = 30;
  let moved = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const fresh = 1 + (seed % 3);
    const cluster = generateCluster(
      { brokers: 9 + (seed % 6), newBrokers: fresh, topics: 6, partitions: { min: 4, max: 20 }, replicationFactor: 3, placement: "balanced" },
      createRng(seed),
    );
    const toBrokers = cluster.brokers.slice(-fresh).map((b) => b.id);
    const p = validPlan(cluster, plan(cluster, { toBrokers }), { toBrokers });
    const bands = (c: Cluster): string[] => assess(c, { toBrokers }).brokers.map((b) => `${String(b.id)}:${String(b.targetReplicas.min)}-${String(b.targetReplicas.max)}`);
    assert.deepEqual(bands(p.after), bands(cluster), `seed ${String(seed)}`);
    if (planned(plan(p.after, { toBrokers })).moves > 0) moved++;
  }
  // Measured: 1 of 30 re-plans moves one replica (a topic-spread swap the first pass did not find);
  // with caps at the holding, 7 of 30 moved.
  assert.ok(moved <= 2, `${String(moved)} of ${String(seeds)} re-plans moved replicas`);
});

/** The cluster with every replica on `from` relabelled `to`. */
function relabel(cluster: Cluster, from: number, to: number): Cluster["topics"] {
  return cluster.topics.map((t) => ({
    ...t,
    partitions: t.partitions.map((p) => {
      if (!p.replicas.includes(from)) return p;
      const replicas = p.replicas.map((r) => (r === from ? to : r));
      return { ...p, replicas, leader: replicas[0]! };
    }),
  }));
}

/** The cluster plus a new, empty broker next to `like` (same rack and host). */
function withNewBroker(cluster: Cluster, like: Broker, id: number): Cluster {
  const b: Broker = { ...like, id, status: "alive" };
  return { ...cluster, brokers: [...cluster.brokers, b] };
}

describe("--replace", () => {
  it("gives the new broker exactly the old one's replicas, slot for slot", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const p = planned(plan(cluster, { replace: [{ from: 1, to: 7 }] }));
    assert.deepEqual(p.after.topics, relabel(cluster, 1, 7));
    assert.equal(p.moves, 18);
    assert.equal(p.lowerBound.moves, 18, "draining broker 1 needs its 18 replicas moved");
    assert.equal(p.leaderChanges, 6, "broker 1 led 6 partitions; broker 7 leads them now");
  });

  it("refuses a replacement that is not an empty, alive broker, or one combined with other changes", () => {
    const cluster = loadFixture("dead-broker.yaml");
    throwsUsage(() => plan(cluster, { replace: [{ from: 5, to: 4 }] }), /already holds \d+ replica\(s\)/, "replace");
    throwsUsage(() => plan(cluster, { replace: [{ from: 5, to: 99 }] }), /broker 99 is not in the cluster/);
    throwsUsage(() => plan(cluster, { replace: [{ from: 4, to: 4 }] }), /cannot replace itself/);
    const fresh = withNewBroker(cluster, cluster.brokers[0]!, 20);
    throwsUsage(() => plan(fresh, { replace: [{ from: 5, to: 20 }, { from: 4, to: 20 }] }), /more than one replacement/);
    throwsUsage(() => plan(fresh, { replace: [{ from: 5, to: 20 }], maxMoves: 3 }), /cannot be combined with movement budgets/);
    throwsUsage(() => plan(fresh, { replace: [{ from: 5, to: 20 }], demoteBrokers: [1] }), /cannot be combined with --demote-brokers/);
    // Replacing the dead broker 5 by a new one is the usual case.
    const p = planned(plan(fresh, { replace: [{ from: 5, to: 20 }] }));
    assert.deepEqual(p.after.topics, relabel(cluster, 5, 20));
  });

  test("property: the result is the relabelling, and only the replaced broker's partitions change", () => {
    const arb = clusterArb.chain((c) => fc.record({ c: fc.constant(c), pick: fc.nat() }));
    const holding: Precondition = new Precondition("clusters with a broker holding replicas");
    fc.assert(
      fc.property(arb, ({ c, pick }: { c: ClusterCase; pick: number }) => {
        const holders = [...replicaCounts(c.cluster)].filter(([, n]) => n > 0).map(([id]) => id);
        holding.pre(holders.length > 0);
        const from = holders[pick % holders.length]!;
        const like = c.cluster.brokers.find((b) => b.id === from)!;
        const to = Math.max(...c.cluster.brokers.map((b) => b.id)) + 1;
        const cluster = withNewBroker(c.cluster, like, to);
        const p = planned(plan(cluster, { replace: [{ from, to }] }));
        assert.deepEqual(p.after.topics, relabel(cluster, from, to));
        assert.equal(p.moves, replicaCounts(c.cluster).get(from));
        assert.ok(p.moves >= p.lowerBound.moves);
      }),
      RUNS,
    );
    holding.atLeast(RUNS.numRuns, 0.8);
  });
});

describe("--demote-brokers", () => {
  it("moves preferred leadership off the demoted brokers without moving data", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const p = planned(plan(cluster, { demoteBrokers: [1, 3] }));
    assert.equal(p.moves, 0);
    assert.equal(p.bytesMoved, 0);
    for (const t of p.after.topics) for (const q of t.partitions) assert.ok(![1, 3].includes(q.replicas[0]!), `${t.name}-${String(q.partition)} still led by ${String(q.replicas[0])}`);
    assert.equal(p.leaderChanges, 12, "brokers 1 and 3 led 6 partitions each");
    assert.deepEqual(p.notes, []);
    // The demoted replicas go last in the lists that changed.
    for (const e of p.reassignment.partitions) {
      const demotedAt = e.replicas.map((r, i) => ([1, 3].includes(r) ? i : -1)).filter((i) => i >= 0);
      const rest = e.replicas.length - demotedAt.length;
      assert.deepEqual(demotedAt, demotedAt.map((_, i) => rest + i), `${e.topic}-${String(e.partition)}: [${e.replicas.join(",")}]`);
    }
  });

  it("says which partitions only demoted brokers hold, and leaves them", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const p = planned(plan(cluster, { demoteBrokers: [1, 3, 5] }));
    assert.equal(p.moves, 0);
    const stuck = p.notes.filter((n) => /every available replica is on a demoted broker/.test(n));
    assert.ok(stuck.length > 0, "partitions on [1, 3, 5] are named");
    assert.ok(p.notes.some((n) => n.startsWith("orders-0:")), p.notes.join("\n"));
  });

  test("property: demotion moves no data and leaves no demoted leader that another replica could replace", () => {
    const arb = clusterArb.chain((c) => fc.record({ c: fc.constant(c), demote: fc.subarray(aliveIds(c.cluster), { minLength: 1 }) }));
    fc.assert(
      fc.property(arb, ({ c, demote }) => {
        const p = planned(plan(c.cluster, { demoteBrokers: demote }));
        assert.equal(p.moves, 0);
        assert.equal(p.bytesMoved, 0);
        const alive = eligibleIds(c.cluster);
        const old = partitionsByKey(c.cluster);
        for (const t of p.after.topics) {
          for (const q of t.partitions) {
            const was = old.get(key(t.name, q.partition))!;
            assert.deepEqual([...q.replicas].sort(), [...was.replicas].sort(), "same replica set");
            if (demote.includes(q.replicas[0]!)) {
              assert.ok(q.replicas.every((r) => demote.includes(r) || !alive.has(r)), `${t.name}-${String(q.partition)} keeps a demoted leader`);
            }
          }
        }
      }),
      RUNS,
    );
  });
});

describe("replication factor changes", () => {
  it("adds replicas rack-aware to the least loaded brokers and removes them from the most loaded, keeping leaders", () => {
    const cluster = loadFixture("balanced.yaml");
    const before = partitionsByKey(cluster);
    const topic = cluster.topics[0]!.name;
    const p = planned(plan(cluster, { replicationFactor: [{ topics: topic, replicationFactor: 2 }], goals: ["rack-spread"] }));
    for (const q of p.after.topics.find((t) => t.name === topic)!.partitions) {
      const was = before.get(key(topic, q.partition))!;
      assert.equal(q.replicas.length, 2);
      assert.equal(q.replicas[0], was.replicas[0], "leader kept");
      assert.ok(q.replicas.every((r) => was.replicas.includes(r)), "a subset of the old replicas");
    }
    assert.equal(p.moves, 0, "removing replicas copies nothing");
    const counts = [...replicaCounts(p.after).values()];
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `removals even out: ${counts.join(",")}`);
  });

  it("counts added replicas as moves and reaches the goals with the new factor", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const p = planned(plan(cluster, { replicationFactor: [{ topics: "inv.*", replicationFactor: 4 }] }));
    const inv = p.after.topics.find((t) => t.name === "inventory")!;
    assert.ok(inv.partitions.every((q) => q.replicas.length === 4));
    assert.ok(p.moves >= inv.partitions.length, "one copy per added replica at least");
    assert.ok(p.moves >= p.lowerBound.moves);
    assert.equal(spreadViolations(p.after, eligibleIds(cluster)).length, 0);
    assert.ok(p.balanceAfter.goals.find((g) => g.goal === "replica-count")?.satisfied, "targets follow the new factor");
    for (const e of p.reassignment.partitions) {
      const was = partitionsByKey(cluster).get(key(e.topic, e.partition))!;
      const origin = p.reassignment.madeFrom?.find((m) => m.topic === e.topic && m.partition === e.partition);
      assert.deepEqual(origin?.replicas, was.replicas, "madeFrom is the cluster as it is");
    }
  });

  it("bounds the moves by what empty brokers must gain, not only by the replicas added", () => {
    // Topics a and b: 6 partitions each at RF 2 on brokers 1–3 (8 replicas each); 4 and 5 are empty.
    // Raising a to RF 3 adds 6 replicas; 30 replicas on 5 brokers is 6 each, so 4 and 5 must gain
    // 6 each: 12 moves at least.
    const lists = [[1, 2], [2, 3], [3, 1], [1, 2], [2, 3], [3, 1]];
    const cluster: Cluster = { version: 1, brokers: [1, 2, 3, 4, 5].map((id) => broker(id)), topics: [topic("a", lists), topic("b", lists)] };
    const p = planned(plan(cluster, { replicationFactor: [{ topics: "a", replicationFactor: 3 }] }));
    assert.equal(p.lowerBound.moves, 12);
    assert.ok(p.moves >= 12, `moves ${String(p.moves)}`);
    assert.deepEqual([...replicaCounts(p.after).values()], [6, 6, 6, 6, 6]);
  });

  it("refuses patterns that match nothing, factors above the eligible brokers, and excluded topics", () => {
    const cluster = loadFixture("new-brokers.yaml");
    throwsUsage(() => plan(cluster, { replicationFactor: [{ topics: "nope", replicationFactor: 2 }] }), /matches no topic/, "replicationFactor[0]");
    throwsUsage(() => plan(cluster, { replicationFactor: [{ topics: "orders", replicationFactor: 10 }] }), /needs 10 eligible brokers but only 9/);
    throwsUsage(() => plan(cluster, { replicationFactor: [{ topics: "orders", replicationFactor: 9 }], excludeBrokers: [9] }), /only 8/);
    throwsUsage(
      () => plan(cluster, { replicationFactor: [{ topics: "orders", replicationFactor: 2 }, { topics: "ord.*", replicationFactor: 4 }] }),
      /matched by 'orders' and 'ord\.\*'/,
    );
    throwsUsage(() => plan(cluster, { replicationFactor: [{ topics: "orders", replicationFactor: 2 }], excludeTopics: ["orders"] }), /excluded from moves/);
    const budget = plan(cluster, { replicationFactor: [{ topics: "orders", replicationFactor: 4 }], maxMoves: 3 });
    assert.equal(budget.status, "infeasible");
  });

  test("property: every matched partition gets the new factor, valid and rack-aware, within the budget", () => {
    const arb = clusterArb.chain((c) =>
      fc.record({
        c: fc.constant(c),
        topic: fc.integer({ min: 0, max: c.cluster.topics.length - 1 }),
        rf: fc.integer({ min: 1, max: Math.max(1, Math.min(4, eligibleIds(c.cluster).size)) }),
      }),
    );
    const changeable: Precondition = new Precondition("changes with a plan");
    fc.assert(
      fc.property(arb, ({ c, topic, rf }) => {
        const name = c.cluster.topics[topic]!.name;
        const outcome = plan(c.cluster, { replicationFactor: [{ topics: name, replicationFactor: rf }] });
        changeable.pre(outcome.status === "planned");
        const p = planned(outcome);
        const eligible = eligibleIds(c.cluster);
        for (const t of p.after.topics) {
          for (const q of t.partitions) {
            if (t.name === name) assert.equal(q.replicas.length, rf);
            assert.equal(new Set(q.replicas).size, q.replicas.length);
          }
        }
        if (!p.budgetLimited) {
          assert.deepEqual(spreadViolations(p.after, eligible), []);
          assert.deepEqual([...replicaCounts(p.after)].filter(([id, n]) => n > 0 && !eligible.has(id)), []);
        }
        assert.ok(p.moves >= p.lowerBound.moves);
        const again = planned(plan(c.cluster, { replicationFactor: [{ topics: name, replicationFactor: rf }] }));
        assert.deepEqual(again.reassignment, p.reassignment, "deterministic");
      }),
      RUNS,
    );
    changeable.atLeast(RUNS.numRuns, 0.8);
  });
});
