import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { DEFAULT_GENERATE_OPTIONS, DEFAULT_REALISTIC_LOAD, PLACEMENTS, generateCluster } from "../../src/model/generate.js";
import type { GenerateOptions, Placement, RealisticLoad } from "../../src/model/generate.js";
import { BallastError } from "../../src/model/errors.js";
import { formatCluster } from "../../src/model/format.js";
import { parseCluster } from "../../src/model/parse.js";
import { createRng } from "../../src/model/random.js";
import type { Rng } from "../../src/model/random.js";
import type { Cluster, Partition } from "../../src/model/types.js";
import { realisticClusterArb } from "../support/arbitraries.js";

const gen = (opts: GenerateOptions, seed = 1): Cluster => generateCluster(opts, createRng(seed));

function partitionsOf(c: Cluster): Partition[] {
  return c.topics.flatMap((t) => [...t.partitions]);
}

function tally(c: Cluster, pick: (p: Partition) => readonly number[]): Map<number, number> {
  const counts = new Map<number, number>(c.brokers.map((b) => [b.id, 0]));
  for (const p of partitionsOf(c)) for (const id of pick(p)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

const replicaCounts = (c: Cluster): Map<number, number> => tally(c, (p) => p.replicas);
const leaderCounts = (c: Cluster): Map<number, number> => tally(c, (p) => [p.leader]);

function spreadOf(counts: Map<number, number>, ids: readonly number[]): number {
  const values = ids.map((id) => counts.get(id) ?? 0);
  return Math.max(...values) - Math.min(...values);
}

function rackOf(c: Cluster): Map<number, string | undefined> {
  return new Map(c.brokers.map((b) => [b.id, b.rack]));
}

/** Every rule a generated cluster must keep, whatever the options. */
function assertValid(c: Cluster, opts: GenerateOptions): void {
  const brokers = opts.brokers ?? DEFAULT_GENERATE_OPTIONS.brokers;
  const newBrokers = opts.newBrokers ?? 0;
  const first = opts.firstBrokerId ?? 1;
  assert.deepEqual(
    c.brokers.map((b) => b.id),
    Array.from({ length: brokers + newBrokers }, (_, i) => first + i),
    "consecutive unique broker ids",
  );
  const racked = c.brokers.filter((b) => b.rack !== undefined).length;
  assert.ok(racked === 0 || racked === c.brokers.length, "every broker has a rack or none has");
  const known = new Set(c.brokers.map((b) => b.id));
  const holding = new Set(c.brokers.slice(0, brokers).map((b) => b.id));
  const topicNames = c.topics.map((t) => t.name);
  assert.equal(new Set(topicNames).size, topicNames.length, "unique topic names");
  assert.equal(c.topics.length, opts.topics ?? DEFAULT_GENERATE_OPTIONS.topics);
  const range = opts.partitions ?? DEFAULT_GENERATE_OPTIONS.partitions;
  for (const t of c.topics) {
    assert.match(t.name, /^topic-\d{3,}$/);
    assert.ok(t.partitions.length >= range.min && t.partitions.length <= range.max, `${t.name} partition count`);
    const rfs = new Set(t.partitions.map((p) => p.replicas.length));
    assert.equal(rfs.size, 1, `${t.name} has one replication factor`);
    t.partitions.forEach((p, i) => {
      const where = `${t.name}/${i}`;
      assert.equal(p.topic, t.name, where);
      assert.equal(p.partition, i, where);
      assert.ok(p.replicas.length > 0, `${where} has replicas`);
      assert.equal(new Set(p.replicas).size, p.replicas.length, `${where} replicas distinct`);
      for (const id of p.replicas) {
        assert.ok(known.has(id), `${where} replica ${id} on a known broker`);
        assert.ok(holding.has(id), `${where} replica ${id} not on a new broker`);
      }
      assert.equal(p.leader, p.replicas[0], `${where} leader is the first replica`);
      for (const v of [p.size, p.bytesIn, p.bytesOut]) assert.ok(Number.isSafeInteger(v) && v >= 0, `${where} loads are whole bytes`);
    });
  }
  assert.equal(c.brokers.filter((b) => b.status === "dead").length, opts.deadBrokers ?? 0, "dead broker count");
}

/** A random mix of options that can always be met. */
function randomOptions(r: Rng): GenerateOptions {
  const brokers = 1 + r.int(40);
  const racks = r.int(Math.min(brokers, 6) + 1);
  const rfMax = 1 + r.int(Math.min(brokers, 5));
  const rfMin = 1 + r.int(rfMax);
  const sizes: GenerateOptions["size"][] = [
    { kind: "fixed", mean: 1000 },
    { kind: "uniform", mean: 5e6, spread: 1 },
    { kind: "lognormal", mean: 1e9, sigma: 2 },
    { kind: "zipf", mean: 1e8 },
  ];
  const topics = r.int(12);
  const loads: RealisticLoad[] = [
    {},
    // Only network-in utilisation: the round-trip test below adds disk and network-out capacities.
    { keySkew: 0, fanOut: { min: 0, max: 0 }, utilisation: { networkIn: 0.7 } },
    { topicRate: { kind: "zipf", mean: 1e6 }, keySkew: 2, retentionSeconds: 3600, utilisation: { networkIn: 1.1 } },
  ];
  const newBrokers = r.int(4);
  // Dead brokers must hold replicas: any partition puts replicas on at least rfMin brokers.
  const deadBrokers = topics === 0 ? 0 : r.int(rfMin + 1);
  const realistic = r.int(3) === 0;
  // Utilisation sizes capacities over the alive brokers: keep one alive when asking for it.
  const load = loads[deadBrokers === brokers + newBrokers ? 0 : r.int(loads.length)] as RealisticLoad;
  return {
    brokers,
    racks,
    ...(racks > 0 && r.int(2) === 0 ? { rackWeights: Array.from({ length: racks }, () => 1 + r.int(4)) } : {}),
    brokersPerHost: 1 + r.int(3),
    firstBrokerId: r.int(3) * 100,
    topics,
    partitions: { min: 1, max: 1 + r.int(30) },
    replicationFactor: { min: rfMin, max: rfMax },
    placement: PLACEMENTS[r.int(PLACEMENTS.length)] as Placement,
    ...(realistic ? { load } : { size: sizes[r.int(sizes.length)] as NonNullable<GenerateOptions["size"]> }),
    newBrokers,
    deadBrokers,
  };
}

test("defaults: 12 brokers in 3 racks, 10 topics of 6..24 partitions at RF 3, all alive, no hosts", () => {
  const c = gen({});
  assertValid(c, {});
  assert.equal(c.brokers.length, 12);
  assert.deepEqual([...new Set(c.brokers.map((b) => b.rack))], ["rack-a", "rack-b", "rack-c"]);
  assert.ok(c.brokers.every((b) => b.host === undefined && b.status === "alive" && Object.keys(b.capacity).length === 0));
  assert.ok(partitionsOf(c).every((p) => p.replicas.length === 3));
  assert.equal(c.name, undefined);
  assert.equal(gen({ name: "demo" }).name, "demo");
  assert.deepEqual(
    c.topics.map((t) => t.name),
    Array.from({ length: 10 }, (_, i) => `topic-00${i}`),
  );
});

test("every generated cluster is valid, over many seeds and option mixes", () => {
  const r = createRng(2024);
  for (let i = 0; i < 300; i++) {
    const opts = randomOptions(r);
    const c = gen(opts, i);
    assertValid(c, opts);
    // A partition needs at least RF brokers holding replicas.
    const holders = new Set(partitionsOf(c).flatMap((p) => p.replicas));
    for (const p of partitionsOf(c)) assert.ok(p.replicas.length <= holders.size);
  }
});

test("generated clusters are snapshots the model reads back unchanged (JSON and YAML)", () => {
  const r = createRng(99);
  for (let i = 0; i < 40; i++) {
    const opts: GenerateOptions = { ...randomOptions(r), capacity: { disk: 2 ** 40, networkOut: 1e8 }, mixedCapacity: i % 2 === 0 };
    const c = gen(opts, i);
    for (const format of ["json", "yaml"] as const) assert.deepEqual(parseCluster(formatCluster(c, format), { format }), c, `${format} ${i}`);
  }
});

test("the same options and seed give a deep-equal cluster; another seed gives another", () => {
  const opts: GenerateOptions = { brokers: 30, racks: 4, placement: "balanced", deadBrokers: 2, newBrokers: 3, brokersPerHost: 2 };
  assert.deepEqual(gen(opts, 7), gen(opts, 7));
  for (const placement of ["random", "skewed", "skewed-racked"] as const) assert.deepEqual(gen({ placement }, 7), gen({ placement }, 7));
  const realistic: GenerateOptions = { ...opts, placement: "skewed-racked", load: { hot: { count: 2, factor: 1.5 }, utilisation: { networkIn: 0.8 } } };
  assert.deepEqual(gen(realistic, 7), gen(realistic, 7));
  assert.notDeepEqual(gen(realistic, 7), gen(realistic, 8));
  assert.notDeepEqual(gen(opts, 7), gen(opts, 8));
});

test("sizes and placement draw from separate streams: changing the size distribution keeps the placement", () => {
  const a = gen({ size: { kind: "fixed", mean: 10 } }, 3);
  const b = gen({ size: { kind: "zipf", mean: 1e9 } }, 3);
  assert.deepEqual(
    partitionsOf(a).map((p) => p.replicas),
    partitionsOf(b).map((p) => p.replicas),
  );
});

test("the simple load model's output is pinned: options without load give the clusters they always gave", () => {
  // Benchmarks and recorded counterexamples depend on these streams; a change here changes them all.
  const fingerprint = (opts: GenerateOptions, seed: number): string => createHash("sha256").update(formatCluster(gen(opts, seed), "json")).digest("hex").slice(0, 16);
  assert.equal(fingerprint({}, 1), "197ad72b87b170eb");
  assert.equal(fingerprint({ brokers: 30, racks: 4, placement: "balanced", deadBrokers: 2, newBrokers: 3, brokersPerHost: 2 }, 7), "e62361229a7d6f1b");
  const skewed: GenerateOptions = {
    brokers: 20,
    rackWeights: [1, 2, 3],
    placement: "skewed",
    skew: 1.5,
    size: { kind: "zipf", mean: 1e8 },
    traffic: { retentionSeconds: 3600, noise: 0.1, fanOut: { min: 0, max: 3 } },
    capacity: { disk: 2 ** 40, networkOut: 1e8 },
    mixedCapacity: true,
  };
  assert.equal(fingerprint(skewed, 3), "68951fddb1dcdfb2");
});

test("the load model changes loads only: shapes and placement are the simple model's for the same seed", () => {
  for (const placement of PLACEMENTS) {
    const base: GenerateOptions = { brokers: 15, racks: 3, topics: 12, placement, deadBrokers: 1 };
    const simple = gen(base, 4);
    const realistic = gen({ ...base, load: { hot: { count: 1, factor: 2 } } }, 4);
    assert.deepEqual(
      partitionsOf(realistic).map((p) => p.replicas),
      partitionsOf(simple).map((p) => p.replicas),
      placement,
    );
    assert.deepEqual(
      realistic.brokers.map((b) => b.status),
      simple.brokers.map((b) => b.status),
    );
  }
});

test("balanced placement: replica and leader counts within 1, every partition spread over the racks", () => {
  const configs: GenerateOptions[] = [
    { brokers: 12, racks: 3 },
    { brokers: 9, racks: 3, topics: 7, partitions: { min: 1, max: 13 } },
    { brokers: 24, racks: 4, replicationFactor: { min: 2, max: 4 } },
    { brokers: 10, racks: 2, replicationFactor: 3 },
    { brokers: 7, racks: 0, replicationFactor: 2, topics: 5 },
    { brokers: 30, racks: 6, replicationFactor: 4, topics: 3, partitions: { min: 1, max: 20 } },
    { brokers: 4, racks: 2, replicationFactor: 4 },
  ];
  for (const [i, base] of configs.entries()) {
    for (let seed = 1; seed <= 10; seed++) {
      const opts: GenerateOptions = { ...base, placement: "balanced" };
      const c = gen(opts, seed);
      const ids = c.brokers.map((b) => b.id);
      const where = `config ${i}, seed ${seed}`;
      assert.ok(spreadOf(replicaCounts(c), ids) <= 1, `${where}: replica counts within 1`);
      assert.ok(spreadOf(leaderCounts(c), ids) <= 1, `${where}: leader counts within 1`);
      assertRackSpread(c, where);
    }
  }
});

/**
 * Each partition's replicas are spread over the racks: no rack holds two more of them than a rack that
 * still has a broker without one. (Every broker of `c` counts, so use it on clusters without new brokers.)
 */
function assertRackSpread(c: Cluster, where: string): void {
  const racks = rackOf(c);
  const rackSize = new Map<string | undefined, number>();
  for (const rack of racks.values()) rackSize.set(rack, (rackSize.get(rack) ?? 0) + 1);
  for (const p of partitionsOf(c)) {
    const perRack = new Map<string | undefined, number>([...rackSize.keys()].map((r) => [r, 0]));
    for (const id of p.replicas) perRack.set(racks.get(id), (perRack.get(racks.get(id)) ?? 0) + 1);
    const most = Math.max(...perRack.values());
    for (const [rack, n] of perRack) {
      const full = n === rackSize.get(rack);
      assert.ok(full || most - n <= 1, `${where}: ${p.topic}/${p.partition} has ${most} replicas in one rack, ${n} in ${rack}`);
    }
  }
}

test("balanced placement on uneven racks: spread over the racks, counts within 1 inside each rack", () => {
  const c = gen({ brokers: 14, rackWeights: [1, 2, 4], placement: "balanced", topics: 20 }, 5);
  assertRackSpread(c, "uneven");
  const counts = replicaCounts(c);
  for (const rack of ["rack-a", "rack-b", "rack-c"]) {
    const ids = c.brokers.filter((b) => b.rack === rack).map((b) => b.id);
    assert.ok(spreadOf(counts, ids) <= 1, `${rack} counts within 1`);
  }
});

test("balanced placement varies its replica sets (not one fixed pattern repeated)", () => {
  const c = gen({ brokers: 12, racks: 3, placement: "balanced", topics: 20 }, 1);
  const sets = new Set(partitionsOf(c).map((p) => [...p.replicas].sort((a, b) => a - b).join(",")));
  assert.ok(sets.size > 20, `only ${sets.size} distinct replica sets`);
});

test("random placement is rack-aware, leads from every rack and is not balanced by accident", () => {
  const c = gen({ brokers: 30, racks: 3, placement: "random", topics: 30 }, 2);
  assertRackSpread(c, "random");
  assert.ok(spreadOf(replicaCounts(c), c.brokers.map((b) => b.id)) > 1);
  const racks = rackOf(c);
  const parts = partitionsOf(c);
  for (const rack of ["rack-a", "rack-b", "rack-c"]) {
    const share = parts.filter((p) => racks.get(p.leader) === rack).length / parts.length;
    assert.ok(share > 0.25 && share < 0.42, `${rack} leads ${share} of the partitions`);
  }
});

test("racks smaller than the replication factor: every placement stays valid, the rack-aware ones spread", () => {
  const cases: GenerateOptions[] = [
    { brokers: 4, rackWeights: [1, 3], replicationFactor: 4 },
    { brokers: 5, rackWeights: [1, 4], replicationFactor: 3 },
    { brokers: 6, rackWeights: [1, 2, 3], replicationFactor: { min: 3, max: 6 } },
  ];
  for (const base of cases) {
    for (const placement of PLACEMENTS) {
      const opts: GenerateOptions = { ...base, placement };
      const c = gen(opts);
      assertValid(c, opts);
      if (placement !== "skewed") assertRackSpread(c, `${JSON.stringify(base)} ${placement}`);
    }
  }
});

test("skewed placement puts most replicas on a few brokers, still on distinct brokers", () => {
  const opts: GenerateOptions = { brokers: 40, racks: 4, placement: "skewed", topics: 30 };
  const c = gen(opts, 3);
  assertValid(c, opts);
  const counts = [...replicaCounts(c).values()].sort((a, b) => b - a);
  const total = counts.reduce((a, b) => a + b, 0);
  const topQuarter = counts.slice(0, 10).reduce((a, b) => a + b, 0);
  assert.ok(topQuarter > total / 2, `top 10 of 40 brokers hold ${topQuarter} of ${total}`);
  // A steep power law still yields distinct replicas, even when every broker is needed.
  const steep: GenerateOptions = { brokers: 3, racks: 0, placement: "skewed", skew: 8, replicationFactor: 3 };
  assertValid(gen(steep), steep);
});

test("skewed-racked placement keeps the rack rule but piles replicas and leaders on a few brokers of each rack", () => {
  const opts: GenerateOptions = { brokers: 60, racks: 3, placement: "skewed-racked", topics: 40 };
  const c = gen(opts, 3);
  assertValid(c, opts);
  assertRackSpread(c, "skewed-racked");
  const counts = replicaCounts(c);
  const leaders = leaderCounts(c);
  for (const rack of ["rack-a", "rack-b", "rack-c"]) {
    const ids = c.brokers.filter((b) => b.rack === rack).map((b) => b.id);
    const inRack = ids.map((id) => counts.get(id) ?? 0).sort((a, b) => b - a);
    const total = inRack.reduce((a, b) => a + b, 0);
    const top = inRack.slice(0, 5).reduce((a, b) => a + b, 0);
    assert.ok(top > total / 2, `${rack}: top 5 of 20 brokers hold ${top} of ${total}`);
    const led = ids.map((id) => leaders.get(id) ?? 0);
    assert.ok(Math.max(...led) > 3 * (led.reduce((a, b) => a + b, 0) / led.length), `${rack}: leaders piled up`);
  }
  // Uneven racks, a steep law and RF above the racks still give valid, spread placements.
  for (const base of [
    { brokers: 7, rackWeights: [1, 2, 4], replicationFactor: 3, skew: 8 },
    { brokers: 8, racks: 2, replicationFactor: 4, skew: 3 },
  ]) {
    const steep: GenerateOptions = { ...base, placement: "skewed-racked" };
    const sc = gen(steep);
    assertValid(sc, steep);
    assertRackSpread(sc, JSON.stringify(base));
  }
});

test("new brokers come after the others, hold no replicas and go over the racks in round robin", () => {
  // Three brokers a rack on hosts of two leaves every rack a host with room: new brokers still get new hosts.
  const opts: GenerateOptions = { brokers: 9, racks: 3, newBrokers: 5, brokersPerHost: 2 };
  const c = gen(opts);
  assertValid(c, opts);
  const fresh = c.brokers.slice(9);
  const counts = replicaCounts(c);
  assert.deepEqual(
    fresh.map((b) => b.id),
    [10, 11, 12, 13, 14],
  );
  assert.ok(fresh.every((b) => counts.get(b.id) === 0 && b.status === "alive"));
  assert.deepEqual(
    fresh.map((b) => b.rack),
    ["rack-a", "rack-b", "rack-c", "rack-a", "rack-b"],
  );
  const oldHosts = new Set(c.brokers.slice(0, 9).map((b) => b.host));
  assert.ok(fresh.every((b) => !oldHosts.has(b.host)), "new brokers sit on new hosts");
});

test("dead brokers are chosen among brokers holding replicas and keep them", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const opts: GenerateOptions = { brokers: 20, racks: 2, deadBrokers: 3, placement: "skewed", skew: 3, topics: 2, partitions: { min: 2, max: 3 } };
    const c = gen(opts, seed);
    assertValid(c, opts);
    const counts = replicaCounts(c);
    const dead = c.brokers.filter((b) => b.status === "dead");
    assert.equal(dead.length, 3);
    assert.ok(dead.every((b) => (counts.get(b.id) ?? 0) > 0), `seed ${seed}: dead brokers hold replicas`);
  }
});

