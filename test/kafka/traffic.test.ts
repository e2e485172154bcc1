/**
 * `ballast snapshot --sample` against the real cluster: a producer writing at known rates per
 * partition and consumer groups reading everything; the sampled bytesIn and bytesOut of each
 * partition must be within 20% of the true rates.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Consumer, Producer } from "kafkajs";
import { parseCluster } from "../../src/model/parse.js";
import { run } from "../cli/helpers.js";
import { bootstrap, consumer, kafkaSkip, producer, uniqueName, waitFor, withAdmin } from "./harness.js";

const VALUE_BYTES = 1024;
/** Messages per second by partition: topic "busy" p0 and p1, topic "unread" p0. */
const RATES = { busy: [40, 20], unread: [10] } as const;
const GROUPS = 2;

describe("snapshot --sample measures each partition's traffic", { skip: kafkaSkip(), timeout: 180_000 }, () => {
  const busy = uniqueName("traffic-busy");
  const unread = uniqueName("traffic-unread");
  const consumers: Consumer[] = [];
  let writer: Producer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<unknown> = Promise.resolve();

  before(async () => {
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          { topic: busy, numPartitions: 2, replicationFactor: 2 },
          { topic: unread, numPartitions: 1, replicationFactor: 2 },
        ],
        waitForLeaders: true,
      }),
    );
    writer = await producer();
    // Self-clocked: each tick sends what the schedule says is due, so the rate holds however late the timer fires.
    const started = Date.now();
    const sent = new Map<string, number>();
    const value = Buffer.alloc(VALUE_BYTES, 1);
    const tick = (): void => {
      const elapsed = (Date.now() - started) / 1000;
      const batches: Array<{ topic: string; messages: Array<{ partition: number; value: Buffer }> }> = [];
      for (const [topic, rates] of [[busy, RATES.busy], [unread, RATES.unread]] as const) {
        const messages: Array<{ partition: number; value: Buffer }> = [];
        rates.forEach((rate, partition) => {
          const key = `${topic}-${String(partition)}`;
          const due = Math.floor(elapsed * rate) - (sent.get(key) ?? 0);
          for (let i = 0; i < due; i++) messages.push({ partition, value });
          sent.set(key, (sent.get(key) ?? 0) + Math.max(0, due));
        });
        if (messages.length > 0) batches.push({ topic, messages });
      }
      if (batches.length > 0 && writer) sending = sending.then(() => writer?.sendBatch({ topicMessages: batches, acks: -1 }));
    };
    timer = setInterval(tick, 100);
    for (let g = 0; g < GROUPS; g++) {
      const c = await consumer({ groupId: uniqueName("traffic-group") });
      await c.subscribe({ topic: busy, fromBeginning: true });
      await c.run({ autoCommitInterval: 500, eachMessage: () => Promise.resolve() });
      consumers.push(c);
    }
    // Every group has committed something, so that the sample starts from committed offsets.
    await withAdmin((admin) =>
      waitFor("both groups to commit", async () => {
        const groups = await admin.listGroups();
        const mine = groups.groups.filter((g) => g.groupId.startsWith("traffic-group"));
        const committed = await Promise.all(mine.map((g) => admin.fetchOffsets({ groupId: g.groupId, topics: [busy] })));
        const ok = committed.filter((c) => c[0]?.partitions.every((p) => Number(p.offset) > 0)).length;
        return ok >= GROUPS ? true : undefined;
      }, { timeoutMs: 60_000 }),
    );
  });

  after(async () => {
    if (timer) clearInterval(timer);
    await sending.catch(() => undefined);
    await Promise.all(consumers.map((c) => c.disconnect()));
    await writer?.disconnect();
    await withAdmin((admin) => admin.deleteTopics({ topics: [busy, unread] }));
  });

  it("within 20% of the true rates, per partition, with the window and method recorded", async (t) => {
    const r = await run(["snapshot", "--bootstrap-server", bootstrap().join(","), "--sample", "15s"]);
    assert.equal(r.code, 0, r.stderr);
    const snapshot = parseCluster(r.stdout, { format: "yaml" });
    assert.equal(snapshot.traffic?.method, "sampled");
    assert.ok((snapshot.traffic?.windowSeconds ?? 0) >= 15, JSON.stringify(snapshot.traffic));
    const partition = (topic: string, p: number) => snapshot.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === p);
    const within = (measured: number, truth: number, what: string): void => {
      t.diagnostic(`${what}: measured ${measured.toFixed(0)} B/s, true ${truth.toFixed(0)} B/s (${(((measured - truth) / truth) * 100).toFixed(1)}%)`);
      assert.ok(Math.abs(measured - truth) <= 0.2 * truth, `${what}: measured ${measured.toFixed(0)} B/s, true ${truth.toFixed(0)} B/s`);
    };
    RATES.busy.forEach((rate, p) => {
      const measured = partition(busy, p);
      assert.ok(measured);
      within(measured.bytesIn, rate * VALUE_BYTES, `${busy}-${String(p)} bytesIn`);
      within(measured.bytesOut, GROUPS * rate * VALUE_BYTES, `${busy}-${String(p)} bytesOut`);
    });
    const quiet = partition(unread, 0);
    assert.ok(quiet);
    within(quiet.bytesIn, RATES.unread[0] * VALUE_BYTES, `${unread}-0 bytesIn`);
    assert.equal(quiet.bytesOut, 0);
  });
});
