/**
 * The capacity goal and the network-in, network-out and leader-bytes balance goals: their status and
 * acceptance on hand-made clusters, leadership before data movement, capacity infeasibility messages,
 * and properties over generated clusters (limits kept, bands reached where loads are fine-grained,
 * deterministic, idempotent).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Broker, Capacity, Cluster, Partition } from "../../src/model/types.js";
import { assess, plan } from "../../src/solver/index.js";
import { capacityGoal } from "../../src/solver/goals/capacity.js";
import { networkInGoal } from "../../src/solver/goals/network-in.js";
import { networkOutGoal } from "../../src/solver/goals/network-out.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import type { PlanOptions } from "../../src/solver/types.js";
import { assertIdempotent, planned, validPlan } from "../support/invariants.js";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

function broker(id: number, rack: string, capacity: Capacity = {}): Broker {
  return { id, rack, status: "alive", capacity };
}

function part(topic: string, partition: number, replicas: number[], load: { size?: number; bytesIn?: number; bytesOut?: number } = {}): Partition {
  return { topic, partition, replicas, leader: replicas[0]!, size: load.size ?? GIB, bytesIn: load.bytesIn ?? 0, bytesOut: load.bytesOut ?? 0 };
}

function cluster(brokers: Broker[], partitions: Partition[]): Cluster {
  const byTopic = new Map<string, Partition[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return { version: 1, brokers, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })) };
}

function prepared(c: Cluster, options: { networkThreshold?: number } = {}): { state: PlacementState; targets: Targets } {
  const state = new PlacementState(c, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  return { state, targets: new Targets(state, { rackSpread: true, diskThreshold: 0.1, ...options }) };
}

/** Per broker id: the broker's load after the plan, from the report. */
function loads(report: ReturnType<typeof assess>, key: "disk" | "networkIn" | "networkOut"): Map<number, number> {
  return new Map(report.brokers.map((b) => [b.id, b[key]]));
}

test("capacity: trivially satisfied without capacities, and says so", () => {
  const c = cluster([broker(1, "a"), broker(2, "b")], [part("t", 0, [1, 2])]);
  const { state, targets } = prepared(c);
  const s = capacityGoal.status(state, targets);
  assert.equal(s.satisfied, true);
  assert.equal(s.detail, "no capacity given for disk, network in, network out: nothing to limit");
  assert.equal(capacityGoal.score(state, targets), 0);
});

test("the report names, per resource, the eligible brokers without a capacity", () => {
  const brokers = [broker(1, "a", { disk: 10 * GIB, networkIn: MIB }), broker(2, "a", { disk: 10 * GIB }), broker(3, "b", { networkIn: MIB }), broker(4, "b")];
  const c = cluster([...brokers, { ...broker(5, "b"), status: "dead" }], [part("t", 0, [1, 3])]);
  assert.deepEqual(assess(c).unknownCapacity, [
    { resource: "disk", brokers: [3, 4] },
    { resource: "networkIn", brokers: [2, 4] },
    { resource: "networkOut", brokers: [1, 2, 3, 4] },
  ]);
  assert.deepEqual(assess(c, { excludeBrokers: [3, 4] }).unknownCapacity, [
    { resource: "networkIn", brokers: [2] },
    { resource: "networkOut", brokers: [1, 2] },
  ], "dead and excluded brokers need none");
  const full = { disk: GIB, networkIn: MIB, networkOut: MIB };
  assert.deepEqual(assess(cluster([broker(1, "a", full), broker(2, "b", full)], [part("t", 0, [1, 2])])).unknownCapacity, []);
});

test("capacity: an overloaded broker is relieved below threshold × capacity", () => {
  // 4 brokers in 2 racks with 10 GiB disks (limit 8.5 GiB); broker 1 holds 10 replicas of 1 GiB.
  const brokers = [1, 2, 3, 4].map((id) => broker(id, id <= 2 ? "a" : "b", { disk: 10 * GIB }));
  const parts = Array.from({ length: 10 }, (_, i) => part("t", i, [1, 3 + (i % 2)]));
  const c = cluster(brokers, parts);
  const before = assess(c);
  const cap = before.goals.find((g) => g.goal === "capacity")!;
  assert.equal(cap.satisfied, false);
  assert.match(cap.detail, /disk at most 100% of capacity \(limit 85%\), 1 broker\(s\) over/);
  assert.match(cap.detail, /no capacity given for network in, network out/);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity"] }), {});
  for (const [id, disk] of loads(p.balanceAfter, "disk")) assert.ok(disk <= 0.85 * 10 * GIB, `broker ${String(id)} holds ${String(disk)}`);
  assert.ok(p.balanceAfter.goals.find((g) => g.goal === "capacity")!.satisfied);
});