test("hosts are shared by brokersPerHost brokers of one rack", () => {
  const c = gen({ brokers: 18, racks: 3, brokersPerHost: 3 });
  const byHost = new Map<string, string[]>();
  for (const b of c.brokers) {
    assert.match(b.host ?? "", /^host-\d{3}$/);
    byHost.set(b.host as string, [...(byHost.get(b.host as string) ?? []), b.rack as string]);
  }
  assert.equal(byHost.size, 6);
  for (const [host, racks] of byHost) {
    assert.equal(racks.length, 3, `${host} holds 3 brokers`);
    assert.equal(new Set(racks).size, 1, `${host} sits in one rack`);
  }
  const partial = gen({ brokers: 10, racks: 0, brokersPerHost: 4 });
  assert.deepEqual(
    partial.brokers.map((b) => b.host),
    ["host-001", "host-001", "host-001", "host-001", "host-002", "host-002", "host-002", "host-002", "host-003", "host-003"],
  );
});

test("rackWeights apportion the brokers; round robin without them; racks 0 writes no rack", () => {
  const perRack = (c: Cluster): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const b of c.brokers) out[b.rack as string] = (out[b.rack as string] ?? 0) + 1;
    return out;
  };
  assert.deepEqual(perRack(gen({ brokers: 12, rackWeights: [1, 2, 3] })), { "rack-a": 2, "rack-b": 4, "rack-c": 6 });
  assert.deepEqual(perRack(gen({ brokers: 10, racks: 4, rackWeights: [5, 1, 1, 3] })), { "rack-a": 5, "rack-b": 1, "rack-c": 1, "rack-d": 3 });
  // Every rack gets a broker, however light its weight.
  assert.deepEqual(perRack(gen({ brokers: 4, rackWeights: [1, 100], replicationFactor: 2 })), { "rack-a": 1, "rack-b": 3 });
  assert.deepEqual(
    gen({ brokers: 7, racks: 3 }).brokers.map((b) => b.rack),
    ["rack-a", "rack-b", "rack-c", "rack-a", "rack-b", "rack-c", "rack-a"],
  );
  assert.ok(gen({ racks: 0 }).brokers.every((b) => !("rack" in b)));
});

