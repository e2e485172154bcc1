/**
 * The leader goal where network-out limits stand in its way: a broker below the leader band at its
 * limit hands a heavy leadership to a follower with room and takes lighter ones (pullByShedding), or,
 * where no leadership change can help, swaps a follower replica for a light leader replica (pullBySwap).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../../src/model/types.js";
import { capacityGoal } from "../../src/solver/goals/capacity.js";
import { leaderGoal } from "../../src/solver/goals/leader.js";
import { rackSpreadGoal } from "../../src/solver/goals/rack-spread.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";

const MIB = 1024 * 1024;

/** A partition sending `out` MiB/s to consumers and taking in nothing (network out is the only load). */
const part = (topic: string, partition: number, replicas: number[], out: number) => ({ topic, partition, replicas, leader: replicas[0]!, size: 1, bytesIn: 0, bytesOut: out * MIB });

/** Brokers 1–4 with 100 MiB/s of network out each (in racks a–d when `racks`), holding `partitions`. */
function fourBrokers(partitions: ReturnType<typeof part>[], racks: boolean): { cluster: Cluster; state: PlacementState; targets: Targets; b: (id: number) => number } {
  const brokers = [1, 2, 3, 4].map((id) => ({ id, ...(racks ? { rack: "abcd"[id - 1]! } : {}), host: `h${String(id)}`, status: "alive" as const, capacity: { networkOut: 100 * MIB } }));
  const topics = [...new Set(partitions.map((p) => p.topic))].map((name) => ({ name, partitions: partitions.filter((p) => p.topic === name) }));
  const cluster: Cluster = { version: 1, brokers, topics };
  const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  return { cluster, state, targets, b: (id) => state.brokerIndexOf(id)! };
}

test("a broker below the leader band at its network-out limit sheds a heavy leadership for light ones, from the goal's third run", () => {
  // Network-out limit 80 MiB/s (capacity 100). Broker 1 leads h-0 (40) and h-1 (39): 79, two
  // leaders where the band is 3–4. It follows four light partitions (2 each) led by broker 3, which
  // leads five (the four and b-0, 60) and has no room for h-1. Broker 2 follows h-0, leads three
  // (within the band, so no chain of hand-offs passes through it) and has room for 40, but leads
  // nothing broker 1 follows, so no trade makes room either.
  const { state, targets, b } = fourBrokers([
    part("h", 0, [1, 2], 40),
    part("h", 1, [1, 3], 39),
    part("g", 0, [2, 4], 5),
    part("g", 1, [2, 4], 5),
    part("g", 2, [2, 4], 5),
    ...[0, 1, 2, 3].map((i) => part("l", i, [3, 1], 2)),
    part("b", 0, [3, 4], 60),
    ...[0, 1, 2, 3].map((i) => part("m", i, [4, 3], 2)),
  ], true);
  const accepts = (a: Action): boolean => rackSpreadGoal.accepts(a, state, targets) && capacityGoal.accepts(a, state, targets);
  const ctx = goalContext(state, targets, accepts);
  assert.deepEqual([targets.leaderMin, targets.leaderMax], [3, 4]);
  leaderGoal.optimize(ctx);
  leaderGoal.optimize(ctx);
  assert.equal(state.leadersOf(b(1)), 2, "no hand-off or trade gets broker 1 a leadership, and shedding waits");
  leaderGoal.optimize(ctx);
  const h0 = Array.from({ length: state.partitionCount }, (_, p) => p).find((p) => state.partitionName(p) === "h-0")!;
  assert.equal(state.brokerAt(h0, 0), b(2), "h-0 went to broker 2");
  assert.equal(state.leadersOf(b(1)), 3);
  for (const id of [1, 2, 3, 4]) {
    assert.ok(state.leadersOf(b(id)) >= 3 && state.leadersOf(b(id)) <= 4, `broker ${String(id)} leads ${String(state.leadersOf(b(id)))}`);
    assert.ok(state.netOutOf(b(id)) <= 80 * MIB, `broker ${String(id)} sends ${String(state.netOutOf(b(id)) / MIB)} MiB/s`);
  }
  assert.equal(leaderGoal.score(state, targets), 0);
});

test("a broker whose only way into the leader band is a swap of replicas takes a light leader replica for a follower one", () => {
  // Network-out limit 80 MiB/s (capacity 100); nine partitions on four brokers, band 2–3. Broker 1
  // leads h-0 (78) and follows f-0, f-1 (10 each, led by broker 4) and g-0 (10, led by broker 2): no
  // leadership it could take fits its 2 of room, and h-0's one follower (broker 2, at 70) has no room
  // for it, so no hand-off, chain, trade or shedding helps. Broker 3 leads four light partitions (1
  // each) that broker 1 does not hold, and hands one to broker 4: broker 1 then gives its replica of
  // g-0 (broker 4 holds the f's) for a light leader replica of the broker above the band's minimum.
  const { cluster, state, targets, b } = fourBrokers([
    part("h", 0, [1, 2], 78),
    part("b", 0, [2, 4], 60),
    part("f", 0, [4, 1], 10),
    part("f", 1, [4, 1], 10),
    part("g", 0, [2, 1], 10),
    part("l", 0, [3, 4], 1),
    part("l", 1, [3, 4], 1),
    part("l", 2, [3, 2], 1),
    part("l", 3, [3, 2], 1),
  ], false);
  const higher = [rackSpreadGoal, capacityGoal];
  const accepts = (a: Action): boolean => higher.every((g) => g.accepts(a, state, targets));
  const ctx = goalContext(state, targets, accepts);
  assert.deepEqual([targets.leaderMin, targets.leaderMax], [2, 3]);
  const scoresBefore = higher.map((g) => g.score(state, targets));
  leaderGoal.optimize(ctx);
  leaderGoal.optimize(ctx);
  assert.equal(state.leadersOf(b(1)), 1, "no leadership change gets broker 1 a leadership, and swaps wait");
  leaderGoal.optimize(ctx);
  assert.equal(state.leadersOf(b(1)), 2);
  assert.equal(leaderGoal.score(state, targets), 0);
  assert.equal(state.moves, 2, "one swap: two replicas moved");
  for (const id of [1, 2, 3, 4]) {
    assert.equal(state.countOf(b(id)), cluster.topics.reduce((n, t) => n + t.partitions.filter((p) => p.replicas.includes(id)).length, 0), `broker ${String(id)} keeps its replica count`);
    assert.ok(state.netOutOf(b(id)) <= 80 * MIB, `broker ${String(id)} sends ${String(state.netOutOf(b(id)) / MIB)} MiB/s`);
  }
  higher.forEach((g, i) => assert.ok(g.score(state, targets) <= scoresBefore[i]!, `${g.id} no worse`));
});