test("capacity: accepts only actions that leave every touched broker no further over any limit", () => {
  const brokers = [broker(1, "a", { disk: 10 * GIB, networkIn: 100 * MIB, networkOut: 100 * MIB }), broker(2, "b", { disk: 10 * GIB, networkIn: 100 * MIB, networkOut: 100 * MIB }), broker(3, "c", { disk: 10 * GIB, networkIn: 100 * MIB, networkOut: 100 * MIB })];
  // Broker 2 is at its network-in limit (80 MiB/s); partition 0 would add 10 MiB/s to it.
  const c = cluster(brokers, [part("t", 0, [1], { bytesIn: 10 * MIB }), part("t", 1, [2], { bytesIn: 80 * MIB }), part("t", 2, [3], { bytesIn: 1 * MIB, bytesOut: 90 * MIB })]);
  const { state, targets } = prepared(c);
  assert.equal(capacityGoal.accepts({ kind: "move", p: 0, slot: 0, to: 1 }, state, targets), false, "network in over the limit");
  assert.equal(capacityGoal.accepts({ kind: "move", p: 0, slot: 0, to: 2 }, state, targets), true);
  // Partition 2's leader sends 91 MiB/s, over every limit: moving its replica takes broker 1 over (a
  // move raises no aim, even onto a broker sending nothing).
  assert.equal(capacityGoal.accepts({ kind: "move", p: 2, slot: 0, to: 0 }, state, targets), false);
});

test("capacity: a partition over every network-out limit is a floor on its leader, which may lead it and nothing else", () => {
  // Limit 80 MiB/s. hot-0 and hot-1 (91 and 101 MiB/s out) are both led by broker 1; broker 2 follows
  // hot-0 and leads nothing, broker 3 follows hot-1 and leads t-0 (10 MiB/s); broker 4 holds nothing.
  const brokers = ["a", "b", "c", "d"].map((rack, i) => broker(i + 1, rack, { networkOut: 100 * MIB }));
  const c = cluster(brokers, [
    part("hot", 0, [1, 2], { bytesIn: MIB, bytesOut: 90 * MIB }),
    part("hot", 1, [1, 3], { bytesIn: MIB, bytesOut: 100 * MIB }),
    part("t", 0, [3, 1], { bytesIn: MIB, bytesOut: 9 * MIB }),
  ]);
  const { state, targets } = prepared(c);
  assert.deepEqual(Array.from(targets.heavyLeads), [0, 1]);
  assert.equal(capacityGoal.accepts({ kind: "lead", p: 0, slot: 1 }, state, targets), true, "broker 2 leads hot-0 alone: at its floor");
  assert.equal(capacityGoal.accepts({ kind: "lead", p: 1, slot: 1 }, state, targets), false, "broker 3 would lead t-0 too: further over");
  assert.equal(capacityGoal.accepts({ kind: "move", p: 0, slot: 0, to: 3 }, state, targets), false, "a move raises no aim, even onto an idle broker");
  // Broker 1 is held to its heavier partition (101 MiB/s), so the 91 over it is its excess; handing
  // hot-0 on removes it, and the score says so.
  const before = capacityGoal.score(state, targets);
  assert.ok(Math.abs(before - 91 * MIB) < 1, String(before / MIB));
  state.apply({ kind: "lead", p: 0, slot: 1 });
  assert.ok(capacityGoal.score(state, targets) < 1, String(capacityGoal.score(state, targets)));
  // Broker 1 now leads hot-1 alone, at its floor: it takes no more (t-0's leadership).
  assert.equal(capacityGoal.accepts({ kind: "lead", p: 2, slot: 1 }, state, targets), false);
});

test("capacity: heavy partitions led by one broker are spread, each to a follower that hands on all it led", () => {
  // Limit 80 MiB/s; hot-0 (91) and hot-1 (101) start on broker 1. Broker 3 follows hot-0 and leads
  // t-0 (10, followed by broker 4 with room) and an idle partition: it hands t-0 on and leads hot-0
  // with nothing else that sends a byte. Nothing moves.
  const brokers = ["a", "b", "c", "d"].map((rack, i) => broker(i + 1, rack, { networkOut: 100 * MIB }));
  const c = cluster(brokers, [
    part("hot", 0, [1, 3], { bytesIn: MIB, bytesOut: 90 * MIB }),
    part("hot", 1, [1, 2], { bytesIn: MIB, bytesOut: 100 * MIB }),
    part("t", 0, [3, 4], { bytesIn: MIB, bytesOut: 9 * MIB }),
    part("u", 0, [2, 4], { bytesIn: MIB, bytesOut: 40 * MIB }),
    part("idle", 0, [3, 1], { bytesIn: 0, bytesOut: 0 }),
  ]);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity"] }), {});
  assert.equal(p.moves, 0);
  const leaders = new Map(p.after.topics.flatMap((t) => t.partitions.map((x) => [`${t.name}-${String(x.partition)}`, x.replicas[0]!])));
  assert.equal(leaders.get("hot-1"), 1);
  assert.equal(leaders.get("hot-0"), 3);
  assert.equal(leaders.get("t-0"), 4);
  const out = p.balanceAfter.capacity!.resources.find((r) => r.resource === "networkOut")!;
  assert.ok(Math.abs(out.maxUtilization - out.floor) < 1e-9, `${String(out.maxUtilization)} vs floor ${String(out.floor)}`);
});