test("rack names sort in rack order, letters or zones", () => {
  const names = (c: Cluster): string[] => [...new Set(c.brokers.map((b) => b.rack as string))];
  const many = names(gen({ brokers: 30, racks: 30, topics: 1 }));
  assert.equal(many.length, 30);
  assert.equal(many[0], "rack-aa");
  assert.deepEqual([...many].sort(), many);
  const zones = names(gen({ brokers: 12, racks: 12, rackNames: "zone" }));
  assert.equal(zones[0], "zone-01");
  assert.deepEqual([...zones].sort(), zones);
});

test("capacity goes to every broker; mixedCapacity doubles it on every other broker of each rack", () => {
  const capacity = { disk: 1000, networkIn: 10 };
  const same = gen({ brokers: 6, capacity });
  assert.ok(same.brokers.every((b) => b.capacity.disk === 1000 && b.capacity.networkIn === 10 && !("networkOut" in b.capacity)));
  const mixed = gen({ brokers: 12, racks: 3, newBrokers: 3, capacity, mixedCapacity: true });
  for (const rack of ["rack-a", "rack-b", "rack-c"]) {
    const inRack = mixed.brokers.filter((b) => b.rack === rack);
    assert.deepEqual(
      inRack.map((b) => [b.capacity.disk, b.capacity.networkIn]),
      [[1000, 10], [2000, 20], [1000, 10], [2000, 20], [1000, 10]],
      rack,
    );
  }
});

