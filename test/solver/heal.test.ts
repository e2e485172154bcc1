/**
 * Offline replicas on a live broker (a failed log directory) get new homes; describe notes them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { healOffline, offlineOnLiveBrokers } from "../../src/solver/heal.js";
import { assess, plan } from "../../src/solver/index.js";
import { loadFixture } from "../support/fixtures.js";

const CLUSTER = loadFixture("balance/offline-live.yaml");

test("offline replicas on a live broker are found; none in a healthy snapshot", () => {
  assert.deepEqual(offlineOnLiveBrokers(CLUSTER), [
    { topic: "orders", partition: 0, broker: 3 },
    { topic: "orders", partition: 1, broker: 3 },
  ]);
  assert.deepEqual(offlineOnLiveBrokers(loadFixture("balanced.yaml")), []);
});

test("each gets a home in its rack, in the same position of the replica list", () => {
  const healed = healOffline(CLUSTER);
  assert.deepEqual(healed.healed.map((h) => [h.topic, h.partition, h.broker, h.to]), [
    ["orders", 0, 3, 4],
    ["orders", 1, 3, 4],
  ]);
  const p1 = healed.cluster.topics[0]!.partitions[1]!;
  assert.deepEqual(p1.replicas, [4, 5, 2]);
  assert.deepEqual(p1.offline, []);
  assert.equal(healed.bytesMoved, 2 * 16 * 1024 ** 3);
});

test("a budget heals what fits and says what is left", () => {
  const healed = healOffline(CLUSTER, { maxMoves: 1 });
  assert.equal(healed.healed.length, 1);
  assert.deepEqual(healed.left, [{ topic: "orders", partition: 1, broker: 3 }]);
});

test("plan moves them (it planned 0 moves before) and describe names them", () => {
  const outcome = plan(CLUSTER);
  assert.equal(outcome.status, "planned");
  if (outcome.status !== "planned") return;
  assert.equal(outcome.moves, 2);
  for (const e of outcome.reassignment.partitions) assert.ok(!e.replicas.includes(3) || e.partition > 1, JSON.stringify(e));
  assert.ok(outcome.notes.some((n) => /2 offline replica\(s\) on live brokers .* get new homes: orders-0 3→4, orders-1 3→4/.test(n)), outcome.notes.join("\n"));
  assert.ok((assess(CLUSTER).notes ?? []).some((n) => n.startsWith("offline: 2 replica(s) on live broker(s) 3")));
});
