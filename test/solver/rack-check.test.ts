/**
 * The rack check (rack-check.ts) on hand-made clusters, one per kind of shortage: each finding names
 * the replication factor, topics, short racks and fixes, and every fix it suggests, applied to the
 * cluster, leaves nothing to report for that replication factor. Properties on generated clusters:
 * no finding means the plan meets the ideal rule (ceil(RF / R) per rack, one replica per host); a
 * finding's fixes each clear it.
 */
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Broker, Cluster, Topic } from "../../src/model/types.js";
import { assess, plan } from "../../src/solver/index.js";
import { type RackFinding, rackFindings } from "../../src/solver/rack-check.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { aliveIds, clusterArb, excludeArb, generateOptionsArb, largestRf, seedArb } from "../support/arbitraries.js";
import { eligibleIds, hostKey, planned, rackKey } from "../support/invariants.js";
import { broker, topic } from "../support/build.js";

const RUNS = { numRuns: 150, seed: 11, includeErrorInReport: true } as const;

interface Shape {
  readonly cluster: Cluster;
  readonly exclude: readonly number[];
  readonly toBrokers?: readonly number[];
}



function findings(s: Shape): RackFinding[] {
  const state = new PlacementState(s.cluster, { excludeBrokers: new Set(s.exclude), isFrozenTopic: () => false });
  const receivers = s.toBrokers === undefined ? undefined : new Set(s.toBrokers.map((id) => state.brokerIndexOf(id) ?? -1));
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1, ...(receivers === undefined ? {} : { receivers }) });
  return rackFindings(state, targets);
}

/**
 * Each fix of a finding applied to the shape on its own: new brokers (each on a new host, listed in
 * --to-brokers when a list is given), excluded brokers included, dead brokers alive, brokers added to
 * --to-brokers, or the finding's topics at the lower replication factor. With the label of the fix.
 */
function fixed(s: Shape, f: RackFinding): { label: string; shape: Shape; rf: number }[] {
  const out: { label: string; shape: Shape; rf: number }[] = [];
  const hosts = s.cluster.brokers.some((b) => b.host !== undefined);
  if (f.fix.addBrokers.length > 0) {
    let next = Math.max(...s.cluster.brokers.map((b) => b.id)) + 1;
    const added: Broker[] = [];
    for (const a of f.fix.addBrokers) {
      for (let i = 0; i < a.count; i++, next++) {
        added.push(broker(next, a.rack ?? undefined, hosts ? { host: `new-host-${String(next)}` } : {}));
      }
    }
    const toBrokers = s.toBrokers === undefined ? {} : { toBrokers: [...s.toBrokers, ...added.map((b) => b.id)] };
    out.push({ label: "add brokers", shape: { ...s, ...toBrokers, cluster: { ...s.cluster, brokers: [...s.cluster.brokers, ...added] } }, rf: f.rf });
  }
  if (f.fix.include.length > 0) {
    const toBrokers = s.toBrokers === undefined ? {} : { toBrokers: [...s.toBrokers, ...f.fix.include] };
    out.push({ label: "include", shape: { ...s, ...toBrokers, exclude: s.exclude.filter((id) => !f.fix.include.includes(id)) }, rf: f.rf });
  }
  if (f.fix.revive.length > 0) {
    const brokers = s.cluster.brokers.map((b): Broker => (f.fix.revive.includes(b.id) ? { ...b, status: "alive" } : b));
    const toBrokers = s.toBrokers === undefined ? {} : { toBrokers: [...s.toBrokers, ...f.fix.revive] };
    out.push({ label: "revive", shape: { ...s, ...toBrokers, cluster: { ...s.cluster, brokers } }, rf: f.rf });
  }
  if (f.fix.receivers.length > 0) out.push({ label: "receivers", shape: { ...s, toBrokers: [...(s.toBrokers ?? []), ...f.fix.receivers] }, rf: f.rf });
  if (f.fix.lowerTo > 0) {
    const topics = s.cluster.topics.map(
      (t): Topic =>
        f.topics.includes(t.name)
          ? { ...t, partitions: t.partitions.map((p) => (p.replicas.length === f.rf ? { ...p, replicas: p.replicas.slice(0, f.fix.lowerTo) } : p)) }
          : t,
    );
    out.push({ label: "lower rf", shape: { ...s, cluster: { ...s.cluster, topics } }, rf: f.fix.lowerTo });
  }
  return out;
}