test("size distributions keep their mean; traffic follows size or its own distribution", () => {
  const sizesOf = (opts: GenerateOptions): number[] => partitionsOf(gen({ topics: 40, partitions: { min: 100, max: 100 }, ...opts })).map((p) => p.size);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(sizesOf({ size: { kind: "fixed", mean: 1234 } }).every((s) => s === 1234));
  const uniform = sizesOf({ size: { kind: "uniform", mean: 1000, spread: 0.5 } });
  assert.ok(uniform.every((s) => s >= 500 && s <= 1500));
  for (const size of [{ kind: "uniform", mean: 1e6 }, { kind: "lognormal", mean: 1e6 }, { kind: "zipf", mean: 1e6 }] as const) {
    const m = mean(sizesOf({ size }));
    assert.ok(Math.abs(m - 1e6) < 0.15e6, `${size.kind} mean ${m}`);
  }
  const zipf = sizesOf({ size: { kind: "zipf", mean: 1e6 } }).sort((a, b) => a - b);
  assert.ok((zipf[zipf.length - 1] as number) > 50 * (zipf[zipf.length >> 1] as number), "zipf has a long tail");

  const derived = partitionsOf(gen({ size: { kind: "fixed", mean: 3600e3 }, traffic: { retentionSeconds: 3600, noise: 0.1, fanOut: { min: 2, max: 3 } } }));
  for (const p of derived) {
    assert.ok(p.bytesIn >= 900 && p.bytesIn <= 1100, `bytesIn ${p.bytesIn}`);
    assert.ok(p.bytesOut === 2 * p.bytesIn || p.bytesOut === 3 * p.bytesIn);
  }
  const own = partitionsOf(gen({ traffic: { bytesIn: { kind: "fixed", mean: 77 } } }));
  assert.ok(own.every((p) => p.bytesIn === 77 && p.bytesOut % 77 === 0 && p.bytesOut >= 77 && p.bytesOut <= 4 * 77));
  // The fan-out is the topic's: one ratio for all its partitions.
  for (const t of gen({}).topics) assert.equal(new Set(t.partitions.map((p) => (p.bytesIn === 0 ? -1 : p.bytesOut / p.bytesIn)).filter((x) => x >= 0)).size, 1);
});

