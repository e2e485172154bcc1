/**
 * `ballast snapshot`, `describe` and `plan` against the real cluster: the live snapshot has the
 * brokers with their racks, the topic's replicas, in-sync replicas and sizes, and metrics rates; a
 * plan made from the live cluster is one Kafka accepts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { parseCluster } from "../../src/model/parse.js";
import { parseReassignment } from "../../src/model/reassignment.js";
import { bootstrap, kafkaSkip, producer, testBrokers, uniqueName, withAdmin } from "./harness.js";

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "ballast", ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

describe("live snapshots and plans", { skip: kafkaSkip(), timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ballast-live-"));
  const topic = uniqueName("snap");

  before(async () => {
    await withAdmin(async (admin) => {
      await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 2 }], waitForLeaders: true });
    });
    const p = await producer();
    const value = Buffer.alloc(10_000, 7);
    for (let batch = 0; batch < 10; batch++) {
      await p.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: String(i), value })) });
    }
    await p.disconnect();
  });

  after(async () => {
    await withAdmin((admin) => admin.deleteTopics({ topics: [topic] }));
  });

  it("writes the brokers with racks, the replicas, in-sync replicas, sizes and metrics rates", async () => {
    const metrics = join(dir, "metrics.yaml");
    writeFileSync(metrics, `version: 1\ntopics:\n  - {topic: ${topic}, bytesIn: 4MiB/s, bytesOut: 8MiB/s}\n`);
    const out = join(dir, "cluster.yaml");
    const r = await cli(["snapshot", "--bootstrap-server", bootstrap().join(","), "-o", out, "--metrics", metrics, "--name", "test"]);
    assert.equal(r.code, 0, r.stderr);
    const c = parseCluster(readFileSync(out, "utf8"), { format: "yaml", source: out });
    assert.equal(c.version, 2);
    assert.equal(c.name, "test");
    const expected = testBrokers();
    assert.deepEqual(
      c.brokers.map((b) => [b.id, b.rack, b.status]),
      expected.map((b) => [b.id, b.rack, "alive"]),
    );
    const t = c.topics.find((x) => x.name === topic);
    assert.ok(t, "the topic is in the snapshot");
    assert.equal(t.partitions.length, 4);
    for (const p of t.partitions) {
      assert.equal(p.replicas.length, 2);
      assert.deepEqual([...(p.isr ?? [])].sort(), [...p.replicas].sort());
      assert.deepEqual(p.offline, []);
      assert.equal(p.bytesIn, (4 * 2 ** 20) / 4);
      assert.equal(p.bytesOut, (8 * 2 ** 20) / 4);
    }
    assert.ok(t.partitions.reduce((a, p) => a + p.size, 0) > 1_000_000, "sizes come from the log dirs");
  });

  it("describes and plans straight from the live cluster", async () => {
    const d = await cli(["describe", "--bootstrap-server", bootstrap().join(","), "--json"]);
    assert.equal(d.code, 0, d.stderr);
    const report = JSON.parse(d.stdout) as { brokers: unknown[] };
    assert.equal(report.brokers.length, testBrokers().length);
    const out = join(dir, "plan.json");
    const p = await cli(["plan", "--bootstrap-server", bootstrap().join(","), "--output", out, "--json"]);
    assert.equal(p.code, 0, p.stderr);
    const plan = parseReassignment(readFileSync(out, "utf8"));
    for (const e of plan.partitions) assert.ok(e.replicas.every((b) => testBrokers().some((x) => x.id === b)));
    assert.equal(plan.madeFrom?.length, plan.partitions.length);
  });

  it("a plan with no reachable broker is one error line and exit 7", async () => {
    const r = await cli(["snapshot", "--bootstrap-server", "127.0.0.1:1"]);
    assert.equal(r.code, 7, "a Kafka error");
    assert.match(r.stderr, /^error: [^\n]+\n$/);
  });
});