/** Every fix of every finding clears that finding's replication factor (and, for a lower factor, the old one too). */
function assertFixesWork(s: Shape, kinds: readonly RackFinding["kind"][] = ["rack", "host", "receivers"]): void {
  for (const f of findings(s)) {
    const fixes = fixed(s, f);
    assert.ok(fixes.length > 0, `finding without a fix: ${f.message}`);
    for (const { label, shape, rf } of fixes) {
      const left = findings(shape).filter((g) => (g.rf === rf || g.rf === f.rf) && kinds.includes(g.kind));
      assert.deepEqual(left.map((g) => g.message), [], `fix "${label}" of: ${f.message}`);
    }
  }
}

describe("rack check on hand-made clusters", () => {
  it("finds nothing where RF exceeds the racks but every rack can take its share (RF 3 on 2 racks = 2 + 1)", () => {
    const c: Cluster = { version: 1, brokers: [broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b")], topics: [topic("t", [[1, 2, 3]])] };
    assert.deepEqual(findings({ cluster: c, exclude: [] }), []);
    assert.deepEqual(assess(c).notes, []);
  });

  it("names the short rack when a rack has too few brokers for its share (RF 4 on 2 racks, one of 1 broker)", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a"), broker(2, "a"), broker(3, "a"), broker(4, "b")],
      topics: [topic("orders", [[1, 2, 3, 4], [4, 1, 2, 3]]), topic("logs", [[1, 4]])],
    };
    const s = { cluster: c, exclude: [] };
    const [f, ...rest] = findings(s);
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.kind, "rack");
    assert.equal(f.rf, 4);
    assert.equal(f.share, 2);
    assert.equal(f.partitions, 2);
    assert.deepEqual(f.topics, ["orders"]);
    assert.deepEqual(f.racks, [{ rack: "b", brokers: [4], hosts: 1 }]);
    assert.deepEqual(f.fix.addBrokers, [{ rack: "b", count: 1 }]);
    assert.equal(f.fix.lowerTo, 3);
    assert.equal(
      f.message,
      "rack-spread: 2 partition(s) with replication factor 4 (topic orders) cannot have at most 2 replicas in a rack: " +
        "rack b has 1 eligible broker (4); the plan puts up to 3 replicas of a partition in one rack; " +
        "add 1 broker to rack b, or lower the replication factor of topic orders to 3",
    );
    assertFixesWork(s);
  });

  it("counts every broker a short rack lacks, over several racks (RF 6 on racks of 4, 1 and 1)", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a"), broker(2, "a"), broker(3, "a"), broker(4, "a"), broker(5, "b"), broker(6, "c")],
      topics: [topic("orders", [[1, 2, 3, 4, 5, 6]])],
    };
    const s = { cluster: c, exclude: [] };
    const [f] = findings(s);
    assert.ok(f);
    assert.equal(f.share, 2);
    assert.deepEqual(f.fix.addBrokers, [{ rack: "b", count: 1 }, { rack: "c", count: 1 }]);
    assert.equal(f.fix.lowerTo, 4);
    assert.match(f.message, /rack b has 1 eligible broker \(5\), rack c has 1 eligible broker \(6\); .*add 1 broker to rack b and add 1 broker to rack c, or lower/);
    assertFixesWork(s);
    // One rack of 5 and one of 1: RF 6 wants 3 + 3, so rack b lacks 2.
    const two: Cluster = { ...c, brokers: [...c.brokers.slice(0, 5), broker(6, "a")].map((b) => (b.id === 5 ? broker(5, "b") : b)) };
    const [g] = findings({ cluster: two, exclude: [] });
    assert.ok(g);
    assert.deepEqual(g.fix.addBrokers, [{ rack: "b", count: 2 }]);
    assert.equal(g.fix.lowerTo, 3);
    assertFixesWork({ cluster: two, exclude: [] });
  });

  it("says to stop excluding a broker when that would refill the short rack", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"), broker(5, "b"), broker(6, "c"), broker(7, "c"), broker(8, "a"), broker(9, "c")],
      topics: [topic("orders", [[1, 2, 3, 4, 6, 7]])],
    };
    const s = { cluster: c, exclude: [4, 5] };
    const [f] = findings(s);
    assert.ok(f);
    assert.deepEqual(f.fix.addBrokers, [{ rack: "b", count: 1 }]);
    assert.deepEqual(f.fix.include, [4]);
    assert.match(f.message, /rack b has 1 eligible broker \(3\).*add 1 broker to rack b, stop excluding broker\(s\) 4, or lower the replication factor of topic orders to 5/);
    assertFixesWork(s);
    assert.deepEqual(findings({ cluster: c, exclude: [] }), [], "nothing to report with every broker in");
  });

  it("says to bring back a dead broker", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b", { dead: true }), broker(5, "c"), broker(6, "c"), broker(7, "a")],
      topics: [topic("orders", [[1, 2, 3, 4, 5, 6]])],
    };
    const s = { cluster: c, exclude: [] };
    const [f] = findings(s);
    assert.ok(f);
    assert.deepEqual(f.fix.revive, [4]);
    assert.deepEqual(f.fix.include, []);
    assert.match(f.message, /bring back dead broker\(s\) 4/);
    assertFixesWork(s);
  });

  it("reports the host rule when the brokers suffice but share hosts (the plan lets replicas share a host)", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a", { host: "h1" }), broker(2, "a", { host: "h1" }), broker(3, "b", { host: "h2" }), broker(4, "b", { host: "h2" })],
      topics: [topic("orders", [[1, 3, 2]])],
    };
    const s = { cluster: c, exclude: [] };
    const [f] = findings(s);
    assert.ok(f);
    assert.equal(f.kind, "host");
    assert.deepEqual(f.racks.map((r) => r.rack), ["a", "b"]);
    assert.match(f.message, /cannot have at most 2 replicas in a rack, each on a host of its own: rack a has 2 eligible brokers \(1, 2\) on 1 host/);
    assert.match(f.message, /the plan lets replicas of a partition share a host; add 1 broker \(each on a new host\) to rack a, or lower the replication factor of topic orders to 2/);
    assertFixesWork(s);
  });

  it("reports the host rule kept at the cost of the rack share (RF 4: rack b has 3 brokers on 1 host)", () => {
    const c: Cluster = {
      version: 1,
      brokers: [
        broker(1, "a", { host: "h1" }),
        broker(2, "a", { host: "h2" }),
        broker(3, "a", { host: "h3" }),
        broker(4, "b", { host: "h4" }),
        broker(5, "b", { host: "h4" }),
        broker(6, "b", { host: "h4" }),
      ],
      topics: [topic("orders", [[1, 2, 4, 5]])],
    };
    const s = { cluster: c, exclude: [] };
    const [f] = findings(s);
    assert.ok(f);
    assert.equal(f.kind, "host");
    assert.match(f.message, /rack b has 3 eligible brokers \(4, 5, 6\) on 1 host; the plan puts up to 3 replicas of a partition in one rack;/);
    assert.deepEqual(f.fix.addBrokers, [{ rack: "b", count: 1 }]);
    assertFixesWork(s);
    // The planner keeps hosts apart and puts three replicas in rack a, as the note says.
    const p = planned(plan(c));
    assert.deepEqual(p.notes, [f.message]);
    const replicas = p.after.topics[0]!.partitions[0]!.replicas;
    assert.equal(replicas.filter((id) => id <= 3).length, 3, `three in rack a: [${replicas.join(",")}]`);
    assert.equal(replicas.filter((id) => id >= 4).length, 1, `one in rack b: [${replicas.join(",")}]`);
  });

  it("without racks, counts hosts: fewer hosts than replicas", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, undefined, { host: "h1" }), broker(2, undefined, { host: "h1" }), broker(3, undefined, { host: "h2" }), broker(4, undefined, { host: "h3" })],
      topics: [topic("orders", [[1, 2, 3]])],
    };
    assert.deepEqual(findings({ cluster: c, exclude: [] }), []);
    const s = { cluster: c, exclude: [4] };
    const [f] = findings(s);
    assert.ok(f);
    assert.match(f.message, /every replica on a host of its own: the eligible brokers are on 2 hosts, fewer than 3; .*add 1 broker on a new host, stop excluding broker\(s\) 4, or lower/);
    assertFixesWork(s);
  });

  it("lists a few topics and says how many more", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g"];
    const c: Cluster = { version: 1, brokers: [broker(1, "x"), broker(2, "x"), broker(3, "y")], topics: names.map((n) => topic(n, [[1, 2, 3]])) };
    // RF 3 on racks of 2 and 1 is fine (2 + 1); RF 4 on racks of 4 and 1 is not (rack y takes 1 of its 2).
    assert.deepEqual(findings({ cluster: c, exclude: [] }), []);
    const c4: Cluster = { ...c, brokers: [...c.brokers, broker(4, "x"), broker(5, "x")], topics: names.map((n) => topic(n, [[1, 2, 3, 4]])) };
    const [f] = findings({ cluster: c4, exclude: [] });
    assert.ok(f);
    assert.match(f.message, /\(topics a, b, c, d, e, … 2 more\)/);
    assert.equal(f.topics.length, 7);
    assertFixesWork({ cluster: c4, exclude: [] });
  });

  it("with --to-brokers, names the brokers to list when a partition cannot reach a rack", () => {
    const c: Cluster = {
      version: 1,
      brokers: [broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"), broker(5, "b", { dead: true }), broker(6, "c"), broker(7, "c")],
      topics: [topic("orders", [[1, 5, 6], [2, 3, 7]])],
    };
    const s: Shape = { cluster: c, exclude: [], toBrokers: [2] };
    const [f] = findings(s);
    assert.ok(f);
    assert.equal(f.kind, "receivers");
    assert.equal(f.partitions, 1);
    assert.deepEqual(f.fix.receivers, [3]);
    assert.match(f.message, /rack b has no broker of --to-brokers; .*add broker\(s\) 3 to --to-brokers, or plan without --to-brokers/);
    assertFixesWork(s);
    assert.deepEqual(findings({ cluster: c, exclude: [] }), [], "without the list the racks suffice");
  });

  it("leaves fewer eligible brokers than replicas to the infeasible problem, which names the fixes", () => {
    const c: Cluster = { version: 1, brokers: [broker(1, "a"), broker(2, "a"), broker(3, "b")], topics: [topic("orders", [[1, 2, 3]])] };
    assert.deepEqual(findings({ cluster: c, exclude: [3] }), []);
    const outcome = plan(c, { excludeBrokers: [3] });
    assert.equal(outcome.status, "infeasible");
    assert.match(
      outcome.status === "infeasible" ? outcome.problems[0]!.message : "",
      /only 2 broker\(s\) are alive and not excluded; add 1 broker\(s\), stop excluding broker\(s\) 3, or lower its replication factor to 2/,
    );
  });
});