/** Per broker: disk, network in and network out as the planner counts them (docs/load-and-capacity.md). */
function networkTotals(c: Cluster): { disk: number; networkIn: number; networkOut: number } {
  let disk = 0;
  let networkIn = 0;
  let networkOut = 0;
  for (const p of partitionsOf(c)) {
    disk += p.size * p.replicas.length;
    networkIn += p.bytesIn * p.replicas.length;
    networkOut += leaderOut(p);
  }
  return { disk, networkIn, networkOut };
}

function leaderOut(p: Partition): number {
  return p.bytesOut + p.bytesIn * (p.replicas.length - 1);
}

const aliveCount = (c: Cluster): number => c.brokers.filter((b) => b.status === "alive").length;

test("realistic load: a heavy tail of topic traffic, the top 10% of 100 topics carrying most bytes", () => {
  for (let seed = 1; seed <= 5; seed++) {
    const c = gen({ topics: 100, partitions: { min: 4, max: 12 }, load: {} }, seed);
    const perTopic = c.topics.map((t) => t.partitions.reduce((a, p) => a + p.bytesIn, 0)).sort((a, b) => b - a);
    const total = perTopic.reduce((a, b) => a + b, 0);
    const top = perTopic.slice(0, 10).reduce((a, b) => a + b, 0);
    assert.ok(top > total / 2, `seed ${seed}: the top 10 topics carry ${top} of ${total}`);
    // The mean stays near the asked 2 MiB/s per topic (a heavy tail: a wide margin).
    assert.ok(total / 100 > 0.2 * DEFAULT_REALISTIC_LOAD.topicRate.mean && total / 100 < 5 * DEFAULT_REALISTIC_LOAD.topicRate.mean, `seed ${seed}: mean ${total / 100}`);
  }
});

