/**
 * The simulated cluster behind the KafkaPort: copy timing, throttles, cancel, broker failures,
 * config semantics and leader election, all on virtual time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startExecution } from "../../src/executor/execute.js";
import { MemoryStateStore } from "../../src/executor/journal.js";
import type { TaskRecord } from "../../src/executor/journal.js";
import type { KafkaPort, PartitionMetadata } from "../../src/executor/port.js";
import { bandwidthLowerBound, createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS } from "../../src/executor/throttle.js";
import type { SimulatedCluster } from "../../src/executor/simulator.js";
import { DEFAULT_LIMITS, DEFAULT_STRATEGY } from "../../src/executor/types.js";
import type { Clock, MoveTask } from "../../src/executor/types.js";
import { BallastError } from "../../src/model/errors.js";
import type { Cluster, Partition } from "../../src/model/types.js";

const MB = 1_000_000;
/** Bandwidth used by most tests: 10 MB/s in and out of every broker. */
const BW = 10 * MB;

function partition(topic: string, n: number, replicas: number[], size: number): Partition {
  const leader = replicas[0] ?? -1;
  return { topic, partition: n, replicas, leader, size, bytesIn: 0, bytesOut: 0 };
}

/** Brokers 1–5; topic `t` with partitions 0–2 on [1,2] and topic `u` partition 0 on [2,1]. */
function fixture(): Cluster {
  return {
    version: 1,
    name: "test",
    brokers: [1, 2, 3, 4, 5].map((id) => ({ id, rack: `r${String(id % 2)}`, status: "alive" as const, capacity: {} })),
    topics: [
      { name: "t", partitions: [0, 1, 2].map((n) => partition("t", n, [1, 2], 100 * MB)) },
      { name: "u", partitions: [partition("u", 0, [2, 1], 50 * MB)] },
    ],
  };
}

/** A simulated fixture cluster; `bandwidth: null` leaves the bandwidth to the broker capacities. */
function start(bandwidth: number | null = BW, cluster: Cluster = fixture()): SimulatedCluster {
  const clock = createSimClock();
  return createSimulatedCluster(cluster, bandwidth === null ? { clock } : { clock, bandwidth });
}

async function meta(port: KafkaPort, topic: string, n: number): Promise<PartitionMetadata> {
  const [t] = await port.describeTopics([topic]);
  const p = t?.partitions.find((x) => x.partition === n);
  assert.ok(p, `${topic}-${String(n)} missing`);
  return p;
}

async function ongoing(port: KafkaPort): Promise<string[]> {
  return (await port.listPartitionReassignments()).map((r) => `${r.topic}-${String(r.partition)}`);
}

async function setThrottle(port: KafkaPort, broker: number, topicReplicas: Record<string, string>, rate: number): Promise<void> {
  const results = await port.incrementalAlterConfigs([
    {
      resource: { type: "broker", name: String(broker) },
      ops: [
        { op: "set", name: LEADER_RATE, value: String(rate) },
        { op: "set", name: FOLLOWER_RATE, value: String(rate) },
      ],
    },
    {
      resource: { type: "topic", name: "t" },
      ops: Object.entries(topicReplicas).map(([name, value]) => ({ op: "append" as const, name, value })),
    },
  ]);
  assert.deepEqual(
    results.map((r) => r.errorCode),
    [0, 0],
  );
}

