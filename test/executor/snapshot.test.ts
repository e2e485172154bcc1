/**
 * liveSnapshot through the simulated cluster's port (the real-broker suite in test/kafka covers the
 * kafkajs side): what `ballast snapshot` writes, here the broker capacities of a capacity file, and
 * what it refuses: what the cluster reports but no snapshot file could hold.
 */
import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import type { KafkaPort } from "../../src/executor/port.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { liveSnapshot } from "../../src/executor/snapshot.js";
import { parseCapacityFile } from "../../src/model/capacity-file.js";
import type { Capacity, Cluster } from "../../src/model/types.js";
import { BallastError, isBallastError } from "../../src/model/errors.js";
import { parseCluster } from "../../src/model/parse.js";

const TiB = 2 ** 40;
const MiBs = 2 ** 20;

/** Brokers 1–4 in racks a (1, 2) and b (3, 4); the simulated Kafka knows nothing of capacities. */
function cluster(): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3, 4].map((id) => ({ id, rack: id <= 2 ? "a" : "b", status: "alive" as const, capacity: { disk: 9 * TiB } })),
    topics: [{ name: "t", partitions: [{ topic: "t", partition: 0, replicas: [1, 3], leader: 1, size: 100, bytesIn: 0, bytesOut: 0 }] }],
  };
}

function capacities(c: Cluster): Map<number, Capacity> {
  return new Map(c.brokers.map((b) => [b.id, b.capacity]));
}

describe("liveSnapshot", () => {
  it("has no capacities without a capacity file: Kafka does not know them", async () => {
    const sim = createSimulatedCluster(cluster(), { clock: createSimClock() });
    const snapshot = await liveSnapshot(sim.port);
    assert.ok(snapshot.brokers.every((b) => Object.keys(b.capacity).length === 0));
  });

  it("writes the capacity file's capacities into the snapshot, broker over rack over default", async () => {
    const sim = createSimulatedCluster(cluster(), { clock: createSimClock() });
    const spec = parseCapacityFile("default: {disk: 2TiB, networkIn: 100MiB/s}\nracks:\n  b: {networkIn: 125MiB/s}\nbrokers:\n  4: {disk: 4TiB}\n", "cap.yaml");
    const snapshot = await liveSnapshot(sim.port, { capacity: spec });
    assert.deepEqual(
      capacities(snapshot),
      new Map([
        [1, { disk: 2 * TiB, networkIn: 100 * MiBs }],
        [2, { disk: 2 * TiB, networkIn: 100 * MiBs }],
        [3, { disk: 2 * TiB, networkIn: 125 * MiBs }],
        [4, { disk: 4 * TiB, networkIn: 125 * MiBs }],
      ]),
    );
  });

  it("refuses a capacity file naming a broker the cluster does not have", async () => {
    const sim = createSimulatedCluster(cluster(), { clock: createSimClock() });
    const spec = parseCapacityFile("brokers:\n  5: {disk: 4TiB}\n", "cap.yaml");
    await assert.rejects(
      liveSnapshot(sim.port, { capacity: spec }),
      (e: unknown) => e instanceof BallastError && e.code === "CONFIG" && e.place.path === 'brokers["5"]' && e.place.line === 2 && /broker 5 is not in the cluster/.test(e.message),
    );
  });
});

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