test("realistic load: key skew shares a topic's rate unevenly; keySkew 0 shares it evenly", () => {
  const fixed = { kind: "fixed", mean: 1_000_000 } as const;
  const even = gen({ topics: 5, partitions: { min: 10, max: 10 }, load: { topicRate: fixed, keySkew: 0 } });
  for (const p of partitionsOf(even)) assert.equal(p.bytesIn, 100_000);
  const skewed = gen({ topics: 5, partitions: { min: 10, max: 10 }, load: { topicRate: fixed, keySkew: 1 } });
  for (const t of skewed.topics) {
    const rates = t.partitions.map((p) => p.bytesIn).sort((a, b) => b - a);
    assert.ok(Math.abs(rates.reduce((a, b) => a + b, 0) - 1_000_000) <= 10, `${t.name} keeps its total`);
    // Shares ∝ 1, 1/2, …, 1/10: the busiest partition carries 10 times the quietest.
    assert.ok(Math.abs((rates[0] as number) / (rates[9] as number) - 10) < 0.01, `${t.name}: ${rates.join(",")}`);
  }
  // The permutation is random: the busiest partition is not always partition 0.
  const busiest = skewed.topics.map((t) => t.partitions.reduce((best, p) => (p.bytesIn > best.bytesIn ? p : best)).partition);
  assert.ok(new Set(busiest).size > 1);
});

test("realistic load: sizes follow traffic × retention within the noise; fan-out within its range, one per topic", () => {
  const retentionSeconds = 86_400;
  const c = gen({ topics: 30, load: { retentionSeconds, fanOut: { min: 2, max: 4 } } });
  const fanOuts = new Set<number>();
  for (const t of c.topics) {
    const ratios = new Set(t.partitions.filter((p) => p.bytesIn > 0).map((p) => p.bytesOut / p.bytesIn));
    assert.ok(ratios.size <= 1, `${t.name} has one fan-out`);
    for (const r of ratios) fanOuts.add(r);
    for (const p of t.partitions) {
      const expected = p.bytesIn * retentionSeconds;
      assert.ok(p.size >= 0.75 * expected - 1 && p.size <= 1.25 * expected + 1, `${t.name}/${p.partition}: size ${p.size} for ${expected}`);
    }
  }
  assert.deepEqual([...fanOuts].sort(), [2, 3, 4]);
  const defaults = gen({ topics: 60, load: {} });
  for (const p of partitionsOf(defaults)) assert.ok(p.bytesOut <= 5 * p.bytesIn && p.bytesOut % Math.max(1, p.bytesIn) === 0 || p.bytesIn === 0);
  const none = gen({ topics: 10, load: { fanOut: { min: 0, max: 0 } } });
  assert.ok(partitionsOf(none).every((p) => p.bytesOut === 0));
});