test("best effort: an overloaded scale-out is planned, the new brokers take load, no broker ends more loaded than it could", () => {
  // Three loaded brokers (one per rack) and three new, empty ones: network in averages 90% of capacity
  // over all six, above the 80% threshold, so the limits cannot be met.
  const brokers = [1, 2, 3, 4, 5, 6].map((id) => broker(id, ["a", "b", "c"][(id - 1) % 3]!, { networkIn: 100 * MIB }));
  const parts = Array.from({ length: 60 }, (_, i) => part("t", i, [1, 2, 3].map((_, k) => 1 + ((i + k) % 3)), { bytesIn: 3 * MIB }));
  const c = cluster(brokers, parts);
  const strict = plan(c, { strictCapacity: true });
  assert.equal(strict.status, "infeasible");
  const p = validPlan(c, plan(c), {});
  const capacity = p.balanceAfter.capacity!;
  assert.equal(capacity.feasible, false);
  assert.match(capacity.problems[0]!.message, /^network in: the cluster needs 540 MiB\/s but its 6 broker\(s\)/);
  const netIn = capacity.resources.find((r) => r.resource === "networkIn")!;
  assert.equal(netIn.floorCause, "cluster");
  assert.ok(Math.abs(netIn.floor - 0.9) < 1e-9, String(netIn.floor));
  // The old brokers start at 180%; the plan takes them down to the band around the 90% mean.
  assert.ok(p.balanceBefore.capacity!.resources.find((r) => r.resource === "networkIn")!.maxUtilization > 1.7);
  assert.ok(netIn.maxUtilization <= 0.9 * 1.1 + 1e-9, String(netIn.maxUtilization));
  assert.ok(netIn.maxUtilization >= netIn.floor - 1e-9);
  const status = p.balanceAfter.goals.find((g) => g.goal === "capacity")!;
  assert.equal(status.satisfied, false);
  assert.match(status.detail, /network in at most \d+% of capacity \(limit 80%, cannot be met: no placement goes below 90%\)/);
  assertIdempotent(plan(p.after));
});

test("best effort: a partition heavier than any limit stays where it is, and its broker gives up everything else", () => {
  // Partition hot-0's leader sends 90 MiB/s, over every broker's 80 MiB/s network-out limit.
  const brokers = [1, 2, 3].map((id) => broker(id, ["a", "b", "c"][id - 1]!, { networkOut: 100 * MIB }));
  const parts = [part("hot", 0, [1, 2], { bytesIn: MIB, bytesOut: 89 * MIB }), ...Array.from({ length: 12 }, (_, i) => part("t", i, [1, 1 + ((i % 2) + 1)], { bytesIn: MIB, bytesOut: 2 * MIB }))];
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity"] }), {});
  const out = p.balanceAfter.capacity!.resources.find((r) => r.resource === "networkOut")!;
  assert.equal(out.floorCause, "partition");
  assert.match(out.floorDetail, /partition hot-0/);
  assert.equal(out.brokersOver, 1);
  // The hot partition's leader leads nothing else; every other broker is within its limit.
  const led = new Map(p.balanceAfter.brokers.map((b) => [b.id, b]));
  const hotLeader = p.after.topics.find((t) => t.name === "hot")!.partitions[0]!.replicas[0]!;
  assert.ok(Math.abs(led.get(hotLeader)!.networkOut - 90 * MIB) < 1, String(led.get(hotLeader)!.networkOut));
  for (const b of p.balanceAfter.brokers) if (b.id !== hotLeader) assert.ok(b.networkOut <= 80 * MIB, `broker ${String(b.id)}`);
});

test("best effort: a broker leading an over-limit partition sheds its other leaderships through a follower that makes room", () => {
  // Network out limit 80 MiB/s everywhere. Broker 1 (rack a, alone) leads hot-0 (90) and x-0 (30); x-0's
  // only other replica is on broker 2, which leads three y partitions (25 each, 75 in all). Broker 4
  // leads 55 and follows the y partitions. No replica can move: rack a has one broker, and broker 4
  // (rack c) has no room for x-0. Broker 2 hands one y to broker 4 (80), then takes x-0 (80).
  const brokers = [broker(1, "a", { networkOut: 100 * MIB }), broker(2, "b", { networkOut: 100 * MIB }), broker(3, "b", { networkOut: 100 * MIB }), broker(4, "c", { networkOut: 100 * MIB })];
  const parts = [
    part("hot", 0, [1, 2], { bytesIn: MIB, bytesOut: 89 * MIB }),
    part("x", 0, [1, 2], { bytesIn: MIB, bytesOut: 29 * MIB }),
    ...[0, 1, 2].map((i) => part("y", i, [2, 4], { bytesIn: MIB, bytesOut: 24 * MIB })),
    part("w", 0, [4, 3], { bytesIn: MIB, bytesOut: 54 * MIB }),
  ];
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity"] }), {});
  assert.equal(p.moves, 0);
  const out = new Map(p.balanceAfter.brokers.map((b) => [b.id, b.networkOut]));
  assert.ok(Math.abs(out.get(1)! - 90 * MIB) < 1, `broker 1 sends ${String(out.get(1)! / MIB)} MiB/s`);
  for (const id of [2, 3, 4]) assert.ok(out.get(id)! <= 80 * MIB + 1, `broker ${String(id)} sends ${String(out.get(id)! / MIB)} MiB/s`);
  assert.equal(p.after.topics.find((t) => t.name === "x")!.partitions[0]!.replicas[0], 2);
});