const near = (actual: number, expected: number, tolerance = 1e-6): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${String(actual)} is not about ${String(expected)}`);
};

test("a reassignment completes in size / bandwidth virtual seconds and then disappears", async () => {
  const sim = start();
  const { port, clock } = sim;
  const [r] = await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  assert.equal(r?.errorCode, 0);
  const [listed] = await port.listPartitionReassignments();
  assert.deepEqual(listed, { topic: "t", partition: 0, replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] });
  assert.deepEqual((await meta(port, "t", 0)).isr, [1, 2]);

  await clock.sleep(9_000);
  const dirs = (await port.describeLogDirs([3])).get(3);
  assert.deepEqual(dirs, [{ topic: "t", partition: 0, logDir: "/var/lib/kafka/data", size: 90 * MB, isFuture: true }]);
  assert.deepEqual(await ongoing(port), ["t-0"]);

  await clock.sleep(1_000);
  assert.deepEqual(await ongoing(port), []);
  const p = await meta(port, "t", 0);
  assert.deepEqual([p.replicas, p.isr, p.leader], [[1, 3], [1, 3], 1]);
  near(sim.makespan(), 10);
  assert.deepEqual((await port.describeLogDirs([2])).get(2)?.map((d) => `${d.topic}-${String(d.partition)}`), ["t-1", "t-2", "u-0"]);
});

test("copies share the leader's outgoing bandwidth; the makespan meets the bandwidth lower bound", async () => {
  const sim = start();
  const tasks: MoveTask[] = [
    { topic: "t", partition: 0, from: [1, 2], to: [1, 3], size: 100 * MB },
    { topic: "t", partition: 1, from: [1, 2], to: [1, 4], size: 100 * MB },
  ];
  await sim.port.alterPartitionReassignments(tasks.map((t) => ({ topic: t.topic, partition: t.partition, replicas: t.to })));
  await sim.clock.sleep(19_900);
  assert.equal((await ongoing(sim.port)).length, 2);
  await sim.clock.sleep(200);
  assert.deepEqual(await ongoing(sim.port), []);
  near(sim.makespan(), 20);
  near(bandwidthLowerBound(tasks, BW), 20);
  // Sources on different brokers into different brokers run in parallel.
  near(bandwidthLowerBound([tasks[0]!, { topic: "u", partition: 0, from: [2, 1], to: [2, 5], size: 50 * MB }], BW), 10);
  assert.throws(() => bandwidthLowerBound(tasks, 0), BallastError);
});

test("default bandwidth comes from broker capacity, else 100 MiB/s", async () => {
  const base = fixture();
  const cluster: Cluster = {
    ...base,
    brokers: base.brokers.map((b) => (b.id === 3 ? { ...b, capacity: { networkIn: 5 * MB } } : b)),
  };
  const sim = start(null, cluster);
  await sim.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await sim.clock.sleep(20_000);
  assert.deepEqual(await ongoing(sim.port), []);
  near(sim.makespan(), 20);

  const other = start(null);
  await other.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await other.clock.sleep(1_000);
  assert.deepEqual(await ongoing(other.port), []);
  near(other.makespan(), (100 * MB) / (100 * 1024 * 1024));
});

test("a throttle slows a copy only for the replicas it lists", async () => {
  // Leader-side throttle on broker 1 for t-0's leader replica: 1 MB/s.
  const sim = start();
  await setThrottle(sim.port, 1, { [LEADER_REPLICAS]: "0:1,0:2" }, 1 * MB);
  await sim.port.alterPartitionReassignments([
    { topic: "t", partition: 0, replicas: [1, 3] },
    { topic: "t", partition: 1, replicas: [1, 4] }, // not listed: full speed, less what the throttled copy uses
  ]);
  await sim.clock.sleep(11_100);
  assert.deepEqual(await ongoing(sim.port), ["t-0", "t-1"]);
  await sim.clock.sleep(20);
  assert.deepEqual(await ongoing(sim.port), ["t-0"]);
  await sim.clock.sleep(100_000);
  assert.deepEqual(await ongoing(sim.port), []);
  // t-1 took 100 MB at 9 MB/s (11.1 s), after which t-0 had 88.9 MB left at 1 MB/s.
  near(sim.makespan(), 100, 1e-3);

  // Follower-side throttle with a wildcard on the adding broker.
  const f = start();
  await setThrottle(f.port, 3, { [FOLLOWER_REPLICAS]: "*" }, 2 * MB);
  await f.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await f.clock.sleep(60_000);
  assert.deepEqual(await ongoing(f.port), []);
  near(f.makespan(), 50);

  // A rate without listed replicas does nothing; the cluster-wide default rate counts too.
  const d = start();
  await d.port.incrementalAlterConfigs([
    { resource: { type: "broker", name: "" }, ops: [{ op: "set", name: FOLLOWER_RATE, value: String(1 * MB) }] },
  ]);
  await d.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await d.clock.sleep(5_000);
  await d.port.incrementalAlterConfigs([
    { resource: { type: "topic", name: "t" }, ops: [{ op: "set", name: FOLLOWER_REPLICAS, value: "0:3" }] },
  ]);
  await d.clock.sleep(5_000); // 50 MB + 5 MB copied
  assert.deepEqual(await ongoing(d.port), ["t-0"]);
  assert.equal((await d.port.describeLogDirs([3])).get(3)?.[0]?.size, 55 * MB);

  // Replicas listed first, the adding broker's rate set mid-copy: that copy slows, the other not.
  const b = start();
  await b.port.incrementalAlterConfigs([{ resource: { type: "topic", name: "t" }, ops: [{ op: "set", name: FOLLOWER_REPLICAS, value: "*" }] }]);
  await b.port.alterPartitionReassignments([
    { topic: "t", partition: 0, replicas: [1, 3] },
    { topic: "t", partition: 1, replicas: [2, 4] },
  ]);
  await b.clock.sleep(2_000); // both copies led by broker 1: 5 MB/s each, 10 MB each
  await b.port.incrementalAlterConfigs([{ resource: { type: "broker", name: "3" }, ops: [{ op: "set", name: FOLLOWER_RATE, value: String(1 * MB) }] }]);
  await b.clock.sleep(5_000); // 1 MB/s into broker 3, the other 9 MB/s of broker 1 into broker 4
  assert.equal((await b.port.describeLogDirs([3])).get(3)?.[0]?.size, 15 * MB);
  assert.equal((await b.port.describeLogDirs([4])).get(4)?.[0]?.size, 55 * MB);
});

test("cancel reverts to the original replicas and drops the copies", async () => {
  const { port, clock } = start();
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [3, 4] }]);
  assert.deepEqual((await meta(port, "t", 0)).replicas, [3, 4, 1, 2]);
  await clock.sleep(5_000);
  const [r] = await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: null }]);
  assert.equal(r?.errorCode, 0);
  assert.deepEqual(await ongoing(port), []);
  const p = await meta(port, "t", 0);
  assert.deepEqual([p.replicas, p.isr, p.leader], [[1, 2], [1, 2], 1]);
  assert.deepEqual((await port.describeLogDirs([3])).get(3), []);
  const [again] = await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: null }]);
  assert.equal(again?.errorCode, 85);
});

test("a killed broker pauses its copies and leaves the ISR; started again it resumes", async () => {
  const sim = start();
  const { port, clock } = sim;
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await clock.sleep(5_000);
  sim.killBroker(3);
  assert.deepEqual((await port.describeCluster()).brokers.map((b) => b.id), [1, 2, 4, 5]);
  assert.ok(!(await port.describeLogDirs([3, 1])).has(3));
  await clock.sleep(100_000);
  assert.deepEqual(await ongoing(port), ["t-0"]);
  assert.deepEqual((await meta(port, "t", 0)).offline, [3]);
  sim.startBroker(3);
  await clock.sleep(4_999);
  assert.deepEqual(await ongoing(port), ["t-0"]);
  await clock.sleep(1);
  assert.deepEqual(await ongoing(port), []);
  near(sim.makespan(), 110);
});

test("a killed leader hands over to the next in-sync replica and copies go on from it", async () => {
  const sim = start();
  const { port, clock } = sim;
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [2, 3] }]);
  await clock.sleep(5_000);
  sim.killBroker(1);
  let p = await meta(port, "t", 0);
  assert.deepEqual([p.leader, p.isr, p.offline], [2, [2], [1]]);
  assert.equal((await meta(port, "u", 0)).leader, 2);
  await clock.sleep(5_000);
  // Complete: broker 1 was to be removed anyway.
  assert.deepEqual(await ongoing(port), []);
  p = await meta(port, "t", 0);
  assert.deepEqual([p.replicas, p.isr, p.leader], [[2, 3], [2, 3], 2]);

  // Both replicas down: no leader, the last in-sync replica stays in the ISR; it alone can lead again.
  sim.killBroker(2);
  const q = await meta(port, "t", 1);
  assert.deepEqual([q.leader, q.isr], [-1, [2]]);
  sim.startBroker(1);
  assert.equal((await meta(port, "t", 1)).leader, -1);
  sim.startBroker(2);
  const back = await meta(port, "t", 1);
  assert.deepEqual([back.leader, back.isr], [2, [1, 2]]);
});

test("moving the leader away elects the first target replica when the move completes", async () => {
  const sim = start();
  await sim.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [3, 4] }]);
  assert.equal((await meta(sim.port, "t", 0)).leader, 1);
  await sim.clock.sleep(20_000);
  const p = await meta(sim.port, "t", 0);
  assert.deepEqual([p.replicas, p.isr, p.leader], [[3, 4], [3, 4], 3]);
  // Two copies from broker 1 share its 10 MB/s.
  near(sim.makespan(), 20);
});

test("reorder-only reassignments complete at once; bad requests get Kafka's error codes", async () => {
  const { port } = start();
  const results = await port.alterPartitionReassignments([
    { topic: "t", partition: 0, replicas: [2, 1] },
    { topic: "t", partition: 1, replicas: [1, 9] },
    { topic: "t", partition: 2, replicas: [3, 3] },
    { topic: "nope", partition: 0, replicas: [1] },
    { topic: "t", partition: 2, replicas: [] },
  ]);
  assert.deepEqual(
    results.map((r) => r.errorCode),
    [0, 39, 39, 3, 39],
  );
  assert.deepEqual(await ongoing(port), []);
  const p = await meta(port, "t", 0);
  assert.deepEqual([p.replicas, p.leader], [[2, 1], 1]);
});

test("replacing an ongoing reassignment keeps the original replicas and the progress of kept copies", async () => {
  const sim = start();
  const { port, clock } = sim;
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3, 4] }]);
  await clock.sleep(10_000); // 50 MB each (two copies share broker 1)
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  const [r] = await port.listPartitionReassignments();
  assert.deepEqual(r, { topic: "t", partition: 0, replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] });
  await clock.sleep(5_000);
  assert.deepEqual(await ongoing(port), []);
  // Back to the original by naming it: the same as a cancel.
  await port.alterPartitionReassignments([{ topic: "t", partition: 1, replicas: [3, 4] }]);
  await port.alterPartitionReassignments([{ topic: "t", partition: 1, replicas: [1, 2] }]);
  assert.deepEqual(await ongoing(port), []);
  assert.deepEqual((await meta(port, "t", 1)).replicas, [1, 2]);
});

test("incrementalAlterConfigs: set, delete, append and subtract like Kafka, all or nothing per resource", async () => {
  const { port } = start();
  const topic = { type: "topic", name: "t" } as const;
  const value = async (): Promise<string | null | undefined> =>
    (await port.describeConfigs([topic])).get("topic:t")?.find((e) => e.name === LEADER_REPLICAS)?.value;

  const alter = async (...ops: Parameters<KafkaPort["incrementalAlterConfigs"]>[0][number]["ops"]): Promise<number> =>
    (await port.incrementalAlterConfigs([{ resource: topic, ops }]))[0]?.errorCode ?? -1;

  assert.equal(await alter({ op: "append", name: LEADER_REPLICAS, value: "0:1,0:2" }), 0);
  assert.equal(await value(), "0:1,0:2");
  assert.equal(await alter({ op: "append", name: LEADER_REPLICAS, value: "0:2,1:1,1:1" }), 0);
  assert.equal(await value(), "0:1,0:2,1:1");
  assert.equal(await alter({ op: "subtract", name: LEADER_REPLICAS, value: "0:1,9:9" }), 0);
  assert.equal(await value(), "0:2,1:1");
  assert.equal(await alter({ op: "subtract", name: LEADER_REPLICAS, value: "0:2,1:1" }), 0);
  assert.equal(await value(), "");
  assert.equal(await alter({ op: "set", name: LEADER_REPLICAS, value: "*" }), 0);
  assert.equal(await value(), "*");
  assert.equal(await alter({ op: "delete", name: LEADER_REPLICAS }), 0);
  assert.equal(await value(), undefined);

  // A bad op fails the whole resource: the good op before it is not applied.
  assert.equal(
    await alter({ op: "set", name: FOLLOWER_REPLICAS, value: "0:1" }, { op: "append", name: "retention.ms", value: "5" }),
    40,
  );
  assert.equal(await alter({ op: "set", name: FOLLOWER_REPLICAS, value: "zero" }), 40);
  assert.equal(await alter({ op: "set", name: LEADER_RATE, value: "5" }), 40);
  assert.equal(await alter({ op: "set", name: "retention.ms", value: "1" }, { op: "delete", name: "retention.ms" }), 42);
  assert.deepEqual((await port.describeConfigs([topic])).get("topic:t"), []);

  // A list config's first append starts from its default.
  assert.equal(await alter({ op: "append", name: "cleanup.policy", value: "compact" }), 0);
  assert.equal((await port.describeConfigs([topic])).get("topic:t")?.[0]?.value, "delete,compact");
  assert.equal(await alter({ op: "delete", name: "cleanup.policy" }), 0);

  const [missing] = await port.incrementalAlterConfigs([{ resource: { type: "topic", name: "nope" }, ops: [] }]);
  assert.equal(missing?.errorCode, 3);
  const [rate] = await port.incrementalAlterConfigs([
    { resource: { type: "broker", name: "1" }, ops: [{ op: "append", name: LEADER_RATE, value: "5" }] },
  ]);
  assert.equal(rate?.errorCode, 40);

  // Broker configs: own values, then cluster defaults not overridden, each with its source.
  await port.incrementalAlterConfigs([
    { resource: { type: "broker", name: "" }, ops: [{ op: "set", name: LEADER_RATE, value: "100" }, { op: "set", name: FOLLOWER_RATE, value: "100" }] },
    { resource: { type: "broker", name: "2" }, ops: [{ op: "set", name: LEADER_RATE, value: "7" }] },
  ]);
  const described = await port.describeConfigs([
    { type: "broker", name: "2" },
    { type: "broker", name: "" },
    { type: "topic", name: "nope" },
  ]);
  assert.deepEqual(described.get("broker:2"), [
    { name: FOLLOWER_RATE, value: "100", source: "dynamic-default-broker" },
    { name: LEADER_RATE, value: "7", source: "dynamic-broker" },
  ]);
  assert.deepEqual(described.get("broker:")?.map((e) => e.source), ["dynamic-default-broker", "dynamic-default-broker"]);
  assert.ok(!described.has("topic:nope"));
});

test("electPreferredLeaders moves leadership to the first replica when it is alive and in sync", async () => {
  const sim = start();
  const { port } = sim;
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [2, 1] }]);
  assert.equal((await meta(port, "t", 0)).leader, 1);
  const refs = [
    { topic: "t", partition: 0 },
    { topic: "t", partition: 1 },
    { topic: "nope", partition: 0 },
  ];
  assert.deepEqual(
    (await port.electPreferredLeaders(refs)).map((r) => r.errorCode),
    [0, 0, 3],
  );
  assert.equal((await meta(port, "t", 0)).leader, 2);
  // Already the preferred leader: ELECTION_NOT_NEEDED, reported as success.
  assert.equal((await port.electPreferredLeaders([{ topic: "t", partition: 0 }]))[0]?.errorCode, 0);

  await port.alterPartitionReassignments([{ topic: "t", partition: 1, replicas: [2, 1] }]);
  sim.killBroker(2);
  const [r] = await port.electPreferredLeaders([{ topic: "t", partition: 1 }]);
  assert.equal(r?.errorCode, 80);
  assert.equal((await meta(port, "t", 1)).leader, 1);
});

test("deleting a topic removes its reassignments and its metadata", async () => {
  const sim = start();
  await sim.port.alterPartitionReassignments([
    { topic: "t", partition: 0, replicas: [1, 3] },
    { topic: "u", partition: 0, replicas: [2, 4] },
  ]);
  sim.deleteTopic("t");
  assert.deepEqual(await ongoing(sim.port), ["u-0"]);
  assert.deepEqual((await sim.port.describeTopics()).map((t) => t.name), ["u"]);
  assert.deepEqual(await sim.port.describeTopics(["t"]), []);
  const [r] = await sim.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  assert.equal(r?.errorCode, 3);
  await sim.clock.sleep(10_000);
  assert.deepEqual(await ongoing(sim.port), []);
  assert.deepEqual(sim.snapshot().topics.map((t) => t.name), ["u"]);
  assert.deepEqual(sim.snapshot().topics[0]?.partitions[0]?.replicas, [2, 4]);
});

test("the simulation is deterministic and the port refuses calls once closed", async () => {
  const runOnce = async (): Promise<string> => {
    const sim = start();
    await sim.port.alterPartitionReassignments([
      { topic: "t", partition: 0, replicas: [3, 4] },
      { topic: "t", partition: 1, replicas: [1, 5] },
      { topic: "u", partition: 0, replicas: [5, 3] },
    ]);
    for (let i = 0; i < 7; i++) {
      await sim.clock.sleep(1_700);
      if (i === 2) sim.killBroker(5);
      if (i === 4) sim.startBroker(5);
    }
    await sim.clock.sleep(60_000);
    return JSON.stringify([sim.makespan(), sim.snapshot(), await sim.port.describeTopics()]);
  };
  assert.equal(await runOnce(), await runOnce());

  const { port } = start();
  await port.close();
  await assert.rejects(port.describeCluster(), (e: unknown) => e instanceof BallastError && e.code === "KAFKA");
});

test("the simulated clock advances only when asked", async () => {
  const clock = createSimClock(1_000);
  assert.equal(clock.now(), 1_000);
  await clock.sleep(250);
  assert.equal(clock.now(), 1_250);
  await clock.sleep(-5);
  assert.equal(clock.now(), 1_250);
  const seen: Array<[number, number]> = [];
  const detach = clock.onAdvance((from, to) => seen.push([from, to]));
  clock.advance(10);
  detach();
  clock.advance(10);
  assert.deepEqual(seen, [[1_250, 1_260]]);
});

// ---------------------------------------------------------------------------------------------------
// Whole executions on the simulator

/** Runs `moves` with the real executor at `throttle` (bandwidth 4× that); returns the makespan, bound and polls. */
async function execute(
  cluster: Cluster,
  moves: ReadonlyArray<{ topic: string; partition: number; replicas: number[] }>,
  throttle: number,
  skipQuietPolls = false,
): Promise<{ makespan: number; bound: number; polls: number; snapshot: Cluster }> {
  const sim = createSimulatedCluster(cluster, { clock: createSimClock(), bandwidth: 4 * throttle, skipQuietPolls });
  let polls = 0;
  const clock = { now: () => sim.clock.now(), sleep: (ms: number) => (polls++, sim.clock.sleep(ms)) };
  const store = new MemoryStateStore();
  const status = await startExecution(
    { port: sim.port, store, clock, emit: () => undefined, stop: { level: 0 }, pollMs: 1000 },
    { reassignment: { version: 1, partitions: moves.map((m) => ({ ...m, log_dirs: m.replicas.map(() => "any") })) } },
    { limits: DEFAULT_LIMITS, strategy: [...DEFAULT_STRATEGY], throttle, partitionTimeoutMs: 3_600_000, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false },
    "test",
  );
  assert.equal(status, "completed");
  return { makespan: sim.makespan(), bound: bandwidthLowerBound(store.load().tasks, throttle), polls, snapshot: sim.snapshot() };
}

/** Brokers 1–n, no racks; partitions of topic `t` as given. */
function clusterOf(brokers: number, parts: ReadonlyArray<{ replicas: number[]; size: number }>): Cluster {
  return {
    version: 1,
    brokers: Array.from({ length: brokers }, (_, i) => ({ id: i + 1, status: "alive" as const, capacity: {} })),
    topics: [{ name: "t", partitions: parts.map((p, n) => partition("t", n, p.replicas, p.size)) }],
  };
}

test("copies into one broker, all at once: the makespan equals the bandwidth bound", async () => {
  // Four partitions led by four brokers, each adding broker 5: broker 5's follower throttle is the bottleneck.
  const cluster = clusterOf(5, [1, 2, 3, 4].map((b, i) => ({ replicas: [b], size: (i + 1) * 7 * MB })));
  const moves = [0, 1, 2, 3].map((n) => ({ topic: "t", partition: n, replicas: [n + 1, 5] }));
  const { makespan, bound } = await execute(cluster, moves, 10 * MB);
  near(bound, 7);
  near(makespan, bound);
});

const plans = fc
  .record({
    brokers: fc.integer({ min: 3, max: 6 }),
    parts: fc.array(fc.record({ a: fc.nat(5), b: fc.nat(5), to: fc.nat(5), size: fc.integer({ min: 1, max: 200 }) }), { minLength: 1, maxLength: 14 }),
  })
  .map(({ brokers, parts }) => {
    const picks = parts.map((p) => {
      const a = (p.a % brokers) + 1;
      const b = ((a + (p.b % (brokers - 1))) % brokers) + 1;
      const free = Array.from({ length: brokers }, (_, i) => i + 1).filter((x) => x !== a && x !== b);
      return { replicas: [a, b], size: p.size * MB, target: [free[p.to % free.length]!, b] };
    });
    return { cluster: clusterOf(brokers, picks), moves: picks.map((p, n) => ({ topic: "t", partition: n, replicas: p.target })) };
  });

test("property: a simulated execution never beats the bandwidth bound, and skipping quiet polls changes nothing but their number", async () => {
  await fc.assert(
    fc.asyncProperty(plans, async ({ cluster, moves }) => {
      const fixed = await execute(cluster, moves, 10 * MB);
      assert.ok(fixed.makespan >= fixed.bound * (1 - 1e-9), `makespan ${String(fixed.makespan)} below the bound ${String(fixed.bound)}`);
      const skipping = await execute(cluster, moves, 10 * MB, true);
      near(skipping.makespan, fixed.makespan, 1e-9);
      assert.deepEqual(skipping.snapshot, fixed.snapshot);
      assert.ok(skipping.polls <= fixed.polls);
    }),
    { numRuns: 40 },
  );
});

test("skipping quiet polls: a sleep ends when a copy finished, or after quietAtMostMs of quiet", async () => {
  // A 100 MB copy at 10 MB/s finishes 10 s in; polls every 1 s.
  const skip = createSimulatedCluster(fixture(), { clock: createSimClock(), bandwidth: BW, skipQuietPolls: true });
  await skip.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  await skip.clock.sleep(1_000);
  assert.equal(skip.clock.now(), 10_000);
  // At most 3 s of quiet: the poller wakes every 3 s while the copy runs, then once it is done.
  const capped = createSimulatedCluster(fixture(), { clock: createSimClock(), bandwidth: BW, skipQuietPolls: true, quietAtMostMs: 3_000 });
  await capped.port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  const wakes: number[] = [];
  const copied: number[] = [];
  while ((await ongoing(capped.port)).length > 0) {
    await capped.clock.sleep(1_000);
    wakes.push(capped.clock.now());
    copied.push((await capped.port.describeLogDirs([3])).get(3)?.[0]?.size ?? -1);
  }
  assert.deepEqual(wakes, [3_000, 6_000, 9_000, 10_000]);
  // Progress is where the port reads it at each wake.
  assert.deepEqual(copied, [30 * MB, 60 * MB, 90 * MB, 100 * MB]);
  near(capped.makespan(), 10);
});

test("skipping quiet polls: a partition time-out is noticed at the poll a fixed-sleep poller notices it at", async () => {
  // One 1,000 MB copy at 10 MB/s (100 s) and one of 100 MB (10 s); a time-out of 30.5 s, polls every
  // 1 s. Polling every second, the executor cancels the long copy at the first poll past 30.5 s.
  const cluster = clusterOf(4, [
    { replicas: [1, 2], size: 1000 * MB },
    { replicas: [2, 1], size: 100 * MB },
  ]);
  const moves = [
    { topic: "t", partition: 0, replicas: [3, 2] },
    { topic: "t", partition: 1, replicas: [4, 1] },
  ];
  const run = async (skipQuietPolls: boolean): Promise<{ tasks: TaskRecord[]; polls: number }> => {
    const sim = createSimulatedCluster(cluster, { clock: createSimClock(), bandwidth: 4 * 10 * MB, skipQuietPolls });
    let polls = 0;
    const clock: Clock = { now: () => sim.clock.now(), sleep: (ms, wakeBy) => (polls++, sim.clock.sleep(ms, wakeBy)) };
    const store = new MemoryStateStore();
    await startExecution(
      { port: sim.port, store, clock, emit: () => undefined, stop: { level: 0 }, pollMs: 1000 },
      { reassignment: { version: 1, partitions: moves.map((m) => ({ ...m, log_dirs: m.replicas.map(() => "any") })) } },
      { limits: DEFAULT_LIMITS, strategy: [...DEFAULT_STRATEGY], throttle: 10 * MB, partitionTimeoutMs: 30_500, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false },
      "test",
    );
    return { tasks: store.load().tasks, polls };
  };
  const fixed = await run(false);
  const skipping = await run(true);
  const long = (r: { tasks: TaskRecord[] }): TaskRecord => r.tasks.find((t) => t.partition === 0)!;
  assert.equal(long(fixed).state, "timed-out");
  assert.equal(long(fixed).finishedAt, 31_000);
  assert.deepEqual(
    skipping.tasks.map((t) => [t.partition, t.state, t.finishedAt]),
    fixed.tasks.map((t) => [t.partition, t.state, t.finishedAt]),
  );
  // The skipping run woke for the short copy and for the time-out, not every second.
  assert.ok(skipping.polls < 10, `${String(skipping.polls)} polls`);
});

test("copy progress is read as often as the context asks, and how often changes nothing but the reads", async () => {
  // Broker 5 adds four partitions of 600 MB at 10 MB/s: four minutes of copying, polled every second.
  const cluster = clusterOf(5, [1, 2, 3, 4].map((b) => ({ replicas: [b], size: 600 * MB })));
  const moves = [0, 1, 2, 3].map((n) => ({ topic: "t", partition: n, replicas: [n + 1, 5] }));
  const run = async (progressEveryMs?: number): Promise<{ makespan: number; reads: number }> => {
    const sim = createSimulatedCluster(cluster, { clock: createSimClock(), bandwidth: 40 * MB });
    let reads = 0;
    // Sizes are read once before the start (withSizes) and with the partitions asked for after.
    const port: KafkaPort = { ...sim.port, describeLogDirs: (ids, refs) => (refs !== undefined && reads++, sim.port.describeLogDirs(ids, refs)) };
    const status = await startExecution(
      { port, store: new MemoryStateStore(), clock: sim.clock, emit: () => undefined, stop: { level: 0 }, pollMs: 1000, ...(progressEveryMs !== undefined ? { progressEveryMs } : {}) },
      { reassignment: { version: 1, partitions: moves.map((m) => ({ ...m, log_dirs: m.replicas.map(() => "any") })) } },
      { limits: DEFAULT_LIMITS, strategy: [...DEFAULT_STRATEGY], throttle: 10 * MB, partitionTimeoutMs: 3_600_000, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false },
      "test",
    );
    assert.equal(status, "completed");
    return { makespan: sim.makespan(), reads };
  };
  const often = await run();
  const rarely = await run(60_000);
  near(often.makespan, 240);
  assert.equal(rarely.makespan, often.makespan);
  // Every 5 s by default (READ_EVERY_MS), about once a minute when asked.
  assert.ok(often.reads >= 240 / 5 - 1, `default: ${String(often.reads)} reads`);
  assert.ok(rarely.reads <= 240 / 60 + 2, `every minute: ${String(rarely.reads)} reads`);
});

test("a move another alter call leaves as it was keeps its metadata (the executor remembers flags by it); one that changes gets new", async () => {
  const sim = start();
  const { port } = sim;
  await port.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1, 3] }]);
  const before = await meta(port, "t", 0);
  const other = await meta(port, "t", 2);
  // Another partition's move starts: t-0's move is checked again but nothing of it changed.
  await port.alterPartitionReassignments([{ topic: "t", partition: 1, replicas: [1, 4] }]);
  assert.equal(await meta(port, "t", 0), before);
  assert.equal(await meta(port, "t", 2), other);
  // t-0's copy finishes (100 MB at half of broker 1's 10 MB/s out) and its move completes: new
  // metadata, at the target.
  sim.clock.advance(21_000);
  const after = await meta(port, "t", 0);
  assert.notEqual(after, before);
  assert.deepEqual([after.replicas, after.isr], [[1, 3], [1, 3]]);
});