test("realistic load: each hot partition's leader carries factor × the mean per-broker network out", () => {
  const cases: GenerateOptions[] = [
    { brokers: 30, topics: 20, load: { hot: { count: 2, factor: 1.3 } } },
    { brokers: 12, newBrokers: 3, deadBrokers: 1, topics: 8, replicationFactor: { min: 1, max: 3 }, load: { hot: { count: 3, factor: 2.5 } } },
    { brokers: 9, racks: 3, topics: 4, load: { hot: { count: 1, factor: 0.5 }, fanOut: { min: 1, max: 1 } } },
  ];
  for (const [i, opts] of cases.entries()) {
    const load = opts.load as RealisticLoad;
    const { count, factor } = load.hot as { count: number; factor: number };
    const hot = gen(opts, i);
    const cold = gen({ ...opts, load: { ...load, hot: { count: 0, factor: 1 } } }, i);
    const target = (factor * networkTotals(hot).networkOut) / aliveCount(hot);
    const changed = partitionsOf(hot).filter((p, k) => p.bytesIn !== (partitionsOf(cold)[k] as Partition).bytesIn);
    assert.equal(changed.length, count, `case ${i}: ${count} hot partitions`);
    for (const p of changed) {
      // bytesIn is whole bytes/s: the leader's network out is off by at most half a byte per byte of fan-out and followers.
      assert.ok(Math.abs(leaderOut(p) - target) <= 0.5 * (leaderOut(p) / p.bytesIn) + 1e-6 * target, `case ${i}: ${p.topic}/${p.partition} leads ${leaderOut(p)}, target ${target}`);
      const before = partitionsOf(cold).find((q) => q.topic === p.topic && q.partition === p.partition) as Partition;
      assert.ok(p.bytesIn > before.bytesIn || factor < 1, `case ${i}: raised`);
    }
  }
  // Hot partitions come from the busiest topics: with one per topic, the hottest topics hold them.
  const c = gen({ brokers: 40, topics: 30, load: { hot: { count: 3, factor: 1.2 }, topicRate: { kind: "lognormal", mean: 1e6, sigma: 0.1 }, keySkew: 0 } }, 2);
  const cold = gen({ brokers: 40, topics: 30, load: { topicRate: { kind: "lognormal", mean: 1e6, sigma: 0.1 }, keySkew: 0 } }, 2);
  const rateOf = (t: Cluster["topics"][number]): number => t.partitions.reduce((a, p) => a + p.bytesIn, 0);
  const busiest = [...cold.topics].sort((a, b) => rateOf(b) - rateOf(a)).slice(0, 3).map((t) => t.name).sort();
  const hotTopics = c.topics.filter((t, k) => t.partitions.some((p, j) => p.bytesIn !== (cold.topics[k]?.partitions[j] as Partition).bytesIn)).map((t) => t.name);
  assert.deepEqual(hotTopics, busiest);
});

test("realistic load: utilisation sizes capacities so that total load ÷ alive capacity is the asked fraction", () => {
  const cases: GenerateOptions[] = [
    { brokers: 12, topics: 20, load: { utilisation: { disk: 0.7, networkIn: 0.87, networkOut: 0.6 } } },
    { brokers: 9, newBrokers: 3, racks: 3, topics: 40, load: { utilisation: { networkIn: 0.87 } } },
    { brokers: 20, deadBrokers: 2, newBrokers: 1, topics: 10, mixedCapacity: true, load: { utilisation: { networkOut: 1.05, disk: 0.56 } } },
    { brokers: 10, topics: 10, capacity: { disk: 12345 }, load: { utilisation: { networkIn: 0.75 } } },
  ];
  for (const [i, opts] of cases.entries()) {
    const c = gen(opts, i);
    const totals = networkTotals(c);
    const asked = (opts.load as RealisticLoad).utilisation ?? {};
    for (const key of ["disk", "networkIn", "networkOut"] as const) {
      const u = asked[key];
      if (u === undefined) {
        const given = opts.capacity?.[key];
        assert.ok(c.brokers.every((b) => b.capacity[key] === given), `case ${i}: ${key} only as capacity gives it`);
        continue;
      }
      const capacity = c.brokers.filter((b) => b.status === "alive").reduce((a, b) => a + (b.capacity[key] as number), 0);
      assert.ok(Math.abs(totals[key] / capacity / u - 1) < 0.01, `case ${i}: ${key} at ${totals[key] / capacity}, asked ${u}`);
      for (const b of c.brokers) assert.ok(Number.isSafeInteger(b.capacity[key]) && (b.capacity[key] as number) > 0, `case ${i}: broker ${b.id} ${key}`);
    }
  }
  // With mixedCapacity every other broker of each rack gets twice the capacity, dead or not.
  const mixed = gen(cases[2] as GenerateOptions, 2);
  const sizes = new Set(mixed.brokers.map((b) => b.capacity.networkOut));
  assert.equal(sizes.size, 2);
  const [small, large] = [...sizes].sort((a, b) => (a as number) - (b as number)) as [number, number];
  assert.ok(Math.abs(large - 2 * small) <= 1);
  // A scale-out's capacity is sized for the final cluster: the old brokers run above it.
  const scaleOut = gen(cases[1] as GenerateOptions, 1);
  const oldIn = scaleOut.brokers.slice(0, 9).reduce((a, b) => a + (b.capacity.networkIn as number), 0);
  assert.ok(networkTotals(scaleOut).networkIn / oldIn > 1.1);
});

test("realistic clusters are snapshots the model reads back unchanged", () => {
  const opts: GenerateOptions = { brokers: 15, newBrokers: 2, deadBrokers: 1, placement: "skewed-racked", load: { hot: { count: 2, factor: 1.5 }, utilisation: { disk: 0.6, networkIn: 0.9 } } };
  const c = gen(opts, 5);
  assertValid(c, opts);
  for (const format of ["json", "yaml"] as const) assert.deepEqual(parseCluster(formatCluster(c, format), { format }), c, format);
});

test("the realistic arbitrary's clusters are valid snapshots at their drawn utilisation", () => {
  fc.assert(
    fc.property(realisticClusterArb, ({ options, cluster }) => {
      assertValid(cluster, options);
      assert.deepEqual(parseCluster(formatCluster(cluster, "json"), { format: "json" }), cluster);
      const totals = networkTotals(cluster);
      for (const [key, u] of Object.entries((options.load as RealisticLoad).utilisation ?? {}) as [keyof typeof totals, number][]) {
        const capacity = cluster.brokers.filter((b) => b.status === "alive").reduce((a, b) => a + (b.capacity[key] as number), 0);
        // Capacities are whole bytes and at least 1: a near-idle resource can be off by that rounding.
        assert.ok(Math.abs(totals[key] - u * capacity) <= Math.max(0.01 * u * capacity, cluster.brokers.length), `${key}: ${totals[key]} on ${capacity}, asked ${u}`);
      }
    }),
    { numRuns: 200, seed: 17, includeErrorInReport: true },
  );
});