/** Partitions of the plan that break the ideal rule: more than ceil(RF / R) in a rack, or two on a host. */
function idealViolations(cluster: Cluster, after: Cluster, eligible: ReadonlySet<number>): string[] {
  const byId = new Map(cluster.brokers.map((b) => [b.id, b]));
  const racks = new Set(cluster.brokers.filter((b) => eligible.has(b.id)).map(rackKey));
  const out: string[] = [];
  for (const t of after.topics) {
    for (const p of t.partitions) {
      const share = Math.ceil(p.replicas.length / racks.size);
      const perRack = new Map<string, number>();
      const hosts = new Set<string>();
      for (const id of p.replicas) {
        const b = byId.get(id)!;
        perRack.set(rackKey(b), (perRack.get(rackKey(b)) ?? 0) + 1);
        if (hosts.has(hostKey(b))) out.push(`${t.name}-${String(p.partition)}: two replicas on one host`);
        hosts.add(hostKey(b));
      }
      for (const [r, n] of perRack) if (n > share) out.push(`${t.name}-${String(p.partition)}: ${String(n)} in ${r} (share ${String(share)})`);
    }
  }
  return out;
}

/** A cluster that prints as the generator call that made it. */
function recipe(cluster: Cluster, options: GenerateOptions, seed: number): { cluster: Cluster } {
  const text = `generateCluster(${JSON.stringify(options)}, createRng(${String(seed)}))`;
  return { cluster, [fc.toStringMethod]: () => text } as { cluster: Cluster };
}