test("capacity: a broker far over its network-out limit hands leaderships from one ranking, each still its own and still a gain", () => {
  // Network-out limit 160 MiB/s. Broker 1 leads 40 partitions of 10 MiB/s each (400 MiB/s, 2.5 × its
  // limit), each followed by two of brokers 2–5. Handed on in batches (the broker is far over), and no
  // leadership is handed twice or past the limit: exactly the 24 changes that bring it to 160.
  const brokers = [1, 2, 3, 4, 5].map((id) => broker(id, "abcde"[id - 1]!, { networkOut: 200 * MIB }));
  const parts = Array.from({ length: 40 }, (_, i) => part("t", i, [1, 2 + (i % 4), 2 + ((i + 1) % 4)], { bytesIn: MIB, bytesOut: 8 * MIB }));
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity"] }), {});
  assert.equal(p.moves, 0);
  assert.equal(p.leaderChanges, 24);
  const out = new Map(p.balanceAfter.brokers.map((b) => [b.id, b.networkOut]));
  assert.ok(Math.abs(out.get(1)! - 160 * MIB) < 1, `broker 1 sends ${String(out.get(1)! / MIB)} MiB/s`);
  for (const id of [2, 3, 4, 5]) assert.ok(out.get(id)! <= 160 * MIB, `broker ${String(id)} sends ${String(out.get(id)! / MIB)} MiB/s`);
});

test("leader: a broker at its network-out limit trades a heavy leadership for a light one to take more leaders", () => {
  // Limit 80 MiB/s. Broker 1 leads 80 MiB/s in 3 partitions, below the band (22 partitions, 5–6 per
  // broker); broker 2 leads 9 partitions of 5 that only broker 1 follows. Broker 1 hands r (40) to
  // broker 3 for r' (10), then takes leaderships from broker 2.
  const brokers = [1, 2, 3, 4].map((id) => broker(id, ["a", "b", "c", "d"][id - 1]!, { networkOut: 100 * MIB }));
  const out = (mib: number): { bytesIn: number; bytesOut: number } => ({ bytesIn: 0, bytesOut: mib * MIB });
  const parts = [
    part("r", 0, [1, 3], out(40)),
    ...[0, 1].map((i) => part("s", i, [1, 2], out(20))),
    ...Array.from({ length: 9 }, (_, i) => part("l", i, [2, 1], out(5))),
    part("q", 0, [3, 1], out(10)),
    ...Array.from({ length: 4 }, (_, i) => part("t", i, [3, 4], out(5))),
    ...Array.from({ length: 5 }, (_, i) => part("v", i, [4, 3], out(5))),
  ];
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "capacity", "leader"] }), {});
  assert.equal(p.moves, 0);
  const leader = p.balanceAfter.goals.find((g) => g.goal === "leader")!;
  assert.equal(leader.satisfied, true, leader.detail);
  for (const b of p.balanceAfter.brokers) assert.ok(b.networkOut <= 80 * MIB + 1, `broker ${String(b.id)} sends ${String(b.networkOut / MIB)} MiB/s`);
});

test("replica count: a broker at its disk limit swaps a heavy replica for a light one to take the replica it lacks", () => {
  // Disk limit 85 GiB. Broker 1 holds 60 + 24 GiB in 2 replicas, below its count band (11 replicas,
  // 3–4 per broker); every 2 GiB replica of broker 2 (5 replicas) would take it over, and broker 3 is
  // at the top of the band: no move is accepted. Broker 1 swaps its 24 GiB replica for broker 3's
  // 3 GiB one (broker 3 ends at 30 GiB), then takes one from broker 2.
  const brokers = [1, 2, 3].map((id) => broker(id, "a", { disk: 100 * GIB }));
  const size = (gib: number): { size: number } => ({ size: gib * GIB });
  const parts = [
    part("h", 0, [1], size(60)),
    part("m", 0, [1], size(24)),
    ...Array.from({ length: 5 }, (_, i) => part("s", i, [2], size(2))),
    part("l", 0, [3], size(3)),
    ...[0, 1, 2].map((i) => part("z", i, [3], size(2))),
  ];
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["capacity", "replica-count"] }), {});
  assert.equal(p.moves, 3); // the swap's two, and the move
  const count = p.balanceAfter.goals.find((g) => g.goal === "replica-count")!;
  assert.equal(count.satisfied, true, count.detail);
  for (const b of p.balanceAfter.brokers) assert.ok(b.disk <= 85 * GIB, `broker ${String(b.id)} holds ${String(b.disk / GIB)} GiB`);
});

test("best effort: a broker over its disk limit with replicas too heavy for any other broker's room sheds one after another broker makes room", () => {
  // Disk limit 85 GiB. Broker 1 holds two 50 GiB replicas (100 GiB); brokers 2–4 hold 40 GiB each in
  // 2 GiB replicas, so neither heavy replica fits anywhere (no move or swap is accepted). Broker 2
  // moves three of its replicas aside, then takes one of broker 1's.
  const brokers = [1, 2, 3, 4].map((id) => broker(id, "a", { disk: 100 * GIB }));
  const parts = [
    ...[0, 1].map((i) => part("h", i, [1], { size: 50 * GIB })),
    ...Array.from({ length: 60 }, (_, i) => part("s", i, [2 + (i % 3)], { size: 2 * GIB })),
  ];
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["capacity"] }), {});
  const disk = new Map(p.balanceAfter.brokers.map((b) => [b.id, b.disk / GIB]));
  assert.equal(disk.get(1), 50);
  for (const [id, gib] of disk) assert.ok(gib <= 85, `broker ${String(id)} holds ${String(gib)} GiB`);
  assert.equal(p.balanceAfter.goals.find((g) => g.goal === "capacity")!.satisfied, true);
});

