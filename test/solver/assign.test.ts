/**
 * `assign`: placement of partitions that do not exist yet. Unit tests on the fixtures; properties:
 * rack-valid, deterministic, and balanced (on an empty cluster with even racks, replica and leader
 * counts differ by at most one).
 */
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isBallastError } from "../../src/model/errors.js";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Cluster, Partition } from "../../src/model/types.js";
import { assign, mirrorRequest } from "../../src/solver/index.js";
import { clusterArb } from "../support/arbitraries.js";
import { loadFixture } from "../support/fixtures.js";
import { eligibleIds, spreadViolations } from "../support/invariants.js";

const RUNS = { numRuns: 80, seed: 11, includeErrorInReport: true } as const;

/** The cluster with the assignment's partitions created (sizes taken as 0). */
function created(cluster: Cluster, entries: ReturnType<typeof assign>["reassignment"]["partitions"]): Cluster {
  const byTopic = new Map<string, Partition[]>();
  for (const e of entries) {
    const list = byTopic.get(e.topic) ?? [];
    list.push({ topic: e.topic, partition: e.partition, replicas: e.replicas, leader: e.replicas[0]!, size: 0, bytesIn: 0, bytesOut: 0 });
    byTopic.set(e.topic, list);
  }
  const topics = cluster.topics.map((t) => ({ ...t, partitions: [...t.partitions, ...(byTopic.get(t.name) ?? [])] }));
  for (const [name, partitions] of byTopic) if (!cluster.topics.some((t) => t.name === name)) topics.push({ name, partitions });
  return { ...cluster, topics };
}

function counts(entries: readonly { replicas: readonly number[] }[], ids: readonly number[]): { replicas: number[]; leaders: number[] } {
  const r = new Map(ids.map((id) => [id, 0]));
  const l = new Map(ids.map((id) => [id, 0]));
  for (const e of entries) {
    for (const b of e.replicas) r.set(b, (r.get(b) ?? 0) + 1);
    l.set(e.replicas[0]!, (l.get(e.replicas[0]!) ?? 0) + 1);
  }
  return { replicas: [...r.values()], leaders: [...l.values()] };
}

const spread = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs);