/**
 * The shared generated clusters, and as many again with replication factors up to 5 (at least 6
 * brokers), where racks run short more often; with excluded brokers that leave enough for every partition.
 */
const wideArb: fc.Arbitrary<{ cluster: Cluster }> = fc
  .tuple(generateOptionsArb, fc.integer({ min: 1, max: 5 }), seedArb)
  .map(([o, rf, seed]) => {
    const options: GenerateOptions = { ...o, brokers: Math.max(6, o.brokers ?? 6), replicationFactor: { min: Math.min(3, rf), max: rf } };
    return recipe(generateCluster(options, createRng(seed)), options, seed);
  });
const shapeArb = fc
  .oneof(clusterArb.map((c) => recipe(c.cluster, c.options, c.seed)), wideArb)
  .chain((c) => excludeArb(c.cluster, largestRf(c.cluster)).map((exclude) => ({ c, exclude })));

test("property: no finding means the plan meets the ideal rack rule; a finding is in the plan's notes", () => {
  let found = 0;
  fc.assert(
    fc.property(shapeArb, ({ c, exclude }) => {
      const options = exclude.length > 0 ? { excludeBrokers: exclude } : {};
      const list = findings({ cluster: c.cluster, exclude });
      const p = planned(plan(c.cluster, options));
      assert.deepEqual(
        p.notes.filter((n) => n.startsWith("rack-spread:")),
        list.map((f) => f.message),
      );
      if (list.length > 0) {
        found++;
        return;
      }
      assert.deepEqual(idealViolations(c.cluster, p.after, eligibleIds(c.cluster, options)), []);
    }),
    RUNS,
  );
  assert.ok(found > 0, "some generated clusters have a finding");
});