test("leader band: a broker leading a partition above every network-out limit leads it alone, the others share the rest", () => {
  // 4 brokers, 13 partitions; hot-0's leader sends 90 MiB/s where every broker may send 80 MiB/s.
  const brokers = [1, 2, 3, 4].map((id) => broker(id, ["a", "b", "c", "d"][id - 1]!, { networkOut: 100 * MIB }));
  const parts = [part("hot", 0, [1, 2], { bytesIn: MIB, bytesOut: 89 * MIB }), ...Array.from({ length: 12 }, (_, i) => part("t", i, [1 + (i % 4), 1 + ((i + 1) % 4)], { bytesIn: MIB, bytesOut: MIB }))];
  const c = cluster(brokers, parts);
  const { state, targets } = prepared(c);
  assert.deepEqual([...targets.heavyLeads], [0]);
  // 12 other partitions over 3 other brokers: 4 each (13 / 4 would ask for 3–4 everywhere).
  assert.equal(targets.leaderMin, 4);
  assert.equal(targets.leaderMax, 4);
  const hotLeader = state.brokerAt(0, 0);
  assert.equal(targets.leaderMinOf(state, hotLeader), 1);
  assert.equal(targets.leaderMaxOf(state, hotLeader), 1);
  const p = validPlan(c, plan(c), {});
  const leader = p.balanceAfter.goals.find((g) => g.goal === "leader")!;
  assert.equal(leader.satisfied, true, leader.detail);
  assert.match(leader.detail, /target 4 \(1 broker\(s\) leading a partition above every broker's network-out limit: those only\)/);
  const leads = new Map<number, number>();
  for (const t of p.after.topics) for (const q of t.partitions) leads.set(q.replicas[0]!, (leads.get(q.replicas[0]!) ?? 0) + 1);
  const hot = p.after.topics.find((t) => t.name === "hot")!.partitions[0]!.replicas[0]!;
  assert.equal(leads.get(hot), 1);
  for (const b of [1, 2, 3, 4]) if (b !== hot) assert.equal(leads.get(b), 4, `broker ${String(b)}`);
  // Without network-out capacities there is no heavy partition and the band is the plain one.
  const plain = prepared(cluster([1, 2, 3, 4].map((id) => broker(id, ["a", "b", "c", "d"][id - 1]!)), parts));
  assert.equal(plain.targets.heavyLeads.length, 0);
  assert.equal(plain.targets.leaderMax, 4);
  assert.equal(plain.targets.leaderMin, 3);
});

test("strict capacity, infeasible: too little disk in the cluster names the resource, brokers, shortfall and fixes", () => {
  const brokers = [1, 2, 3].map((id) => broker(id, ["a", "b", "c"][id - 1]!, { disk: 100 * GIB }));
  const parts = Array.from({ length: 30 }, (_, i) => part("t", i, [1, 2, 3], { size: 3 * GIB }));
  const c = cluster(brokers, parts);
  const outcome = plan(c, { strictCapacity: true });
  assert.equal(outcome.status, "infeasible");
  if (outcome.status !== "infeasible") return;
  const [first] = outcome.problems;
  assert.equal(first?.rule, "capacity");
  // 270 GiB needed, 3 × 85 GiB = 255 GiB allowed: short by 15 GiB, one more 100 GiB broker or threshold 0.90.
  assert.match(first?.message ?? "", /^disk: the cluster needs 270 GiB but its 3 broker\(s\) \(1, 2, 3\) may carry 255 GiB \(85% of 300 GiB\), short by 15 GiB/);
  assert.match(first?.message ?? "", /add 1 broker\(s\) with 100 GiB of disk capacity/);
  assert.match(first?.message ?? "", /raise the disk capacity threshold to 0\.90/);
  // A higher threshold makes it feasible.
  assert.equal(plan(c, { capacityThreshold: { disk: 0.9 }, strictCapacity: true }).status, "planned");
  // Without the capacity goal there is no limit to break.
  assert.equal(plan(c, { goals: ["rack-spread", "replica-count"], strictCapacity: true }).status, "planned");
});

test("strict capacity, infeasible: a rack whose brokers cannot hold their share under the rack rule", () => {
  // RF 3 over 3 racks: every rack holds one replica of each partition; rack c has only 20 GiB.
  const brokers = [broker(1, "a", { disk: 100 * GIB }), broker(2, "b", { disk: 100 * GIB }), broker(3, "c", { disk: 20 * GIB }), broker(4, "a", { disk: 100 * GIB })];
  const parts = Array.from({ length: 20 }, (_, i) => part("t", i, [1, 2, 3]));
  const outcome = plan(cluster(brokers, parts), { strictCapacity: true });
  assert.equal(outcome.status, "infeasible");
  if (outcome.status !== "infeasible") return;
  const rack = outcome.problems.find((p) => p.path === "racks[c]");
  assert.ok(rack, JSON.stringify(outcome.problems));
  assert.match(rack.message, /disk: rack c needs 20 GiB but its 1 broker\(s\) \(3\) may carry 17 GiB/);
  assert.match(rack.message, /add 1 broker\(s\) in rack c/);
  assert.match(rack.message, /lower the replication factor/);
});

test("strict capacity, infeasible: a partition too large for any broker names the partition", () => {
  const brokers = [broker(1, "a", { networkOut: 100 * MIB }), broker(2, "b", { networkOut: 100 * MIB })];
  const outcome = plan(cluster(brokers, [part("big", 0, [1, 2], { bytesIn: MIB, bytesOut: 90 * MIB }), part("big", 1, [2, 1])]), { strictCapacity: true });
  assert.equal(outcome.status, "infeasible");
  if (outcome.status !== "infeasible") return;
  assert.equal(outcome.problems[0]?.path, "topics[big].partitions[0]");
  assert.match(outcome.problems[0]?.message ?? "", /network out: partition big-0 does not fit on any broker: its leader sends 91 MiB\/s, the largest limit is 80 MiB\/s/);
  assert.match(outcome.problems[0]?.message ?? "", /raise the network-out capacity threshold to 0\.91/);
});

test("network out: leadership changes fix it without moving data", () => {
  // Every partition led by broker 1; followers 2 and 3 can take leadership.
  const brokers = [1, 2, 3].map((id) => broker(id, ["a", "b", "c"][id - 1]!));
  // 30 partitions sending 5 MiB/s each from their leader: ideal 50 MiB/s per broker, band ±10%.
  const parts = Array.from({ length: 30 }, (_, i) => part("t", i, [1, 2, 3], { bytesIn: MIB, bytesOut: 3 * MIB }));
  const c = cluster(brokers, parts);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "network-out"] }));
  assert.equal(p.moves, 0);
  // Broker 1 must give up at least 19 of its 30 leaderships to reach 55 MiB/s.
  assert.ok(p.leaderChanges >= 19 && p.leaderChanges <= 20, `leader changes ${String(p.leaderChanges)}`);
  for (const b of p.balanceAfter.brokers) assert.ok(b.networkOut >= 45 * MIB && b.networkOut <= 55 * MIB, `broker ${String(b.id)}: ${String(b.networkOut)}`);
  assert.ok(p.balanceAfter.goals.find((g) => g.goal === "network-out")!.satisfied);
});

