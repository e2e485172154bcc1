/** A live snapshot refuses what the cluster reports but no snapshot file could hold. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KafkaPort } from "../../src/executor/port.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { liveSnapshot } from "../../src/executor/snapshot.js";
import { isBallastError } from "../../src/model/errors.js";
import { parseCluster } from "../../src/model/parse.js";

const CLUSTER = parseCluster("version: 1\nbrokers: [{id: 1, rack: a}, {id: 2, rack: b}]\ntopics:\n  - {name: t, partitions: [{partition: 0, replicas: [1, 2]}]}\n", { format: "yaml" });

test("a rack with a terminal escape from Kafka is refused, not written or printed", async () => {
  const sim = createSimulatedCluster(CLUSTER, { clock: createSimClock() });
  assert.equal((await liveSnapshot(sim.port)).brokers.length, 2);
  const port: KafkaPort = {
    ...sim.port,
    describeCluster: async () => {
      const d = await sim.port.describeCluster();
      return { ...d, brokers: d.brokers.map((b) => (b.id === 2 ? { ...b, rack: "b\u001b]0;pwned\u0007" } : b)) };
    },
  };
  await assert.rejects(liveSnapshot(port), (e: unknown) => isBallastError(e) && e.code === "KAFKA" && /broker 2 reports the rack "b\\x1b\]0;pwned\\x07"/.test(e.message));
});