describe("assign", () => {
  it("places a new topic on the least loaded brokers, one replica per rack, leaders spread", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const result = assign(cluster, { topics: [{ name: "payments", partitions: 3, replicationFactor: 3 }] });
    // Brokers 7, 8 and 9 are empty (one per rack): the three partitions go there, each led by another.
    assert.deepEqual(
      result.reassignment.partitions.map((e) => e.replicas),
      [
        [7, 8, 9],
        [8, 7, 9],
        [9, 7, 8],
      ],
    );
    assert.deepEqual(result.topics, [{ topic: "payments", created: true, partitions: 3, replicaAssignment: "7:8:9,8:7:9,9:7:8" }]);
  });

  it("grows a topic: the replica-assignment string lists the existing partitions first", () => {
    const cluster = loadFixture("demo.yaml");
    const payments = cluster.topics.find((t) => t.name === "payments")!;
    const have = payments.partitions.length;
    const result = assign(cluster, { addPartitions: [{ topic: "payments", partitions: have + 2 }] });
    assert.deepEqual(result.reassignment.partitions.map((e) => e.partition), [have, have + 1]);
    const parts = result.topics[0]!.replicaAssignment.split(",");
    assert.equal(parts.length, have + 2);
    const existing = [...payments.partitions].sort((a, b) => a.partition - b.partition).map((p) => p.replicas.join(":"));
    assert.deepEqual(parts.slice(0, have), existing);
    assert.equal(result.topics[0]!.created, false);
    assert.deepEqual(spreadViolations(created(cluster, result.reassignment.partitions), eligibleIds(cluster)).filter((v) => /payments-(1[0-9])/.test(v)), []);
  });

  it("lays out another cluster's topics on a standby with its own replication factor", () => {
    const standby = loadFixture("assign/standby.yaml");
    const primary = loadFixture("demo.yaml");
    const result = assign(standby, mirrorRequest(primary, standby, 2));
    const total = primary.topics.reduce((n, t) => n + t.partitions.length, 0);
    assert.equal(result.reassignment.partitions.length, total);
    assert.ok(result.reassignment.partitions.every((e) => e.replicas.length === 2 && e.replicas.every((b) => b >= 11 && b <= 16)));
    const c = counts(result.reassignment.partitions, [11, 12, 13, 14, 15, 16]);
    assert.ok(spread(c.replicas) <= 1, `replicas ${c.replicas.join(",")}`);
    assert.ok(spread(c.leaders) <= 1, `leaders ${c.leaders.join(",")}`);
    assert.deepEqual(spreadViolations(created(standby, result.reassignment.partitions), eligibleIds(standby)), []);
  });

  it("refuses requests that cannot be met, naming the place", () => {
    const cluster = loadFixture("new-brokers.yaml");
    const usage = (fn: () => unknown, message: RegExp, path: string): void =>
      assert.throws(fn, (e: unknown) => isBallastError(e) && e.code === "USAGE" && message.test(e.message) && e.place.path === path);
    usage(() => assign(cluster, { topics: [{ name: "orders", partitions: 1, replicationFactor: 1 }] }), /already exists/, "topics[0]");
    usage(() => assign(cluster, { topics: [{ name: "x", partitions: 1, replicationFactor: 10 }] }), /needs 10 eligible brokers but only 9/, "topics[x]");
    usage(() => assign(cluster, { topics: [{ name: "x", partitions: 0, replicationFactor: 1 }] }), /at least 1 partition/, "topics[0]");
    usage(() => assign(cluster, { addPartitions: [{ topic: "nope", partitions: 3 }] }), /not in the cluster/, "addPartitions[0]");
    usage(() => assign(cluster, { addPartitions: [{ topic: "orders", partitions: 12 }] }), /must be larger/, "addPartitions[0]");
    usage(() => assign(cluster, { topics: [{ name: "x", partitions: 1, replicationFactor: 1 }], excludeBrokers: [77] }), /broker 77/, "excludeBrokers");
    usage(() => assign(cluster, {}), /nothing to assign/, "topics");
  });

  test("property: placements are rack-valid, on eligible brokers, and deterministic", () => {
    const arb = clusterArb.chain((c) =>
      fc.record({
        c: fc.constant(c),
        partitions: fc.integer({ min: 1, max: 12 }),
        rf: fc.integer({ min: 1, max: Math.max(1, Math.min(3, eligibleIds(c.cluster).size)) }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, partitions, rf }) => {
        const request = { topics: [{ name: "new-topic", partitions, replicationFactor: rf }] };
        const result = assign(c.cluster, request);
        const eligible = eligibleIds(c.cluster);
        for (const e of result.reassignment.partitions) {
          assert.equal(e.replicas.length, rf);
          assert.equal(new Set(e.replicas).size, rf);
          for (const b of e.replicas) assert.ok(eligible.has(b), `replica on ineligible broker ${String(b)}`);
        }
        const after = created(c.cluster, result.reassignment.partitions);
        assert.deepEqual(spreadViolations(after, eligible).filter((v) => v.startsWith("new-topic")), []);
        assert.deepEqual(assign(c.cluster, request), result);
      }),
      RUNS,
    );
  });

  test("property: on an empty cluster with even racks, replica and leader counts differ by at most one", () => {
    const arb = fc.record({
      racks: fc.integer({ min: 0, max: 4 }),
      perRack: fc.integer({ min: 1, max: 3 }),
      partitions: fc.integer({ min: 1, max: 30 }),
      rf: fc.integer({ min: 1, max: 3 }),
      topics: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ racks, perRack, partitions, rf, topics }) => {
        const brokers = racks === 0 ? 2 + perRack : racks * perRack;
        const empty: Cluster = { ...generateCluster({ brokers, racks, topics: 1, partitions: { min: 1, max: 1 }, replicationFactor: 1 }, createRng(1)), topics: [] };
        const r = Math.min(rf, racks === 0 ? brokers : racks);
        const request = { topics: Array.from({ length: topics }, (_, i) => ({ name: `t${String(i)}`, partitions, replicationFactor: r })) };
        const result = assign(empty, request);
        const c = counts(result.reassignment.partitions, empty.brokers.map((b) => b.id));
        assert.ok(spread(c.replicas) <= 1, `replicas ${c.replicas.join(",")}`);
        assert.ok(spread(c.leaders) <= 1, `leaders ${c.leaders.join(",")}`);
      }),
      RUNS,
    );
  });
});