test("property: each fix a finding suggests clears the finding", () => {
  fc.assert(
    fc.property(shapeArb, ({ c, exclude }) => {
      assertFixesWork({ cluster: c.cluster, exclude });
    }),
    RUNS,
  );
});

test("property: with --to-brokers, a finding's fix clears it (a list fix clears every finding of its factor)", () => {
  const arb = shapeArb.chain(({ c, exclude }) => {
    const eligible = aliveIds(c.cluster).filter((id) => !exclude.includes(id));
    return fc.subarray(eligible, { minLength: 1 }).map((toBrokers) => ({ c, exclude, toBrokers }));
  });
  let receivers = 0;
  fc.assert(
    fc.property(arb, ({ c, exclude, toBrokers }) => {
      const s: Shape = { cluster: c.cluster, exclude, toBrokers };
      if (findings(s).some((f) => f.kind === "receivers")) receivers++;
      // New or returning brokers are listed too; the racks' own shortage is then gone (the list may still lack a rack).
      assertFixesWork(s, ["rack", "host"]);
      for (const f of findings(s).filter((g) => g.kind === "receivers")) {
        const after = findings({ ...s, toBrokers: [...toBrokers, ...f.fix.receivers] }).filter((g) => g.rf === f.rf);
        assert.deepEqual(after.map((g) => g.message), [], f.message);
      }
    }),
    RUNS,
  );
  assert.ok(receivers > 0, "some generated cases have a --to-brokers finding");
});
