/**
 * moveBestReplicas: the batch move of the replica-count goal, and what it does when a higher goal
 * refuses every candidate (a destination at a capacity limit); fillMakingRoom: how a broker at a
 * capacity limit still takes replicas.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../../src/model/types.js";
import type { GoalContext } from "../../src/solver/goal.js";
import { capacityGoal } from "../../src/solver/goals/capacity.js";
import { rackSpreadGoal } from "../../src/solver/goals/rack-spread.js";
import { RackOpenings, fillMakingRoom, moveBestReplicas } from "../../src/solver/goals/replica-count.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { goalContext } from "../support/goal-context.js";

/** Broker 1 holds five single-replica partitions; brokers 2 and 3 hold none. */
function cluster(): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3].map((id) => ({ id, status: "alive" as const, capacity: {} })),
    topics: [0, 1, 2, 3, 4].map((i) => ({ name: `t${String(i)}`, partitions: [{ topic: `t${String(i)}`, partition: 0, replicas: [1], leader: 1, size: 10 + i, bytesIn: 0, bytesOut: 0 }] })),
  };
}

/** A context on cluster c whose higher goals accept exactly what `accepts` says, counting proposals. */
function context(accepts: (a: Action, state: PlacementState, targets: Targets) => boolean, c: Cluster = cluster()): { ctx: GoalContext; proposed: Action[] } {
  const state = new PlacementState(c, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  const proposed: Action[] = [];
  return { ctx: goalContext(state, targets, (a) => accepts(a, state, targets), proposed), proposed };
}

test("a destination every candidate is refused for: nothing moves, one refusal per candidate (at most the budget)", () => {
  for (const [left, after] of [
    [3, 0],
    [10, 5],
  ] as const) {
    const { ctx, proposed } = context((a) => !(a.kind === "move" && a.to === 1));
    const refusals = { left };
    assert.equal(moveBestReplicas(ctx, 0, 1, 5, undefined, refusals), 0);
    assert.equal(refusals.left, after, "as if each candidate had been proposed in turn until the budget ran out");
    assert.equal(proposed.length, 0, "none proposed: the outcome is known without");
    assert.equal(ctx.state.countOf(1), 0);
  }
});

test("a destination some candidate is accepted for: candidates are proposed best first, refusals counted", () => {
  // Only the heaviest partition (t4) may go to broker 2; the others are refused.
  const { ctx, proposed } = context((a) => !(a.kind === "move" && a.p !== 4));
  const refusals = { left: 10 };
  assert.equal(moveBestReplicas(ctx, 0, 1, 1, undefined, refusals), 1);
  assert.equal(ctx.state.countOf(1), 1);
  // Smaller first: t0..t3 are refused, then t4 goes.
  assert.deepEqual(
    proposed.map((a) => (a.kind === "move" ? a.p : -1)),
    [0, 1, 2, 3, 4],
  );
  assert.equal(refusals.left, 6);
});

test("a broker short of replicas at its network-in limit makes room in its rack and takes from its rack", () => {
  // RF 3 over racks a, b, c: every partition has one replica per rack, so broker 1 (rack a, target
  // 4, holds 2) can take replicas only from broker 2, the other broker of rack a with some to spare.
  // Broker 1 is at its network-in limit (80 of 100 MiB/s): h (75) and m (5); broker 12 (rack a) has
  // room for h. The sources are ranked with four brokers of rack b first, each with replicas to spare
  // that the rack rule keeps out of rack a.
  const MIB = 1024 * 1024;
  const broker = (id: number, rack: string): Cluster["brokers"][number] => ({ id, rack, host: `h${String(id)}`, status: "alive", capacity: { networkIn: 100 * MIB } });
  const part = (topic: string, replicas: number[], bytesIn: number): Cluster["topics"][number] => ({
    name: topic,
    partitions: [{ topic, partition: 0, replicas, leader: replicas[0]!, size: 1, bytesIn, bytesOut: 0 }],
  });
  const light = Array.from({ length: 10 }, (_, i) => part(`l${String(i)}`, [2, 3 + (i % 4), 11], MIB / 2));
  const c: Cluster = {
    version: 1,
    brokers: [broker(1, "a"), broker(2, "a"), broker(12, "a"), ...[3, 4, 5, 6, 7, 8, 9, 10].map((id) => broker(id, "b")), { ...broker(11, "c"), capacity: { networkIn: 1000 * MIB } }],
    topics: [part("h", [1, 3, 11], 75 * MIB), part("m", [1, 7, 11], 5 * MIB), part("x", [12, 8, 11], MIB / 4), ...light],
  };
  const { ctx } = context((a, state, targets) => rackSpreadGoal.accepts(a, state, targets) && capacityGoal.accepts(a, state, targets), c);
  const { state, targets } = ctx;
  const id = (b: number): number => state.brokerIndexOf(b)!;
  assert.equal(targets.countMinOf(id(1)), 4);
  const sources = [3, 4, 5, 6, 2].map(id);
  assert.ok(sources.every((s) => state.countOf(s) > targets.countMinOf(s)), "each of them has replicas to spare");
  for (let taken = 1; taken <= 2; taken++) {
    assert.ok(fillMakingRoom(ctx, id(1), sources, new RackOpenings(state, targets)), `replica ${String(taken)}`);
    assert.equal(state.countOf(id(1)), 2 + taken);
    for (const b of [1, 2, 12]) assert.ok(state.netIn[id(b)]! <= 80 * MIB, `broker ${String(b)}`);
  }
  assert.ok(state.slotOf(0, id(12)) >= 0, "h went to broker 12 to make the room");
});

test("a broker over its network-out aim still takes followers: they add no network out, so no room is needed for it", () => {
  // As above, but with network-out capacities, and broker 1 leads m, whose traffic out puts it over
  // its network-out aim (its own capacity is small). The replicas it can take are followers, and so
  // is h (led by broker 3) and the replica x that comes back for it: none changes broker 1's network
  // out, so only network-in room has to be made, as before.
  const MIB = 1024 * 1024;
  const broker = (id: number, rack: string, out = 100 * MIB): Cluster["brokers"][number] => ({ id, rack, host: `h${String(id)}`, status: "alive", capacity: { networkIn: 100 * MIB, networkOut: out } });
  const part = (topic: string, replicas: number[], bytesIn: number, bytesOut = 0): Cluster["topics"][number] => ({
    name: topic,
    partitions: [{ topic, partition: 0, replicas, leader: replicas[0]!, size: 1, bytesIn, bytesOut }],
  });
  const light = Array.from({ length: 10 }, (_, i) => part(`l${String(i)}`, [3 + (i % 4), 2, 11], MIB / 2));
  const c: Cluster = {
    version: 1,
    brokers: [broker(1, "a", 50 * MIB), broker(2, "a"), broker(12, "a"), ...[3, 4, 5, 6, 7, 8, 9, 10].map((id) => broker(id, "b")), { ...broker(11, "c"), capacity: { networkIn: 1000 * MIB, networkOut: 1000 * MIB } }],
    topics: [part("h", [3, 1, 11], 75 * MIB), part("m", [1, 7, 11], 5 * MIB, 40 * MIB), part("x", [8, 12, 11], MIB / 4), ...light],
  };
  const { ctx } = context((a, state, targets) => rackSpreadGoal.accepts(a, state, targets) && capacityGoal.accepts(a, state, targets), c);
  const { state, targets } = ctx;
  const id = (b: number): number => state.brokerIndexOf(b)!;
  assert.ok(state.netOut[id(1)]! > targets.load.aim.networkOut[id(1)]!, "broker 1 is over its network-out aim");
  assert.equal(targets.heavyLeads.length, 0, "m is no heavier than other brokers' limits");
  assert.equal(targets.countMinOf(id(1)), 4);
  const sources = [3, 4, 5, 6, 2].map(id);
  const netOut = state.netOut[id(1)]!;
  for (let taken = 1; taken <= 2; taken++) {
    assert.ok(fillMakingRoom(ctx, id(1), sources, new RackOpenings(state, targets)), `replica ${String(taken)}`);
    assert.equal(state.countOf(id(1)), 2 + taken);
    assert.equal(state.netOut[id(1)], netOut, "broker 1's network out as it was");
    for (const b of [1, 2, 12]) assert.ok(state.netIn[id(b)]! <= 80 * MIB, `broker ${String(b)}`);
  }
});
