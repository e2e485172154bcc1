/**
 * Smoke test of the real Kafka cluster the executor's integration tests run against: the brokers
 * are there with their racks, a replicated topic takes and gives back messages, and a broker can be
 * killed and started again. Skipped unless KAFKA_BOOTSTRAP is set (`npm run test:kafka`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  brokerCtl,
  consumer,
  kafkaSkip,
  producer,
  testBrokers,
  uniqueName,
  waitFor,
  withAdmin,
} from "./harness.js";

const MESSAGES = 100;

describe("Kafka test cluster", { skip: kafkaSkip(), timeout: 120_000 }, () => {
  it("lists every broker", async () => {
    const ids = await withAdmin(async (admin) => {
      const { brokers } = await admin.describeCluster();
      return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    });
    // kafkajs drops broker.rack from the metadata; the racks are checked through placement below.
    assert.deepEqual(
      ids,
      testBrokers().map((b) => b.id),
    );
  });

  it("creates a topic with replication factor 2, produces and consumes 100 messages, deletes it", async () => {
    const topic = uniqueName("smoke");
    const rackOf = new Map(testBrokers().map((b) => [b.id, b.rack]));

    await withAdmin(async (admin) => {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: 3, replicationFactor: 2 }],
        waitForLeaders: true,
      });
      assert.equal(created, true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = meta.topics[0]?.partitions ?? [];
      assert.equal(partitions.length, 3);
      for (const p of partitions) {
        assert.equal(p.replicas.length, 2, `partition ${p.partitionId} replicas ${p.replicas.join(",")}`);
        // Kafka places replicas rack-aware, so two replicas land on two racks when broker.rack is set.
        const racks = new Set(p.replicas.map((id) => rackOf.get(id)));
        assert.equal(racks.size, 2, `partition ${p.partitionId} replicas ${p.replicas.join(",")} share a rack`);
      }
    });

    const prod = await producer();
    try {
      await prod.send({
        topic,
        acks: -1,
        messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i % 10}`, value: `message ${i}` })),
      });
    } finally {
      await prod.disconnect();
    }

    const cons = await consumer();
    const received: string[] = [];
    try {
      await cons.subscribe({ topic, fromBeginning: true });
      let done: () => void = () => {};
      const all = new Promise<void>((resolve) => (done = resolve));
      await cons.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? "");
          if (received.length >= MESSAGES) done();
        },
      });
      await Promise.race([
        all,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`consumed ${received.length} of ${MESSAGES} messages in 60 s`)), 60_000).unref(),
        ),
      ]);
    } finally {
      await cons.disconnect();
    }
    assert.equal(received.length, MESSAGES);
    assert.deepEqual(
      [...received].sort(),
      Array.from({ length: MESSAGES }, (_, i) => `message ${i}`).sort(),
    );

    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
      await waitFor(`topic ${topic} to disappear`, async () =>
        (await admin.listTopics()).includes(topic) ? undefined : true,
      );
    });
  });

  it("kills a broker and starts it again", async () => {
    const victim = testBrokers().at(-1)?.id ?? 1;
    const liveIds = (): Promise<number[]> =>
      withAdmin(async (admin) => (await admin.describeCluster()).brokers.map((b) => b.nodeId));

    await brokerCtl("kill", victim);
    await waitFor(`broker ${victim} to leave the cluster`, async () =>
      (await liveIds()).includes(victim) ? undefined : true,
    );
    await brokerCtl("start", victim);
    const ids = await waitFor(`broker ${victim} to come back`, async () => {
      const live = await liveIds();
      return live.includes(victim) ? live : undefined;
    });
    assert.equal(ids.length, testBrokers().length);
  });
});
