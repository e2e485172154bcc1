/** Every fixture parses, and has the shape fixtures/README.md promises. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCluster } from "../../src/model/parse.js";
import type { Cluster, Partition } from "../../src/model/types.js";
import { fixtureNames, readFixture, throwsBallast, type ExpectedError } from "./helpers.js";

const load = (name: string): Cluster => parseCluster(readFixture(name), { format: "yaml", source: name });

const partitionsOf = (c: Cluster): Partition[] => c.topics.flatMap((t) => t.partitions);

/** Replica count, preferred-leader count and bytes on disk per broker id. */
function perBroker(c: Cluster): Map<number, { replicas: number; leaders: number; disk: number }> {
  const m = new Map(c.brokers.map((b) => [b.id, { replicas: 0, leaders: 0, disk: 0 }]));
  for (const p of partitionsOf(c)) {
    p.replicas.forEach((id, i) => {
      const s = m.get(id)!;
      s.replicas++;
      s.disk += p.size;
      if (i === 0) s.leaders++;
    });
  }
  return m;
}

/** The failure domains (racks, else hosts) a partition spans. */
function domains(c: Cluster, p: Partition, key: "rack" | "host"): number {
  const of = new Map(c.brokers.map((b) => [b.id, b[key]]));
  return new Set(p.replicas.map((id) => of.get(id))).size;
}

const column = (m: ReturnType<typeof perBroker>, k: "replicas" | "leaders" | "disk"): number[] => [...m.values()].map((s) => s[k]);

describe("fixtures", () => {
  it("are all there and all parse, under 300 lines each, with sizes and rates", () => {
    const names = fixtureNames("", ".yaml");
    assert.deepEqual(names, ["balanced.yaml", "dead-broker.yaml", "demo.yaml", "new-brokers.yaml", "no-racks.yaml", "rf-above-racks.yaml", "shared-hosts.yaml", "uneven-racks.yaml"]);
    for (const name of names) {
      const c = load(name);
      assert.ok(readFixture(name).split("\n").length < 300, name);
      assert.ok(partitionsOf(c).every((p) => p.size > 0 && p.bytesIn > 0 && p.bytesOut > 0), name);
      assert.ok(c.brokers.every((b) => b.capacity.disk !== undefined), name);
    }
  });

  it("demo: 6 brokers in 3 racks, 4 topics, 40 partitions at RF 3, mildly unbalanced", () => {
    const c = load("demo.yaml");
    assert.equal(c.brokers.length, 6);
    assert.equal(new Set(c.brokers.map((b) => b.rack)).size, 3);
    assert.equal(c.topics.length, 4);
    assert.equal(partitionsOf(c).length, 40);
    assert.ok(partitionsOf(c).every((p) => p.replicas.length === 3));
    const stats = perBroker(c);
    assert.deepEqual(column(stats, "replicas"), [20, 21, 21, 18, 26, 14]);
    assert.deepEqual(column(stats, "leaders"), [9, 7, 6, 6, 9, 3]);
    const split = partitionsOf(c).filter((p) => domains(c, p, "rack") < 3);
    assert.deepEqual(split.map((p) => `${p.topic}-${p.partition}`), ["payments-5"]);
  });

  it("balanced: rack-spread, equal replicas, preferred leaders, per-topic spread and sizes", () => {
    const c = load("balanced.yaml");
    assert.ok(partitionsOf(c).every((p) => domains(c, p, "rack") === 3 && p.leader === p.replicas[0]));
    const stats = perBroker(c);
    assert.deepEqual(new Set(column(stats, "replicas")), new Set([9]));
    assert.deepEqual(new Set(column(stats, "leaders")), new Set([3]));
    assert.equal(new Set(column(stats, "disk")).size, 1);
    for (const t of c.topics) {
      const per = new Map<number, number>();
      for (const p of t.partitions) for (const id of p.replicas) per.set(id, (per.get(id) ?? 0) + 1);
      assert.deepEqual([...per.values()], [3, 3, 3, 3, 3, 3], t.name);
      assert.equal(new Set(t.partitions.map((p) => p.replicas[0])).size, 6, `${t.name}: one preferred leader per broker`);
    }
    const loads = new Set(partitionsOf(c).map((p) => `${p.size}/${p.bytesIn}/${p.bytesOut}`));
    assert.equal(loads.size, 1);
  });

  it("new-brokers: 9 brokers in 3 racks, 7-9 empty, one per rack", () => {
    const c = load("new-brokers.yaml");
    const stats = perBroker(c);
    assert.equal(c.brokers.length, 9);
    assert.deepEqual([7, 8, 9].map((id) => stats.get(id)?.replicas), [0, 0, 0]);
    assert.equal(new Set(c.brokers.filter((b) => b.id >= 7).map((b) => b.rack)).size, 3);
    assert.ok([1, 2, 3, 4, 5, 6].every((id) => stats.get(id)?.replicas === 18));
  });

  it("dead-broker: broker 5 is dead, holds replicas and leads none", () => {
    const c = load("dead-broker.yaml");
    assert.deepEqual(c.brokers.filter((b) => b.status === "dead").map((b) => b.id), [5]);
    const on5 = partitionsOf(c).filter((p) => p.replicas.includes(5));
    assert.equal(on5.length, 12);
    assert.ok(partitionsOf(c).every((p) => p.leader !== 5));
    assert.ok(on5.some((p) => p.replicas[0] === 5), "some leaders were re-elected away from their preferred replica");
  });

  it("uneven-racks: racks of 1, 2 and 4 brokers, many partitions missing a rack", () => {
    const c = load("uneven-racks.yaml");
    const sizes = new Map<string, number>();
    for (const b of c.brokers) sizes.set(b.rack!, (sizes.get(b.rack!) ?? 0) + 1);
    assert.deepEqual([...sizes.values()].sort(), [1, 2, 4]);
    assert.ok(partitionsOf(c).filter((p) => domains(c, p, "rack") < 3).length > 10);
  });

  it("rf-above-racks: 2 zones, RF 3 and RF 5", () => {
    const c = load("rf-above-racks.yaml");
    assert.equal(new Set(c.brokers.map((b) => b.rack)).size, 2);
    const rfs = new Set(partitionsOf(c).map((p) => p.replicas.length));
    assert.deepEqual([...rfs].sort(), [3, 5]);
    assert.ok(partitionsOf(c).some((p) => domains(c, p, "rack") === 1), "some partitions sit in one zone");
  });

  it("shared-hosts: two brokers per host, four partitions with two replicas on one host", () => {
    const c = load("shared-hosts.yaml");
    assert.ok(c.brokers.every((b) => b.host !== undefined && b.rack === undefined));
    const perHost = new Map<string, number>();
    for (const b of c.brokers) perHost.set(b.host!, (perHost.get(b.host!) ?? 0) + 1);
    assert.deepEqual([...perHost.values()], [2, 2, 2, 2]);
    const doubled = partitionsOf(c).filter((p) => domains(c, p, "host") < p.replicas.length);
    assert.deepEqual(doubled.map((p) => `${p.topic}-${p.partition}`), ["orders-2", "orders-9", "sessions-3", "sessions-6"]);
  });

  it("no-racks: no rack keys, broker 5 nearly empty", () => {
    const c = load("no-racks.yaml");
    assert.ok(c.brokers.every((b) => !("rack" in b)));
    assert.deepEqual(column(perBroker(c), "replicas"), [18, 14, 14, 14, 3]);
  });
});