test("network in: status and acceptance follow the band; leadership changes do not touch it", () => {
  const brokers = [1, 2, 3, 4].map((id) => broker(id, id % 2 === 0 ? "a" : "b"));
  const parts = [part("t", 0, [1, 2], { bytesIn: 10 * MIB }), part("t", 1, [1, 2], { bytesIn: 10 * MIB }), part("t", 2, [3, 4], { bytesIn: MIB })];
  const c = cluster(brokers, parts);
  const { state, targets } = prepared(c);
  const s = networkInGoal.status(state, targets);
  assert.equal(s.satisfied, false);
  assert.match(s.detail, /4 broker\(s\) outside the threshold/);
  assert.equal(networkInGoal.accepts({ kind: "lead", p: 0, slot: 1 }, state, targets), true);
  assert.equal(networkInGoal.accepts({ kind: "move", p: 2, slot: 0, to: 0 }, state, targets), false, "more onto the busiest broker");
  assert.equal(networkInGoal.accepts({ kind: "move", p: 0, slot: 0, to: 2 }, state, targets), true);
  assert.ok(networkOutGoal.score(state, targets) > 0);
});

// ---- properties over generated clusters ---------------------------------------------------------

const RUNS = { seed: 11, numRuns: 25 };

/** Many small, similar partitions per broker: loads fine-grained enough for every band to be reachable. */
function fineGrained(seed: number, extra: GenerateOptions = {}): Cluster {
  return generateCluster(
    {
      brokers: 6,
      racks: 3,
      topics: 6,
      partitions: { min: 20, max: 30 },
      size: { kind: "uniform", mean: GIB, spread: 0.3 },
      traffic: { noise: 0.3, fanOut: { min: 1, max: 3 } },
      placement: "skewed",
      ...extra,
    },
    createRng(seed),
  );
}

/** Network before leader counts (Cruise Control's order): bytes over counts. */
const BYTES_FIRST: PlanOptions = {
  goals: ["rack-spread", "capacity", "replica-count", "disk", "topic-spread", "network-in", "network-out", "leader-bytes", "leader"],
};

test("property: on equal-capacity fine-grained clusters, with the byte goals before leader counts, network in and network out end within ±10% of the ideal", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
      const c = fineGrained(seed);
      const p = validPlan(c, plan(c, BYTES_FIRST), BYTES_FIRST);
      for (const goal of ["disk", "network-in", "network-out"]) {
        const g = p.balanceAfter.goals.find((x) => x.goal === goal)!;
        assert.ok(g.satisfied, `${goal}: ${g.detail}`);
      }
      assert.ok(p.balanceAfter.summary.networkIn.maxDeviationRatio <= 0.1 + 1e-9);
      assert.ok(p.balanceAfter.summary.networkOut.maxDeviationRatio <= 0.1 + 1e-9);
    }),
    RUNS,
  );
});

