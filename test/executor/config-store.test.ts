/**
 * The simulator's config store on its own: Kafka's incremental-alter semantics, what describe
 * returns, and the cached throttle lookups staying true across changes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimConfigStore } from "../../src/executor/config-store.js";
import { FOLLOWER_RATE, LEADER_RATE, LEADER_REPLICAS } from "../../src/executor/throttle.js";

const store = (): SimConfigStore => new SimConfigStore((name) => name === "t");

test("a broker's own rate wins over the cluster default; unset is undefined", () => {
  const s = store();
  assert.equal(s.brokerRate(1, LEADER_RATE), undefined);
  assert.equal(s.alter({ type: "broker", name: "" }, [{ op: "set", name: LEADER_RATE, value: "100" }]).errorCode, 0);
  assert.equal(s.alter({ type: "broker", name: "2" }, [{ op: "set", name: LEADER_RATE, value: "50" }]).errorCode, 0);
  assert.equal(s.brokerRate(1, LEADER_RATE), 100);
  assert.equal(s.brokerRate(2, LEADER_RATE), 50);
  const described = s.describe([{ type: "broker", name: "2" }, { type: "broker", name: "" }, { type: "broker", name: "x" }]);
  assert.deepEqual(described.get("broker:2"), [{ name: LEADER_RATE, value: "50", source: "dynamic-broker" }]);
  assert.deepEqual(described.get("broker:"), [{ name: LEADER_RATE, value: "100", source: "dynamic-default-broker" }]);
  assert.equal(described.size, 2);
});

test("throttled-replica lists: append and subtract keep each item once; the cached lookup follows changes", () => {
  const s = store();
  const listed = (p: number, b: number): boolean => s.topicListed("t", LEADER_REPLICAS, p, b);
  assert.equal(listed(0, 1), false);
  const v0 = s.version;
  s.alter({ type: "topic", name: "t" }, [{ op: "append", name: LEADER_REPLICAS, value: "0:1,1:2,0:1" }]);
  assert.ok(s.version > v0);
  assert.equal(listed(0, 1), true);
  assert.equal(listed(1, 1), false);
  s.alter({ type: "topic", name: "t" }, [{ op: "append", name: LEADER_REPLICAS, value: "1:2,2:3" }]);
  assert.deepEqual(s.describe([{ type: "topic", name: "t" }]).get("topic:t"), [{ name: LEADER_REPLICAS, value: "0:1,1:2,2:3", source: "dynamic-topic" }]);
  s.alter({ type: "topic", name: "t" }, [{ op: "subtract", name: LEADER_REPLICAS, value: "0:1" }]);
  assert.equal(listed(0, 1), false);
  assert.equal(listed(2, 3), true);
  s.alter({ type: "topic", name: "t" }, [{ op: "set", name: LEADER_REPLICAS, value: "*" }]);
  assert.equal(listed(7, 9), true);
  s.deleteTopic("t");
  assert.equal(listed(7, 9), false);
});

test("cached lookups follow the changes: a rate after a broker's or the default's change, an item only as a number prints", () => {
  const s = store();
  s.alter({ type: "broker", name: "" }, [{ op: "set", name: LEADER_RATE, value: "100" }]);
  assert.equal(s.brokerRate(3, LEADER_RATE), 100);
  s.alter({ type: "broker", name: "3" }, [{ op: "set", name: LEADER_RATE, value: "7" }]);
  assert.equal(s.brokerRate(3, LEADER_RATE), 7);
  s.alter({ type: "broker", name: "" }, [{ op: "delete", name: LEADER_RATE }]);
  assert.equal(s.brokerRate(4, LEADER_RATE), undefined);
  assert.equal(s.brokerRate(3, LEADER_RATE), 7);
  // Kafka's own items are "partition:broker" as numbers print; "007:1" is not partition 7's.
  s.alter({ type: "topic", name: "t" }, [{ op: "set", name: LEADER_REPLICAS, value: "007:1, 8:2 ,10:03" }]);
  const listed = (p: number, b: number): boolean => s.topicListed("t", LEADER_REPLICAS, p, b);
  assert.deepEqual([listed(7, 1), listed(8, 2), listed(10, 3), listed(8, 1)], [false, true, false, false]);
});

test("bad changes fail whole, with Kafka's error codes", () => {
  const s = store();
  const r1 = s.alter({ type: "broker", name: "1" }, [
    { op: "set", name: FOLLOWER_RATE, value: "10" },
    { op: "set", name: LEADER_RATE, value: "fast" },
  ]);
  assert.equal(r1.errorCode, 40);
  assert.equal(s.brokerRate(1, FOLLOWER_RATE), undefined, "nothing of a failed request applies");
  assert.equal(s.alter({ type: "topic", name: "nope" }, [{ op: "set", name: "x", value: "1" }]).errorCode, 3);
  assert.equal(s.alter({ type: "broker", name: "01" }, [{ op: "set", name: LEADER_RATE, value: "1" }]).errorCode, 42);
  assert.equal(s.alter({ type: "broker", name: "1" }, [{ op: "append", name: LEADER_RATE, value: "1" }]).errorCode, 40);
  assert.equal(s.alter({ type: "broker", name: "1" }, [{ op: "set", name: LEADER_REPLICAS, value: "*" }]).errorCode, 40);
  assert.equal(s.alter({ type: "topic", name: "t" }, [{ op: "set", name: LEADER_REPLICAS, value: "a:b" }]).errorCode, 40);
  assert.equal(
    s.alter({ type: "topic", name: "t" }, [
      { op: "set", name: "retention.ms", value: "1" },
      { op: "delete", name: "retention.ms" },
    ]).errorCode,
    42,
  );
});
