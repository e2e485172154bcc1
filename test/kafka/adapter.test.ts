/**
 * The kafkajs adapter. The first part needs no cluster (the command-config parser, request bytes,
 * connection failures); the second runs every KafkaPort method against a real cluster
 * (`bash scripts/kafka-cluster.sh start`, then KAFKA_BOOTSTRAP) and is skipped without one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Partitioners, type Admin, type Producer } from "kafkajs";
import { isBallastError } from "../../src/model/errors.js";
import { resourceKey, type AlterOp, type ConfigEntry, type ConfigResource, type KafkaPort, type TopicMetadata } from "../../src/executor/port.js";
import { createKafkajsPort } from "../../src/executor/kafkajs/adapter.js";
import { parseCommandConfig, tlsOptions } from "../../src/executor/kafkajs/command-config.js";
import { alterPartitionReassignmentsRequest } from "../../src/executor/kafkajs/reassignments.js";
import { Writer } from "../../src/executor/kafkajs/wire.js";
import { bootstrap, brokerCtl, kafka, kafkaSkip, uniqueName, waitFor } from "./harness.js";

function configError(fn: () => unknown, pattern: RegExp, line?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isBallastError(e), `expected a BallastError, got ${String(e)}`);
    assert.equal(e.code, "CONFIG");
    assert.match(e.message, pattern);
    if (line !== undefined) assert.equal(e.place.line, line);
    return true;
  });
}

describe("parseCommandConfig", () => {
  it("reads SASL_SSL with SCRAM, a multi-line JAAS entry and a PEM CA path", () => {
    const text = [
      "# client settings for the admin tools",
      "security.protocol=SASL_SSL",
      "sasl.mechanism: SCRAM-SHA-512",
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
      '    username="ballast" \\',
      '    password="s3cr;t=x";',
      "ssl.ca.location /etc/kafka/ca.pem",
    ].join("\n");
    assert.deepEqual(parseCommandConfig(text), {
      ssl: { ca: { path: "/etc/kafka/ca.pem" }, verifyHostname: true },
      sasl: { mechanism: "scram-sha-512", username: "ballast", password: "s3cr;t=x" },
    });
  });

  it("reads PLAIN over SASL_PLAINTEXT, and an empty file as PLAINTEXT", () => {
    const text =
      "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n" +
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u\\u00e9" password=pw;\n';
    assert.deepEqual(parseCommandConfig(text), { sasl: { mechanism: "plain", username: "u\u00e9", password: "pw" } });
    assert.deepEqual(parseCommandConfig("! nothing here\n\n"), {});
  });

  it("reads client certificates as paths or inline PEM, and an empty endpoint algorithm", () => {
    const paths = parseCommandConfig(
      "security.protocol=SSL\nssl.certificate.location=/c.pem\nssl.key.location=/k.pem\nssl.key.password=pw\nssl.endpoint.identification.algorithm=\n",
    );
    assert.deepEqual(paths, {
      ssl: { cert: { path: "/c.pem" }, key: { path: "/k.pem" }, keyPassword: "pw", verifyHostname: false },
    });
    const keystore = parseCommandConfig("security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=/both.pem\nssl.truststore.type=PEM\nssl.truststore.certificates=-----BEGIN CERTIFICATE----- x\n");
    assert.deepEqual(keystore, {
      ssl: { ca: { pem: "-----BEGIN CERTIFICATE----- x" }, cert: { path: "/both.pem" }, key: { path: "/both.pem" }, verifyHostname: true },
    });
    const read: string[] = [];
    const tls = tlsOptions(paths.ssl ?? { verifyHostname: true }, (p) => {
      read.push(p);
      return `PEM of ${p}`;
    }, { trusted: () => "", keyStore: () => Buffer.alloc(0) });
    assert.deepEqual(read, ["/c.pem", "/k.pem"]);
    assert.equal(tls.cert, "PEM of /c.pem");
    assert.equal(tls.passphrase, "pw");
    assert.equal(typeof tls.checkServerIdentity, "function");
  });

  it("refuses stray store passwords, unknown keys, GSSAPI and mismatched login modules, naming the key and line", () => {
    configError(() => parseCommandConfig("security.protocol=SSL\nssl.truststore.password=x\n"), /ssl\.truststore\.password is set but no PKCS12 trust store/, 2);
    configError(() => parseCommandConfig("security.protocol=SSL\nrequest.timeout.ms=5\nfoo=1\n"), /request\.timeout\.ms, a key on line 3 \(not shown/, 2);
    configError(() => parseCommandConfig("security.protocol=SASL_SSL\n"), /GSSAPI/);
    configError(() => parseCommandConfig("security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n"), /sasl\.mechanism is not supported/, 2);
    configError(
      () =>
        parseCommandConfig(
          "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n" +
            'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";\n',
        ),
      /PlainLoginModule/,
      3,
    );
    configError(() => parseCommandConfig("ssl.ca.location=/ca.pem\n"), /security\.protocol is PLAINTEXT/, 1);
    configError(() => parseCommandConfig("security.protocol=TLS\n"), /must be PLAINTEXT/, 1);
  });
});

describe("protocol extensions", () => {
  it("cancels a reassignment with a null replica list (compact null = 0)", () => {
    const req = alterPartitionReassignmentsRequest([{ topic: "t", partition: 3, replicas: null }], 1000);
    const w = new Writer();
    req.encode(w);
    // timeout, 1 topic (+1), "t" (len+1), 1 partition (+1), index 3, null replicas, tags ×3
    assert.deepEqual([...w.bytes()], [0, 0, 3, 232, 2, 2, 116, 2, 0, 0, 0, 3, 0, 0, 0, 0]);
  });

  it("rejects with a KAFKA BallastError naming the address when no broker answers", async () => {
    const port = createKafkajsPort({ brokers: ["127.0.0.1:1"], connectionTimeout: 1000 });
    await assert.rejects(port.describeCluster(), (e: unknown) => {
      assert.ok(isBallastError(e));
      assert.equal(e.code, "KAFKA");
      assert.match(e.message, /describeCluster: could not connect to any of 127\.0\.0\.1:1/);
      return true;
    });
    await port.close();
  });
});

describe("kafkajs adapter against a live cluster", { skip: kafkaSkip(), timeout: 300_000 }, () => {
  const run = uniqueName("ballast-adapter");
  const moved = `${run}-move`;
  const throttled = `${run}-throttled`;
  const configs = `${run}-configs`;
  const lonely = `${run}-lonely`;
  let port: KafkaPort;
  let admin: Admin;
  let producer: Producer;
  let brokerIds: number[] = [];
  /** A broker the last test killed, until it is started again. */
  let down: number | undefined;

  const describeOne = async (topic: string): Promise<TopicMetadata> => {
    const [t] = await port.describeTopics([topic]);
    assert.ok(t, `topic ${topic} is described`);
    return t;
  };
  const sorted = (ids: readonly number[] | undefined): string => JSON.stringify([...(ids ?? [])].sort((a, b) => a - b));
  const entry = (entries: ConfigEntry[] | undefined, name: string): ConfigEntry | undefined => entries?.find((e) => e.name === name);
  const until = (what: string, check: () => Promise<boolean>): Promise<true> =>
    waitFor(what, async () => ((await check()) ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
  /** Config changes reach the broker that answers DescribeConfigs a moment after they are committed. */
  const configsOnceSettled = async (resource: ConfigResource, settled: (c: ConfigEntry[]) => boolean): Promise<ConfigEntry[]> =>
    waitFor(`${resourceKey(resource)} configs to settle`, async () => {
      const c = (await port.describeConfigs([resource])).get(resourceKey(resource)) ?? [];
      return settled(c) ? c : undefined;
    });
  const produce = async (topic: string, count: number, bytes: number): Promise<void> => {
    const value = "x".repeat(bytes);
    for (let sent = 0; sent < count; sent += 500) {
      const n = Math.min(500, count - sent);
      await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value })) });
    }
  };

  before(async () => {
    port = createKafkajsPort({ brokers: bootstrap(), clientId: "ballast-adapter-test" });
    const client = kafka("ballast-adapter-test-setup");
    admin = client.admin();
    producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await admin.connect();
    await producer.connect();
    brokerIds = (await port.describeCluster()).brokers.map((b) => b.id);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: moved, numPartitions: 3, replicationFactor: 2 },
        { topic: throttled, numPartitions: 1, replicationFactor: 2 },
        { topic: configs, numPartitions: 1, replicationFactor: 2 },
      ],
    });
  });

  after(async () => {
    if (down !== undefined) await brokerCtl("start", down);
    const cleanup = brokerIds.map((id) => ({
      resource: { type: "broker" as const, name: String(id) },
      ops: [
        { op: "delete" as const, name: "leader.replication.throttled.rate" },
        { op: "delete" as const, name: "follower.replication.throttled.rate" },
      ],
    }));
    await port?.incrementalAlterConfigs(cleanup).catch(() => undefined);
    await admin?.deleteTopics({ topics: [moved, throttled, configs, lonely] }).catch(() => undefined);
    await producer?.disconnect();
    await admin?.disconnect();
    await port?.close();
  });

  it("describeCluster lists the four brokers with their racks", async () => {
    const cluster = await port.describeCluster();
    assert.equal(cluster.brokers.length, 4);
    assert.ok(cluster.clusterId.length > 0);
    assert.ok(cluster.brokers.some((b) => b.id === cluster.controllerId), "the controller is a listed broker");
    const racks = new Set(cluster.brokers.map((b) => b.rack));
    assert.ok(cluster.brokers.every((b) => typeof b.rack === "string" && b.rack.length > 0), "every broker has a rack");
    assert.equal(racks.size, 2);
    assert.deepEqual(
      cluster.brokers.map((b) => b.id),
      [...brokerIds].sort((a, b) => a - b),
    );
  });

  it("describeTopics gives replicas, ISR and leader, and leaves unknown names out", async () => {
    const topics = await port.describeTopics([moved, `${run}-no-such-topic`]);
    assert.deepEqual(
      topics.map((t) => t.name),
      [moved],
    );
    const [t] = topics;
    assert.ok(t);
    assert.equal(t.internal, false);
    assert.deepEqual(
      t.partitions.map((p) => p.partition),
      [0, 1, 2],
    );
    for (const p of t.partitions) {
      assert.equal(p.replicas.length, 2);
      assert.equal(new Set(p.replicas).size, 2);
      assert.ok(p.replicas.includes(p.leader), "the leader is a replica");
      assert.ok(p.isr.every((id) => p.replicas.includes(id)), "the ISR is part of the replicas");
      assert.deepEqual(p.offline, []);
    }
    const all = await port.describeTopics();
    assert.ok(all.some((x) => x.name === moved));
  });

  it("describeLogDirs reports every replica with its size once data is written", async () => {
    await produce(moved, 600, 1000);
    const t = await describeOne(moved);
    await until("every replica to hold data", async () => {
      const dirs = await port.describeLogDirs(brokerIds);
      return t.partitions.every((p) =>
        p.replicas.every((id) => (dirs.get(id) ?? []).some((r) => r.topic === moved && r.partition === p.partition && r.size > 0 && !r.isFuture)),
      );
    });
    const dirs = await port.describeLogDirs(brokerIds);
    assert.deepEqual([...dirs.keys()], brokerIds);
    const replica = dirs.get(t.partitions[0]?.leader ?? -1)?.find((r) => r.topic === moved && r.partition === 0);
    assert.ok(replica && replica.logDir.length > 0);
  });

  it("alterPartitionReassignments moves a replica; listPartitionReassignments shows it until done", async () => {
    const before = await describeOne(moved);
    const p0 = before.partitions[0];
    assert.ok(p0);
    const spare = brokerIds.find((id) => !p0.replicas.includes(id));
    assert.ok(spare !== undefined);
    const target = [spare, p0.replicas[1] ?? -1];
    const results = await port.alterPartitionReassignments([{ topic: moved, partition: 0, replicas: target }]);
    assert.deepEqual(results, [{ topic: moved, partition: 0, errorCode: 0 }]);
    await until("the move to finish", async () => !(await port.listPartitionReassignments()).some((r) => r.topic === moved));
    await until("metadata to show the new replicas", async () => {
      const p = (await describeOne(moved)).partitions[0];
      return JSON.stringify(p?.replicas) === JSON.stringify(target);
    });
  });

  it("alterPartitionReassignments reports per-partition errors", async () => {
    const results = await port.alterPartitionReassignments([
      { topic: moved, partition: 1, replicas: null },
      { topic: moved, partition: 2, replicas: [brokerIds[0] ?? 0, 9999] },
      { topic: `${run}-no-such-topic`, partition: 0, replicas: [brokerIds[0] ?? 0] },
    ]);
    assert.equal(results.length, 3);
    assert.equal(results[0]?.errorCode, 85);
    assert.equal(results[0]?.errorName, "NO_REASSIGNMENT_IN_PROGRESS");
    assert.ok((results[1]?.errorCode ?? 0) !== 0, "an unknown broker is refused");
    assert.equal(results[2]?.errorCode, 3);
    assert.equal(results[2]?.errorName, "UNKNOWN_TOPIC_OR_PARTITION");
    assert.ok(results.every((r) => typeof r.message === "string" && r.message.length > 0));
  });

  it("a reassignment throttled to 1 B/s stays in progress and cancelling it reverts it", async () => {
    await produce(throttled, 4000, 1000);
    const original = (await describeOne(throttled)).partitions[0]?.replicas ?? [];
    const spares = brokerIds.filter((id) => !original.includes(id));
    assert.equal(spares.length, 2);
    const rates = brokerIds.map((id) => ({
      resource: { type: "broker" as const, name: String(id) },
      ops: [
        { op: "set" as const, name: "leader.replication.throttled.rate", value: "1" },
        { op: "set" as const, name: "follower.replication.throttled.rate", value: "1" },
      ],
    }));
    const topicThrottle = {
      resource: { type: "topic" as const, name: throttled },
      ops: [
        { op: "set" as const, name: "leader.replication.throttled.replicas", value: "*" },
        { op: "set" as const, name: "follower.replication.throttled.replicas", value: "*" },
      ],
    };
    const set = await port.incrementalAlterConfigs([...rates, topicThrottle]);
    assert.ok(set.every((r) => r.errorCode === 0), JSON.stringify(set));

    const start = await port.alterPartitionReassignments([{ topic: throttled, partition: 0, replicas: spares }]);
    assert.equal(start[0]?.errorCode, 0);
    await new Promise((r) => setTimeout(r, 3000));
    const ongoing = (await port.listPartitionReassignments()).find((r) => r.topic === throttled && r.partition === 0);
    assert.ok(ongoing, "the throttled move is still in progress");
    assert.equal(sorted(ongoing.addingReplicas), sorted(spares));
    assert.equal(sorted(ongoing.removingReplicas), sorted(original));

    const cancel = await port.alterPartitionReassignments([{ topic: throttled, partition: 0, replicas: null }]);
    assert.deepEqual(cancel, [{ topic: throttled, partition: 0, errorCode: 0 }]);
    await until("the cancelled move to disappear", async () => !(await port.listPartitionReassignments()).some((r) => r.topic === throttled));
    // A KRaft controller puts the original replicas back as a set, in id order (not their old order).
    await until("the original replicas to be back", async () => sorted((await describeOne(throttled)).partitions[0]?.replicas) === sorted(original));

    const cleared = await port.incrementalAlterConfigs([
      ...rates.map((r) => ({ resource: r.resource, ops: r.ops.map((o) => ({ op: "delete" as const, name: o.name })) })),
      { resource: topicThrottle.resource, ops: topicThrottle.ops.map((o) => ({ op: "delete" as const, name: o.name })) },
    ]);
    assert.ok(cleared.every((r) => r.errorCode === 0), JSON.stringify(cleared));
  });

  it("incrementalAlterConfigs appends, subtracts and deletes one key and leaves the others alone", async () => {
    const topic = { type: "topic" as const, name: configs };
    const throttledReplicas = "leader.replication.throttled.replicas";
    const retention = { name: "retention.ms", value: "123456789", source: "dynamic-topic" };
    const alter = async (op: AlterOp): Promise<void> => {
      assert.deepEqual(await port.incrementalAlterConfigs([{ resource: topic, ops: [op] }]), [{ resource: topic, errorCode: 0 }]);
    };
    await alter({ op: "set", name: "retention.ms", value: "123456789" });
    await alter({ op: "append", name: throttledReplicas, value: "0:1" });
    await alter({ op: "append", name: throttledReplicas, value: "0:2,0:1" });
    let cfg = await configsOnceSettled(topic, (c) => entry(c, throttledReplicas)?.value === "0:1,0:2");
    assert.deepEqual(entry(cfg, throttledReplicas), { name: throttledReplicas, value: "0:1,0:2", source: "dynamic-topic" });
    assert.deepEqual(entry(cfg, "retention.ms"), retention);

    await alter({ op: "subtract", name: throttledReplicas, value: "0:1" });
    cfg = await configsOnceSettled(topic, (c) => entry(c, throttledReplicas)?.value === "0:2");
    assert.deepEqual(entry(cfg, "retention.ms"), retention);

    await alter({ op: "delete", name: throttledReplicas });
    cfg = await configsOnceSettled(topic, (c) => entry(c, throttledReplicas)?.source !== "dynamic-topic");
    assert.equal(entry(cfg, throttledReplicas)?.value ?? "", "");
    assert.deepEqual(entry(cfg, "retention.ms"), retention);
  });

  it("incrementalAlterConfigs reports a per-resource error without failing the others", async () => {
    const missing = { type: "topic" as const, name: `${run}-no-such-topic` };
    const topic = { type: "topic" as const, name: configs };
    const results = await port.incrementalAlterConfigs([
      { resource: missing, ops: [{ op: "set", name: "retention.ms", value: "1000" }] },
      { resource: topic, ops: [{ op: "set", name: "retention.ms", value: "223456789" }] },
    ]);
    assert.equal(results[0]?.errorCode, 3);
    assert.match(results[0]?.message ?? "", /UNKNOWN_TOPIC_OR_PARTITION/);
    assert.deepEqual(results[1], { resource: topic, errorCode: 0 });
  });

  it("describeConfigs reports where broker and topic values come from", async () => {
    const id = String(brokerIds[0]);
    const broker = { type: "broker" as const, name: id };
    const rate = "leader.replication.throttled.rate";
    await port.incrementalAlterConfigs([{ resource: broker, ops: [{ op: "set", name: rate, value: "10000000" }] }]);
    await configsOnceSettled(broker, (c) => entry(c, rate)?.value === "10000000");
    const cfg = await port.describeConfigs([broker, { type: "topic", name: configs }]);
    const b = cfg.get(`broker:${id}`);
    assert.deepEqual(entry(b, rate), { name: rate, value: "10000000", source: "dynamic-broker" });
    assert.equal(entry(b, "broker.rack")?.source, "static-broker");
    const t = cfg.get(`topic:${configs}`);
    assert.equal(entry(t, "retention.ms")?.source, "dynamic-topic");
    assert.equal(entry(t, "max.message.bytes")?.source, "default");
    await port.incrementalAlterConfigs([{ resource: broker, ops: [{ op: "delete", name: rate }] }]);
    await assert.rejects(port.describeConfigs([{ type: "topic", name: `${run}-no-such-topic` }]), (e: unknown) => isBallastError(e) && e.code === "KAFKA");
  });

  it("electPreferredLeaders reports success when the preferred leader already leads", async () => {
    const t = await describeOne(configs);
    const p = t.partitions[0];
    assert.ok(p);
    assert.equal(p.leader, p.replicas[0]);
    const results = await port.electPreferredLeaders([
      { topic: configs, partition: 0 },
      { topic: configs, partition: 7 },
    ]);
    assert.deepEqual(results[0], { topic: configs, partition: 0, errorCode: 0 });
    assert.equal(results[1]?.errorCode, 3);
  });

  it("names the broker when it is not in the cluster", async () => {
    await assert.rejects(port.describeLogDirs([9999]), (e: unknown) => isBallastError(e) && e.code === "KAFKA" && /broker 9999 is not in the cluster/.test(e.message));
  });

  it("keeps working while a broker is down and a partition has no leader", async () => {
    const victim = brokerIds[brokerIds.length - 1] ?? -1;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: lonely, replicaAssignment: [{ partition: 0, replicas: [victim] }] }] });
    await brokerCtl("kill", victim);
    down = victim;
    await until("the killed broker to leave the cluster", async () => !(await port.describeCluster()).brokers.some((b) => b.id === victim));
    await until("its partition to lose its leader", async () => (await describeOne(lonely)).partitions[0]?.leader === -1);
    const p = (await describeOne(lonely)).partitions[0];
    assert.deepEqual(p?.replicas, [victim]);
    assert.deepEqual(p?.offline, [victim]);
    // kafkajs's admin fails all of these here: it refreshes the metadata of every topic first.
    assert.ok((await port.describeTopics()).some((t) => t.name === lonely));
    assert.deepEqual(await port.listPartitionReassignments(), []);
    assert.ok(((await port.describeConfigs([{ type: "topic", name: lonely }])).get(`topic:${lonely}`) ?? []).length > 0);
    await assert.rejects(port.describeLogDirs([victim]), (e: unknown) => isBallastError(e) && new RegExp(`broker ${String(victim)} is not in the cluster`).test(e.message));
    await brokerCtl("start", victim);
    down = undefined;
    await until("the broker to lead its partition again", async () => (await describeOne(lonely)).partitions[0]?.leader === victim);
  });
});