test("property: with the default order (leader counts before the byte goals), network out still ends within ±10% and leaders within 1, by leadership trades", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
      const c = fineGrained(seed);
      const p = validPlan(c, plan(c, {}));
      const g = p.balanceAfter.goals.find((x) => x.goal === "network-out")!;
      assert.ok(g.satisfied, `network-out: ${g.detail}`);
      assert.ok(p.balanceAfter.summary.networkOut.maxDeviationRatio <= 0.1 + 1e-9);
      const leaders = p.balanceAfter.summary.leaderCount;
      assert.ok(leaders.max - leaders.min <= 1, `leaders ${String(leaders.min)}–${String(leaders.max)}`);
    }),
    RUNS,
  );
});

test("uneven racks, default order: network in and out reach ±10% where replica counts and topic spread leave only swaps of one topic's replicas", () => {
  // 30 brokers in racks sized 2:3:5, random placement. Replica counts end at their band's edge and
  // topics at theirs, so the best-ranked moves and mixed-topic swaps are all refused; the band greedy
  // must still reach the swaps that keep every count (seeds 1 and 3 used to end at 14.6% network out
  // and 14.1% network in).
  for (const seed of [1, 3]) {
    const c = generateCluster(
      { brokers: 30, rackWeights: [2, 3, 5], placement: "random", topics: 20, partitions: { min: 30, max: 30 }, replicationFactor: 3 },
      createRng(seed),
    );
    const p = validPlan(c, plan(c, {}));
    for (const goal of ["disk", "network-in", "network-out"]) {
      const g = p.balanceAfter.goals.find((x) => x.goal === goal)!;
      assert.ok(g.satisfied, `seed ${String(seed)} ${goal}: ${g.detail}`);
    }
  }
});

test("scale-out, default order: network out reaches ±10% through a trade with a third broker where no two brokers can trade", () => {
  // 30 brokers and 3 new empty ones. A new broker shares few partitions with anyone, so it ends up
  // leading partitions whose followers lead nothing it follows: only a trade through a third broker
  // (it hands a lead to a follower and takes one from another broker) evens it. Used to end at 11.4%.
  const c = generateCluster(
    { brokers: 30, newBrokers: 3, placement: "balanced", topics: 20, partitions: { min: 30, max: 30 }, replicationFactor: 3 },
    createRng(3),
  );
  const p = validPlan(c, plan(c, {}));
  const g = p.balanceAfter.goals.find((x) => x.goal === "network-out")!;
  assert.ok(g.satisfied, `network-out: ${g.detail}`);
  const leaders = p.balanceAfter.summary.leaderCount;
  assert.ok(leaders.max - leaders.min <= 1, `leaders ${String(leaders.min)}–${String(leaders.max)}`);
});

test("network out after the leader goal: a trade between two brokers fixes it where single leadership changes would unbalance leader counts", () => {
  // Two brokers, each leading two partitions; broker 1 leads the heavy ones. Leader counts are even
  // (2 and 2), so only trades can even network out without breaking them.
  const brokers = [broker(1, "a"), broker(2, "b")];
  const parts = [
    part("t", 0, [1, 2], { bytesIn: MIB, bytesOut: 8 * MIB }),
    part("t", 1, [1, 2], { bytesIn: MIB, bytesOut: 8 * MIB }),
    part("t", 2, [2, 1], { bytesIn: MIB, bytesOut: MIB }),
    part("t", 3, [2, 1], { bytesIn: MIB, bytesOut: MIB }),
  ];
  const c = cluster(brokers, parts);
  const options: PlanOptions = { goals: ["rack-spread", "leader", "network-out"], explain: true };
  const p = validPlan(c, plan(c, options), options);
  assert.equal(p.moves, 0);
  assert.deepEqual(p.balanceAfter.brokers.map((b) => b.leaders), [2, 2]);
  const actions = (p.explanations ?? []).flatMap((e) => e.actions);
  assert.ok(actions.length > 0 && actions.every((a) => a.kind === "trade" && a.goal === "network-out" && a.after < a.before), JSON.stringify(actions));
  const out = p.balanceAfter.brokers.map((b) => b.networkOut);
  assert.equal(out[0], out[1], `network out ${JSON.stringify(out)}`);
  assert.ok(p.balanceAfter.goals.find((g) => g.goal === "network-out")!.satisfied);
});

test("network out where leader counts have no room and no two brokers can trade: a ring of three hand-offs evens it without moving data", () => {
  // Six brokers, each leading two partitions (the leader band is exactly 2) and holding four. Broker
  // 1 sends 2 MiB/s and broker 4 18 MiB/s; the ideal is 10. Broker 1 follows only partitions led by
  // 4 and 5, which follow nothing 1 leads; the same holds for 4. Any single hand-off, or a trade
  // through a third broker, leaves some broker with 1 or 3 leaderships. The ring 1 → 2 (partition
  // 0), 2 → 4 (partition 2), 4 → 1 (partition 6) keeps every count and brings 1, 2 and 4 to 10.
  const brokers = [1, 2, 3, 4, 5, 6].map((id) => broker(id, `r${String(id)}`));
  const spec: [number[], number][] = [
    [[1, 2], 1],
    [[1, 3], 1],
    [[2, 4], 1],
    [[2, 5], 9],
    [[3, 6], 5],
    [[3, 5], 5],
    [[4, 1], 9],
    [[4, 6], 9],
    [[5, 1], 5],
    [[5, 4], 5],
    [[6, 2], 5],
    [[6, 3], 5],
  ];
  const c = cluster(
    brokers,
    spec.map(([replicas, out], i) => part("t", i, replicas, { bytesOut: out * MIB })),
  );
  const options: PlanOptions = { explain: true };
  const p = validPlan(c, plan(c, options), options);
  assert.equal(p.moves, 0);
  assert.deepEqual(p.balanceAfter.brokers.map((b) => b.leaders), [2, 2, 2, 2, 2, 2]);
  const g = p.balanceAfter.goals.find((x) => x.goal === "network-out")!;
  assert.ok(g.satisfied, `network-out: ${g.detail}`);
  const rings = (p.explanations ?? []).flatMap((e) => e.actions).filter((a) => a.kind === "trade" && a.brokers.length === 3);
  assert.ok(rings.length > 0, JSON.stringify(p.explanations));
  assert.deepEqual(p.balanceAfter.brokers.map((b) => b.networkOut / MIB), [10, 10, 10, 10, 10, 10]);
});