test("options that cannot be met are USAGE errors that say why", () => {
  const usage = (opts: GenerateOptions, pattern: RegExp): void => {
    assert.throws(
      () => gen(opts),
      (e: unknown) => e instanceof BallastError && e.code === "USAGE" && pattern.test(e.message),
      JSON.stringify(opts),
    );
  };
  usage({ brokers: 2, racks: 1, replicationFactor: 3 }, /replication factor 3 needs at least 3 brokers.*there are 2/);
  usage({ brokers: 4, racks: 2, replicationFactor: { min: 2, max: 5 } }, /replication factor 5/);
  usage({ brokers: 2, racks: 3, replicationFactor: 1 }, /3 racks need at least 3 brokers/);
  usage({ brokers: 12, rackWeights: [1, 2] , racks: 3 }, /one weight per rack/);
  usage({ brokers: 3, racks: 1, topics: 1, partitions: { min: 1, max: 1 }, replicationFactor: 1, deadBrokers: 2 }, /deadBrokers \(2\) exceeds the 1 brokers holding replicas/);
  usage({ mixedCapacity: true }, /needs a capacity/);
  usage({ partitions: { min: 5, max: 2 } }, /partitions\.max/);
  usage({ brokers: 1.5 }, /brokers must be an integer/);
  usage({ placement: "tidy" as Placement }, /placement must be one of/);
  usage({ size: { kind: "uniform", mean: 10, spread: 2 } }, /size\.spread/);
  usage({ load: {}, size: { kind: "fixed", mean: 1 } }, /size does not apply with load/);
  usage({ load: {}, traffic: { noise: 0 } }, /traffic does not apply with load/);
  usage({ load: { keySkew: -1 } }, /load\.keySkew must be a number at least 0/);
  usage({ load: { topicRate: { kind: "lognormal", mean: -5 } } }, /load\.topicRate\.mean/);
  usage({ load: { retentionSeconds: 0 } }, /load\.retentionSeconds/);
  usage({ load: { fanOut: { min: 3, max: 1 } } }, /load\.fanOut\.max/);
  usage({ load: { hot: { count: 1.5, factor: 2 } } }, /load\.hot\.count must be an integer/);
  usage({ load: { hot: { count: 1, factor: -1 } } }, /load\.hot\.factor/);
  usage({ brokers: 6, load: { hot: { count: 3, factor: 2 } } }, /load\.hot: 3 hot partitions at 2 × the mean .* over 6 alive brokers/);
  usage({ brokers: 30, topics: 1, partitions: { min: 2, max: 2 }, load: { hot: { count: 3, factor: 1.1 } } }, /load\.hot\.count \(3\) exceeds the \d partitions that can be made hot/);
  usage({ replicationFactor: 1, load: { fanOut: { min: 0, max: 0 }, hot: { count: 1, factor: 1 } } }, /load\.hot\.count \(1\) exceeds the 0 partitions/);
  usage({ brokers: 3, topics: 1, partitions: { min: 1, max: 1 }, deadBrokers: 3, load: { utilisation: { disk: 0.5 } } }, /needs an alive broker/);
  usage({ load: { utilisation: { networkIn: 0 } } }, /load\.utilisation\.networkIn must be a fraction of capacity above 0/);
  usage({ load: { utilisation: { disk: Number.NaN } } }, /load\.utilisation\.disk/);
  usage({ capacity: { disk: 1 }, load: { utilisation: { disk: 0.5 } } }, /capacity\.disk also gives/);
  usage({ mixedCapacity: true, load: {} }, /needs a capacity/);
  usage({ capacity: { disk: 0 } }, /capacity\.disk must be more than 0/);
  // Beyond the documented size limits (limits.ts), refused before anything is built.
  usage({ brokers: 100_000, topics: 100_000, partitions: { min: 1000, max: 1000 } }, /100000 brokers .* above Ballast's limit of 10000/);
  usage({ brokers: 12, topics: 100_001 }, /100001 topics .* limit of 100000/);
  usage({ brokers: 12, topics: 1, partitions: { min: 1, max: 1_000_000 } }, /1000000 partitions per topic/);
  usage({ brokers: 12, topics: 1000, partitions: { min: 10_000, max: 10_000 } }, /30000000 replicas .* limit of 10000000/);
  // Without topics nothing needs replicas, so few brokers are fine.
  assert.equal(gen({ brokers: 1, racks: 1, topics: 0 }).topics.length, 0);
});

test("scales: 1,000 brokers and 100,000 partitions at RF 3", () => {
  const opts: GenerateOptions = { brokers: 1000, racks: 3, topics: 1000, partitions: { min: 100, max: 100 } };
  const c = gen(opts);
  let replicas = 0;
  for (const p of partitionsOf(c)) {
    replicas += p.replicas.length;
    assert.equal(new Set(p.replicas).size, 3);
  }
  assert.equal(replicas, 300_000);
});