describe("invalid fixtures", () => {
  const EXPECTED: Readonly<Record<string, ExpectedError>> = {
    "malformed.yaml": { code: "PARSE_ERROR", line: 9 },
    "bad-version.yaml": { code: "UNSUPPORTED_VERSION", path: "version", line: 2 },
    "unknown-key.yaml": { code: "SCHEMA", path: "topics[0].partitions[1].replica", line: 12, message: /did you mean "replicas"/ },
    "duplicate-broker.yaml": { code: "DUPLICATE_BROKER", path: "brokers[2].id", line: 6 },
    "unknown-broker.yaml": { code: "UNKNOWN_BROKER", path: "topics[0].partitions[1].replicas[2]", line: 11 },
    "duplicate-replica.yaml": { code: "DUPLICATE_REPLICA", path: "topics[0].partitions[0].replicas[2]", line: 10 },
    "leader-not-replica.yaml": { code: "LEADER_NOT_REPLICA", path: "topics[0].partitions[0].leader", line: 12 },
    "mixed-racks.yaml": { code: "MIXED_RACKS", path: "brokers[3]", line: 7 },
    "bad-unit.yaml": { code: "INVALID_UNIT", path: "brokers[0].capacity.disk", line: 6 },
    "negative-size.yaml": { code: "INVALID_NUMBER", path: "topics[0].partitions[0].size", line: 8 },
  };

  it("every file in fixtures/invalid has an expectation", () => {
    assert.deepEqual(fixtureNames("invalid", ".yaml"), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.code}`, () => {
      const e = throwsBallast(() => parseCluster(readFixture(`invalid/${name}`), { format: "yaml", source: name }), expected);
      assert.equal(e.place.source, name);
    });
  }
});