test("a load band is never narrower than one average replica's load on either side", () => {
  // 3 brokers, 4 partitions of 1 MiB/s produce at RF 1: ideal 4/3 MiB/s, ±10% would be ±0.13 MiB/s,
  // which no placement of whole replicas can meet; the band is ±1 MiB/s (one replica) instead.
  const brokers = [1, 2, 3].map((id) => broker(id, ["a", "b", "c"][id - 1]!));
  const parts = Array.from({ length: 4 }, (_, i) => part("t", i, [1 + (i % 3)], { bytesIn: MIB }));
  const c = cluster(brokers, parts);
  const { state, targets } = prepared(c);
  const band = targets.load.networkIn;
  for (let b = 0; b < 3; b++) {
    assert.ok(Math.abs(band.high[b]! - band.ideal[b]! - MIB) < 1e-6 * MIB, `high ${String(band.high[b])}`);
    assert.ok(Math.abs(band.ideal[b]! - band.low[b]! - MIB) < 1e-6 * MIB, `low ${String(band.low[b])}`);
  }
  // Loads 2, 1, 1 MiB/s are as even as whole replicas allow: satisfied, nothing to move.
  assert.equal(networkInGoal.status(state, targets).satisfied, true);
  const p = validPlan(c, plan(c, { goals: ["rack-spread", "network-in"] }));
  assert.equal(p.moves, 0);
});

test("property: when the plan is made, no broker ends above threshold × capacity", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.boolean(), (seed, mixed) => {
      // About 60% of the disk limit used on average, but skewed placement overloads a few brokers.
      const c0 = fineGrained(seed);
      let total = 0;
      for (const t of c0.topics) for (const q of t.partitions) total += q.size * q.replicas.length;
      const disk = Math.ceil(total / 6 / 0.5);
      const c = fineGrained(seed, { capacity: { disk: mixed ? Math.ceil(disk * 0.75) : disk }, mixedCapacity: mixed });
      const outcome = plan(c);
      if (outcome.status !== "planned") return;
      const p = validPlan(c, outcome);
      for (const b of p.balanceAfter.brokers) {
        assert.ok(b.disk <= 0.85 * (b.diskCapacity ?? 0) * (1 + 1e-9), `broker ${String(b.id)}: ${String(b.diskUtilization)}`);
      }
      assert.ok(p.balanceAfter.goals.find((g) => g.goal === "capacity")!.satisfied);
    }),
    RUNS,
  );
});

test("property: plans with capacities and mixed sizes are deterministic and idempotent", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.boolean(), (seed, mixed) => {
      const c = generateCluster(
        { brokers: 6, topics: 4, partitions: { min: 4, max: 12 }, placement: "random", capacity: { disk: 1024 * GIB, networkIn: 50 * MIB, networkOut: 100 * MIB }, mixedCapacity: mixed },
        createRng(seed),
      );
      const options: PlanOptions = { rng: createRng(seed) };
      const a = planned(plan(c, options));
      const b = planned(plan(c, { rng: createRng(seed) }));
      assert.equal(JSON.stringify(a.reassignment), JSON.stringify(b.reassignment));
      assertIdempotent(plan(a.after));
    }),
    RUNS,
  );
});

test("the balance report gives each broker's network load, utilisation and CPU, and summarises utilisation", () => {
  const brokers = [broker(1, "a", { networkIn: 100 * MIB, networkOut: 200 * MIB }), broker(2, "b", { networkIn: 100 * MIB, networkOut: 200 * MIB })];
  const p0: Partition = { ...part("t", 0, [1, 2], { bytesIn: 10 * MIB, bytesOut: 30 * MIB }), cpu: 0.5 };
  const report = assess(cluster(brokers, [p0]));
  const [b1, b2] = report.brokers;
  assert.deepEqual(
    [b1?.networkIn, b1?.networkOut, b1?.leaderBytes, b1?.cpu, b1?.networkInUtilization, b1?.networkOutUtilization],
    [10 * MIB, 40 * MIB, 10 * MIB, 0.5, 0.1, 0.2],
  );
  assert.deepEqual([b2?.networkIn, b2?.networkOut, b2?.leaderBytes, b2?.cpu], [10 * MIB, 0, 0, 0]);
  const s = report.summary.networkOut;
  assert.deepEqual([s.min, s.max, s.mean, s.utilization], [0, 0.2, 0.1, true]);
  assert.equal(s.maxDeviationRatio, 1);
  assert.equal(report.summary.networkIn.maxDeviationRatio, 0);
});
