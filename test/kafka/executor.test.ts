/**
 * The executor end to end against the real Kafka cluster of scripts/kafka-cluster.sh: the `ballast`
 * CLI runs as a child process (so killing it is a real SIGKILL), on topics with real data, while the
 * test watches the cluster with its own kafkajs admin client. Each test makes its own topics with a
 * known replica assignment, writes the plan JSON itself, and checks placement, leaders, the exact
 * throttle configs during and after the run, and that every message produced before is still there.
 * Skipped unless KAFKA_BOOTSTRAP is set (`npm run test:kafka`).
 *
 * Brokers 1 and 3 are in rack-a, 2 and 4 in rack-b; every placement below keeps one replica per rack.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { after, afterEach, before, describe, it } from "node:test";
import { type Admin, type ConfigResourceTypes, type ConfigSource, type DescribeConfigResponse } from "kafkajs";
import { createKafkajsPort } from "../../src/executor/kafkajs/adapter.js";
import {
  type Assignment,
  type CliResult,
  assertAllConsumable,
  assertRunning,
  ballast,
  createTopic,
  describeResult,
  entriesOf,
  finish,
  parseEvents,
  placement,
  produce,
  readJournal,
  reassigningTopics,
  running,
  sleep,
  startCli,
  waitForJournal,
  waitForPlacement,
  writePlan,
} from "./cli-helpers.js";
import { admin as connectAdmin, bootstrap, brokerCtl, kafkaSkip, testBrokers, uniqueName, waitFor } from "./harness.js";

const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
const BROKER_RESOURCE = 4 as ConfigResourceTypes;
const DYNAMIC_TOPIC = 1 as ConfigSource;
const DYNAMIC_BROKER = 2 as ConfigSource;

const LEADER_RATE = "leader.replication.throttled.rate";
const FOLLOWER_RATE = "follower.replication.throttled.rate";
const LEADER_REPLICAS = "leader.replication.throttled.replicas";
const FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";

/** Four partitions each moving one replica to the other broker of its rack (one replica per rack throughout). */
const ONE_MOVE_EACH: { readonly from: Assignment; readonly to: Assignment } = {
  from: [
    [1, 2],
    [3, 2],
    [2, 1],
    [4, 3],
  ],
  to: [
    [1, 4],
    [3, 4],
    [2, 3],
    [4, 1],
  ],
};

interface ConfigView {
  /** Broker id → dynamic per-broker configs (name → value). */
  readonly brokers: Map<number, Map<string, string>>;
  /** Topic → dynamic topic configs (name → value). */
  readonly topics: Map<string, Map<string, string>>;
}

function dynamicOf(res: DescribeConfigResponse["resources"][number], source: ConfigSource): Map<string, string> {
  assert.equal(res.errorCode, 0, `describeConfigs ${res.resourceName}: ${res.errorMessage}`);
  return new Map(res.configEntries.filter((e) => e.configSource === source).map((e) => [e.configName, e.configValue ?? ""]));
}

/** The dynamic configs of every broker and of the given topics, as the cluster reports them. */
async function dynamicConfigs(admin: Admin, topics: readonly string[], brokerIds = testBrokers().map((b) => b.id)): Promise<ConfigView> {
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      ...brokerIds.map((id) => ({ type: BROKER_RESOURCE, name: String(id) })),
      ...topics.map((t) => ({ type: TOPIC_RESOURCE, name: t })),
    ],
  });
  const brokers = new Map<number, Map<string, string>>();
  const topicMap = new Map<string, Map<string, string>>();
  for (const r of res.resources) {
    if (r.resourceType === BROKER_RESOURCE) brokers.set(Number(r.resourceName), dynamicOf(r, DYNAMIC_BROKER));
    else topicMap.set(r.resourceName, dynamicOf(r, DYNAMIC_TOPIC));
  }
  return { brokers, topics: topicMap };
}

function listOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const sortedList = (xs: Iterable<string>): string[] => [...xs].sort();

/** Throttle state in a comparable form: broker rates (dynamic) and the topics' throttled-replica entries. */
function throttleState(view: ConfigView): { brokers: Record<string, Record<string, string>>; topics: Record<string, { leader: string[]; follower: string[] }> } {
  const brokers: Record<string, Record<string, string>> = {};
  for (const [id, cfg] of view.brokers) {
    const rates: Record<string, string> = {};
    for (const k of [LEADER_RATE, FOLLOWER_RATE]) if (cfg.has(k)) rates[k] = cfg.get(k)!;
    if (Object.keys(rates).length > 0) brokers[String(id)] = rates;
  }
  const topics: Record<string, { leader: string[]; follower: string[] }> = {};
  for (const [t, cfg] of view.topics) {
    // A key left behind with an empty list counts as a leftover too.
    if (cfg.has(LEADER_REPLICAS) || cfg.has(FOLLOWER_REPLICAS)) {
      topics[t] = { leader: sortedList(listOf(cfg.get(LEADER_REPLICAS))), follower: sortedList(listOf(cfg.get(FOLLOWER_REPLICAS))) };
    }
  }
  return { brokers, topics };
}

/** Waits until no broker has a dynamic throttle rate and the topics list no throttled replicas. */
async function assertNoThrottles(admin: Admin, topics: readonly string[], timeoutMs = 15_000): Promise<void> {
  let last: ReturnType<typeof throttleState> = { brokers: {}, topics: {} };
  try {
    await waitFor(
      "every throttle to be gone",
      async () => {
        last = throttleState(await dynamicConfigs(admin, topics));
        return Object.keys(last.brokers).length === 0 && Object.keys(last.topics).length === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  } catch (e) {
    assert.fail(`${(e as Error).message}; still set: ${JSON.stringify(last)}`);
  }
}

/** Polls the throttle configs until `stop` resolves; returns the union of every dynamic entry seen. */
function watchThrottles(admin: Admin, topics: readonly string[], stop: Promise<unknown>): Promise<{ brokers: Map<string, Set<string>>; topics: Map<string, Set<string>>; polls: number }> {
  const brokers = new Map<string, Set<string>>();
  const topicEntries = new Map<string, Set<string>>();
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const add = (m: Map<string, Set<string>>, k: string, v: string): void => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(v);
  };
  return (async () => {
    let polls = 0;
    while (!stopped) {
      try {
        const s = throttleState(await dynamicConfigs(admin, topics));
        polls++;
        for (const [id, rates] of Object.entries(s.brokers)) for (const [k, v] of Object.entries(rates)) add(brokers, id, `${k}=${v}`);
        for (const [t, e] of Object.entries(s.topics)) {
          for (const x of e.leader) add(topicEntries, t, `leader ${x}`);
          for (const x of e.follower) add(topicEntries, t, `follower ${x}`);
        }
      } catch {
        // a poll that fails (a broker restarting) is skipped
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { brokers, topics: topicEntries, polls };
  })();
}


// ---- the suite ----------------------------------------------------------------------------------------

describe("ballast execute against a live cluster", { skip: kafkaSkip(), timeout: 600_000 }, () => {
  const boot = (): string => process.env["KAFKA_BOOTSTRAP"] ?? "";
  let admin: Admin;
  let work: string;
  let topics: string[] = [];
  /** Brokers a test stopped and has not started again. */
  const down = new Set<number>();

  const newTopic = (name: string): string => {
    const t = uniqueName(`exec-${name}`);
    topics.push(t);
    return t;
  };
  const dirFor = (name: string): { dir: string; stateDir: string; plan: string } => {
    const dir = mkdtempSync(join(work, `${name}-`));
    return { dir, stateDir: join(dir, "state"), plan: join(dir, "plan.json") };
  };
  /**
   * The set-up most tests share: a topic placed as `from` (all in sync, first replica leading) with
   * `perPartition` ~1 KB messages in each partition, a folder for the run, and the plan (with
   * madeFrom) that moves the topic to `to`.
   */
  const movingTopic = async (name: string, from: Assignment, to: Assignment, perPartition: number): Promise<{ topic: string; dir: string; stateDir: string; plan: string }> => {
    const topic = newTopic(name);
    await createTopic(admin, topic, from);
    await produce(topic, from.length, perPartition);
    const { dir, stateDir, plan } = dirFor(name);
    writePlan(plan, entriesOf(topic, to), entriesOf(topic, from));
    return { topic, dir, stateDir, plan };
  };
  /** `ballast execute` with a 1 s poll and JSON events; `more` comes last, so it can override those. */
  const executeArgs = (plan: string, stateDir: string, throttle: string, ...more: string[]): string[] => [
    "execute",
    plan,
    "--bootstrap-server",
    boot(),
    "--state-dir",
    stateDir,
    "--throttle",
    throttle,
    "--poll-interval",
    "1s",
    "--json",
    ...more,
  ];

  /**
   * Puts the cluster back as the tests expect it: no child process, every broker up, this suite's
   * topics deleted, no reassignment in progress, and no dynamic broker config (no throttle rate) on
   * any broker, so that a test's "present during, gone after" checks see only its own run.
   */
  const resetCluster = async (): Promise<void> => {
    await Promise.all(
      [...running].map((child) => {
        const closed = new Promise((resolve) => child.once("close", resolve));
        child.kill("SIGKILL");
        return closed;
      }),
    );
    for (const id of down) {
      await brokerCtl("start", id);
      down.delete(id);
    }
    if (topics.length > 0) {
      const existing = new Set(await admin.listTopics());
      const gone = topics.filter((t) => existing.has(t));
      if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 15_000 });
      topics = [];
    }
    await waitFor("no reassignment in progress", async () => ((await reassigningTopics(admin)).length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    const view = await dynamicConfigs(admin, []);
    const dirty = [...view.brokers].filter(([, cfg]) => cfg.size > 0).map(([id]) => id);
    if (dirty.length > 0) {
      await admin.alterConfigs({ validateOnly: false, resources: dirty.map((id) => ({ type: BROKER_RESOURCE, name: String(id), configEntries: [] })) });
      await waitFor("broker configs reset", async () => {
        const v = await dynamicConfigs(admin, []);
        return [...v.brokers.values()].every((c) => c.size === 0) ? true : undefined;
      });
    }
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "ballast-exec-"));
    admin = await connectAdmin("ballast-executor-test");
    await resetCluster();
  });

  afterEach(resetCluster);

  after(async () => {
    await admin?.disconnect();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("moves partitions to exactly the planned replicas with throttles only while it runs, preferred leaders after, no message lost", { timeout: 180_000 }, async () => {
    const from: Assignment = [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
    ];
    const to: Assignment = [
      [3, 4], // both replicas move
      [4, 1], // both replicas move
      [2, 3], // 4 → 2, and the leader changes from 3 to 2
      [1, 4], // order only: the preferred leader changes from 4 to 1
    ];
    const perPartition = 1500;
    const { topic, dir, stateDir, plan } = await movingTopic("basic", from, to, perPartition);

    const t0 = Date.now();
    const run = startCli(executeArgs(plan, stateDir, "200KiB/s"), dir);
    const seen = watchThrottles(admin, [topic], run.done);
    const r = await finish(run, 150_000, "execute");
    const observed = await seen;
    const elapsed = Date.now() - t0;
    assert.equal(r.code, 0, describeResult(r));

    // Exactly what Ballast sets: both rates at 200 KiB/s on the brokers of the current and the added
    // replicas (here all four), leader entries for the current replicas and follower entries for the
    // added ones of each partition that copies data; no entry for the reorder-only partition.
    assert.ok(observed.polls >= 3, `throttles polled ${String(observed.polls)} times during a ${String(elapsed)} ms run`);
    const rates = [`${FOLLOWER_RATE}=204800`, `${LEADER_RATE}=204800`];
    assert.deepEqual(
      Object.fromEntries([...observed.brokers].map(([id, s]) => [id, sortedList(s)])),
      { "1": rates, "2": rates, "3": rates, "4": rates },
      "broker throttle rates seen during the run",
    );
    assert.deepEqual(
      sortedList(observed.topics.get(topic) ?? []),
      sortedList(["leader 0:1", "leader 0:2", "leader 1:2", "leader 1:3", "leader 2:3", "leader 2:4", "follower 0:3", "follower 0:4", "follower 1:4", "follower 1:1", "follower 2:2"]),
      "throttled replicas seen during the run",
    );

    await waitForPlacement(admin, topic, to, { run: r });
    await assertNoThrottles(admin, [topic]);
    const events = parseEvents(r.stdout);
    const end = events.find((e) => e["type"] === "end");
    assert.equal(end?.["status"], "completed", r.stdout);
    assert.deepEqual(
      events.filter((e) => e["type"] === "warning"),
      [],
      "no warnings",
    );
    const status = await ballast(["status", "--state-dir", stateDir, "--json"], dir);
    assert.equal(status.code, 0, describeResult(status));
    const s = JSON.parse(status.stdout) as { status: string; counts: Record<string, number>; throttledBrokers: string[]; throttledTopics: string[] };
    assert.equal(s.status, "completed");
    assert.equal(s.counts["done"], 4);
    assert.deepEqual([s.throttledBrokers, s.throttledTopics], [[], []]);
    // cancel of the finished execution says so, and claims no throttle removal it did not do.
    const cancel = await ballast(["cancel", "--bootstrap-server", "127.0.0.1:1", "--state-dir", stateDir], dir);
    assert.equal(cancel.code, 0, describeResult(cancel));
    assert.match(cancel.stdout, /had already ended \(completed\); nothing to cancel, and its journal records no throttle left\.\n$/);
    await assertAllConsumable(admin, topic, from.length, perPartition);
  });

  it("reports copy progress from the brokers: bytes copied match DescribeLogDirs, rate near the throttle, a steady ETA before the partition finishes", { timeout: 180_000 }, async () => {
    // One partition of about 6 MB gains a replica on broker 4 at 200 KiB/s: about 30 s of copying.
    const throttle = 200 * 1024;
    const from: Assignment = [[1, 2]];
    const to: Assignment = [[1, 4]];
    const { topic, dir, stateDir, plan } = await movingTopic("progress", from, to, 6000);
    const port = createKafkajsPort({ brokers: bootstrap(), clientId: "ballast-progress-test" });
    try {
      const t0 = Date.now();
      const run = startCli(executeArgs(plan, stateDir, "200KiB/s"), dir);
      // Kafka's own figure, twice a second: the size of the replica broker 4 is building.
      const kafkaSizes: Array<{ at: number; size: number }> = [];
      const sampling = (async () => {
        while (run.child.exitCode === null && run.child.signalCode === null) {
          try {
            const dirs = await port.describeLogDirs([4], [{ topic, partition: 0 }]);
            const size = Math.max(0, ...(dirs.get(4) ?? []).filter((r) => r.topic === topic && r.partition === 0).map((r) => r.size));
            kafkaSizes.push({ at: Date.now(), size });
          } catch {
            // a read that fails is skipped
          }
          await sleep(500);
        }
      })();
      const r = await finish(run, 150_000, "execute");
      await sampling;
      assert.equal(r.code, 0, describeResult(r));
      const took = Date.now() - t0;
      const total = parseEvents(r.stdout).find((e) => e["type"] === "start")?.["bytes"] as number;
      assert.ok(total > 5_000_000, `the partition's size: ${String(total)}`);
      const copying = parseEvents(r.stdout).filter((e) => e["type"] === "progress" && e["done"] === 0 && e["inFlight"] === 1) as Array<{
        time: string;
        elapsedMs: number;
        bytesCopied: number;
        rate: number | null;
        etaMs: number | null;
      }>;
      assert.ok(copying.length >= 10, `progress while copying: ${String(copying.length)} events`);

      // Before the partition finishes there is a rate and an ETA (bytes used to count only at the end).
      const measured = copying.filter((e) => e.rate !== null && e.rate > 0 && e.etaMs !== null);
      assert.ok(measured.length >= copying.length / 2, `a rate and an ETA while copying:\n${r.stdout}`);

      // Bytes copied are what Kafka reported for the new replica: no more than it had a moment
      // after the event, no less than it had 8 s before (Ballast reads every 5 s, polls every 1 s).
      const sizeAt = (t: number): number => Math.max(0, ...kafkaSizes.filter((k) => k.at <= t).map((k) => k.size));
      for (const e of copying) {
        const at = Date.parse(e.time);
        if (kafkaSizes[0] === undefined || kafkaSizes[0].at > at - 8000) continue;
        assert.ok(e.bytesCopied <= sizeAt(at + 1000), `${String(e.bytesCopied)} B copied at ${e.time}, Kafka had ${String(sizeAt(at + 1000))}`);
        assert.ok(e.bytesCopied >= sizeAt(at - 8000), `${String(e.bytesCopied)} B copied at ${e.time}, Kafka had ${String(sizeAt(at - 8000))} 8 s before`);
      }

      // After the first 10 s (a follower's first fetch takes up to 1 MB whatever the throttle) the
      // rate is within a factor of 2 of the throttle, and the predicted end within a factor of 2
      // of the real one.
      const settled = measured.filter((e) => e.elapsedMs >= 10_000);
      assert.ok(settled.length > 0, `rates after 10 s:\n${r.stdout}`);
      for (const e of settled) {
        assert.ok(e.rate! >= throttle / 2 && e.rate! <= throttle * 2, `rate ${String(e.rate)} B/s at ${String(e.elapsedMs)} ms, throttle ${String(throttle)} B/s`);
        const predicted = Date.parse(e.time) + e.etaMs! - t0;
        assert.ok(predicted >= took / 2 && predicted <= took * 2, `predicted end ${String(predicted)} ms, took ${String(took)} ms`);
      }
    } finally {
      await port.close();
    }
  });

  it(
    "reports every partition done when many reassignments finish between short polls",
    {
      timeout: 150_000,
    },
    async () => {
      // 16 partitions, half moving 2 → 4 and half 4 → 2, finishing at scattered times.
      const from: Assignment = Array.from({ length: 16 }, (_, i) => (i % 2 === 1 ? [1, 2] : [3, 4]));
      const to: Assignment = Array.from({ length: 16 }, (_, i) => (i % 2 === 1 ? [1, 4] : [3, 2]));
      const perPartition = 750;
      const { topic, dir, stateDir, plan } = await movingTopic("many", from, to, perPartition);

      const r = await ballast(executeArgs(plan, stateDir, "200KiB/s", "--poll-interval", "100ms"), dir, 120_000);
      // The placement is checked first: it is what Kafka did, whatever the executor reports.
      await waitForPlacement(admin, topic, to, { run: r, leaders: false });
      await assertNoThrottles(admin, [topic]);
      assert.deepEqual(
        parseEvents(r.stdout)
          .filter((e) => e["type"] === "finished-partition" && e["state"] !== "done")
          .map((e) => `${String(e["partition"])} ${String(e["state"])}: ${String(e["note"])}`),
        [],
        "every partition is reported done",
      );
      assert.equal(r.code, 0, describeResult(r));
      await waitForPlacement(admin, topic, to, { run: r });
      await assertAllConsumable(admin, topic, from.length, perPartition);
    },
  );

  it(
    "completes when a target broker is killed mid-run and started again, losing no message",
    {
      timeout: 240_000,
    },
    async () => {
      const victim = 4;
      const from: Assignment = [
        [1, 2],
        [3, 2],
        [2, 3],
      ];
      const to: Assignment = [
        [1, 4],
        [3, 4],
        [4, 3],
      ];
      const perPartition = 2000;
      const { topic, dir, stateDir, plan } = await movingTopic("broker-kill", from, to, perPartition);

      const run = startCli(executeArgs(plan, stateDir, "300KiB/s", "--broker-down-timeout", "5m"), dir);
      await waitForJournal(stateDir, "every partition to be moving", (ts) => ts.length === 3 && ts.every((t) => t.state === "moving"), run);
      await sleep(2000);
      await assertRunning(run, "the run is still going when the broker is killed");
      const before = await placement(admin, topic);
      assert.ok(
        before.some((p, i) => JSON.stringify(p.replicas) !== JSON.stringify(to[i]) || !to[i]!.every((b) => p.isr.includes(b))),
        `some partition is still copying when the broker is killed: ${JSON.stringify(before)}`,
      );
      down.add(victim);
      await brokerCtl("kill", victim);
      await waitFor(`broker ${victim} to leave the cluster`, async () =>
        (await admin.describeCluster()).brokers.some((b) => b.nodeId === victim) ? undefined : true,
      );
      // `status` from another process shows the pause while it lasts.
      const pausedStatus = await waitFor(
        "ballast status to show the pause",
        async () => {
          const st = await ballast(["status", "--state-dir", stateDir, "--json"], dir);
          const s = JSON.parse(st.stdout) as { paused: { brokers: number[] } | null };
          return s.paused?.brokers.includes(victim) === true ? s.paused : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      ).catch((e: unknown) => e as Error);
      const diedWhileDown = run.child.exitCode !== null || run.child.signalCode !== null;
      await brokerCtl("start", victim);
      down.delete(victim);
      const first = await finish(run, 180_000, "execute");

      // Should the executor not survive the outage, the execution is finished with --resume, so that
      // what the outage did to the data and the cluster is still checked; the test fails at the end.
      let r = first;
      if (first.code !== 0) {
        r = await ballast(["execute", "--resume", "--bootstrap-server", boot(), "--state-dir", stateDir, "--poll-interval", "1s", "--json"], dir, 150_000);
        assert.equal(r.code, 0, `the resumed run after the executor died: ${describeResult(r)}`);
      }
      assert.equal(parseEvents(r.stdout).find((e) => e["type"] === "end")?.["status"], "completed", r.stdout);
      const both: CliResult = r === first ? r : { ...r, stdout: `${first.stdout}--- (died: ${first.stderr.trim()}); the resumed run:\n${r.stdout}` };
      // Leaders are not checked: a partition done before the kill lost its (preferred) leader to the
      // kill, and Ballast's election was already behind it.
      await waitForPlacement(admin, topic, to, { timeoutMs: 30_000, run: both, leaders: false });
      await assertNoThrottles(admin, [topic]);
      await assertAllConsumable(admin, topic, from.length, perPartition);

      assert.ok(!diedWhileDown, `the executor waits while target broker ${String(victim)} is down, but it ended: ${describeResult(first)}`);
      assert.equal(first.code, 0, `the run survives the broker outage: ${describeResult(first)}`);
      const events = parseEvents(first.stdout);
      const pausedAt = events.findIndex((e) => e["type"] === "paused" && Array.isArray(e["brokers"]) && (e["brokers"] as number[]).includes(victim));
      assert.ok(pausedAt >= 0, `the executor reported broker ${String(victim)} down:\n${first.stdout}`);
      assert.ok(
        events.slice(pausedAt).some((e) => e["type"] === "resumed" && JSON.stringify(e["brokers"]) === JSON.stringify([victim])),
        `the executor reported broker ${String(victim)} back:\n${first.stdout}`,
      );
      assert.ok(!(pausedStatus instanceof Error), `status showed the pause: ${String(pausedStatus instanceof Error ? pausedStatus.message : "")}`);
      const final = JSON.parse((await ballast(["status", "--state-dir", stateDir, "--json"], dir)).stdout) as { paused: unknown };
      assert.equal(final.paused, null, "no pause after the run");
    },
  );

  it("resumes after the executor is killed with SIGKILL: placement is the plan, throttles gone, no message lost", { timeout: 180_000 }, async () => {
    const { from, to } = ONE_MOVE_EACH;
    const perPartition = 1500;
    const { topic, dir, stateDir, plan } = await movingTopic("resume", from, to, perPartition);

    // One move at a time, so the kill leaves a partition in flight and others not yet submitted.
    const run = startCli(executeArgs(plan, stateDir, "300KiB/s", "--max-moves", "1"), dir);
    await waitForJournal(stateDir, "a partition in flight", (ts) => ts.some((t) => t.state === "moving"), run);
    await sleep(1500);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    assert.equal(killed.signal, "SIGKILL", describeResult(killed));
    const journal = readJournal(stateDir);
    assert.ok(journal, "the journal survives the kill");
    assert.ok(
      journal.tasks.some((t) => t.state === "pending"),
      `partitions are left to submit after the kill: ${JSON.stringify(journal.tasks.map((t) => t.state))}`,
    );
    // The dead executor's throttles are still in place: resume has to remove them.
    const left = throttleState(await dynamicConfigs(admin, [topic]));
    assert.ok(Object.keys(left.brokers).length > 0, `throttles left by the killed executor: ${JSON.stringify(left)}`);

    const status = await ballast(["status", "--state-dir", stateDir, "--json"], dir);
    assert.equal(status.code, 0, describeResult(status));
    assert.equal((JSON.parse(status.stdout) as { running: boolean }).running, false, "status sees no executor running");

    const resumed = await ballast(["execute", "--resume", "--bootstrap-server", boot(), "--state-dir", stateDir, "--poll-interval", "1s", "--json"], dir, 150_000);
    assert.equal(resumed.code, 0, describeResult(resumed));
    const events = parseEvents(resumed.stdout);
    assert.equal(events.find((e) => e["type"] === "start")?.["resumed"], true, resumed.stdout);
    assert.equal(events.find((e) => e["type"] === "end")?.["status"], "completed", resumed.stdout);
    const after = readJournal(stateDir);
    assert.deepEqual(
      after?.tasks.map((t) => t.state),
      ["done", "done", "done", "done"],
    );
    await waitForPlacement(admin, topic, to, { run: resumed });
    await assertNoThrottles(admin, [topic]);
    await assertAllConsumable(admin, topic, from.length, perPartition);
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} mid-run leaves no Ballast throttle on any broker and a stopped journal; resume sets the throttle again and completes`, { timeout: 240_000 }, async () => {
      const { from, to } = ONE_MOVE_EACH;
      const perPartition = 1500;
      const { topic, dir, stateDir, plan } = await movingTopic(signal.toLowerCase(), from, to, perPartition);

      // One move at a time at 300 KiB/s (about 5 s a partition): the signal finds one in flight.
      const run = startCli(executeArgs(plan, stateDir, "300KiB/s", "--max-moves", "1"), dir);
      await waitForJournal(stateDir, "a partition in flight", (ts) => ts.some((t) => t.state === "moving"), run);
      await sleep(1500);
      const during = throttleState(await dynamicConfigs(admin, [topic]));
      assert.ok(Object.keys(during.brokers).length > 0, `throttled before the signal: ${JSON.stringify(during)}`);
      run.child.kill(signal);
      const r = await finish(run, 90_000, "execute");
      assert.equal(r.code, code, describeResult(r));
      assert.equal(parseEvents(r.stdout).find((e) => e["type"] === "end")?.["status"], "stopped", r.stdout);

      const journal = readJournal(stateDir);
      assert.equal(journal?.status, "stopped", JSON.stringify(journal));
      assert.ok(journal.tasks.some((t) => t.state === "pending"), `partitions are left for the resume: ${JSON.stringify(journal.tasks.map((t) => t.state))}`);
      assert.deepEqual(journal.tasks.filter((t) => t.state !== "pending" && t.state !== "done").map((t) => `${String(t.partition)} ${t.state}`), []);
      // Read at once, not waited for: the executor removed them before it exited.
      const left = throttleState(await dynamicConfigs(admin, [topic]));
      assert.deepEqual(left, { brokers: {}, topics: {} }, "no Ballast throttle left on any broker or topic");
      assert.deepEqual(await reassigningTopics(admin), [], "nothing left moving");

      const resumedRun = startCli(["execute", "--resume", "--bootstrap-server", boot(), "--state-dir", stateDir, "--poll-interval", "1s", "--json"], dir);
      const seen = watchThrottles(admin, [topic], resumedRun.done);
      const resumed = await finish(resumedRun, 150_000, "execute --resume");
      assert.equal(resumed.code, 0, describeResult(resumed));
      assert.equal(parseEvents(resumed.stdout).find((e) => e["type"] === "end")?.["status"], "completed", resumed.stdout);
      const watched = await seen;
      assert.ok(
        [...watched.brokers.values()].some((v) => v.has(`${LEADER_RATE}=${String(300 * 1024)}`)),
        `the resume set the throttle again: ${JSON.stringify([...watched.brokers].map(([b, v]) => [b, [...v]]))}`,
      );
      await waitForPlacement(admin, topic, to, { run: resumed });
      await assertNoThrottles(admin, [topic]);
      await assertAllConsumable(admin, topic, from.length, perPartition);
    });
  }

  it("two executors with different state folders started together: exactly one runs, the other exits 5 naming the holder", { timeout: 240_000 }, async () => {
    const topic = newTopic("lock2");
    const { from, to } = ONE_MOVE_EACH;
    const perPartition = 500;
    await createTopic(admin, topic, from);
    await produce(topic, from.length, perPartition);
    const a = dirFor("lock-a");
    const b = dirFor("lock-b");
    writePlan(a.plan, entriesOf(topic, to).slice(0, 2), entriesOf(topic, from).slice(0, 2));
    writePlan(b.plan, entriesOf(topic, to).slice(2), entriesOf(topic, from).slice(2));
    const runs = [startCli(executeArgs(a.plan, a.stateDir, "300KiB/s"), a.dir), startCli(executeArgs(b.plan, b.stateDir, "300KiB/s"), b.dir)];
    const results = await Promise.all(runs.map((r) => finish(r, 180_000, "execute")));
    const codes = results.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 5], results.map(describeResult).join("\n"));
    const winner = results.findIndex((r) => r.code === 0);
    const loser = results[1 - winner]!;
    assert.match(loser.stderr, new RegExp(`^error: another Ballast execution is changing this cluster \\(ballast pid ${String(runs[winner]!.child.pid)} on `), describeResult(loser));
    assert.equal(readJournal(winner === 0 ? b.stateDir : a.stateDir), undefined, "the refused executor journalled nothing");
    const placed = from.map((f, i) => ((winner === 0 ? i < 2 : i >= 2) ? to[i]! : f));
    await waitForPlacement(admin, topic, placed, { leaders: false });
    await assertNoThrottles(admin, [topic]);
  });

  it("a lock holder killed with SIGKILL frees the lock after the session timeout: the next command takes over", { timeout: 240_000 }, async () => {
    const topic = newTopic("lock9");
    const { from, to } = ONE_MOVE_EACH;
    await createTopic(admin, topic, from);
    await produce(topic, from.length, 1500);
    const a = dirFor("lock9-a");
    const b = dirFor("lock9-b");
    writePlan(a.plan, entriesOf(topic, to).slice(0, 2), entriesOf(topic, from).slice(0, 2));
    writePlan(b.plan, entriesOf(topic, to).slice(2), entriesOf(topic, from).slice(2));
    const holder = startCli(executeArgs(a.plan, a.stateDir, "100KiB/s", "--max-moves", "1"), a.dir);
    await waitForJournal(a.stateDir, "a partition in flight", (ts) => ts.some((t) => t.state === "moving"), holder);
    const during = throttleState(await dynamicConfigs(admin, [topic]));
    assert.ok(Object.keys(during.brokers).length > 0, `the holder throttles: ${JSON.stringify(during)}`);
    // Staggered: a second execution started while the first runs is refused and touches nothing.
    const refused = await ballast(executeArgs(b.plan, b.stateDir, "300KiB/s"), b.dir, 90_000);
    assert.equal(refused.code, 5, describeResult(refused));
    assert.match(refused.stderr, new RegExp(`ballast pid ${String(holder.child.pid)} on `));
    assert.deepEqual(throttleState(await dynamicConfigs(admin, [topic])).brokers, during.brokers, "the holder's throttle rates are intact");
    // A second execute on the holder's own state folder is told the execution is running, not to resume it.
    const busy = await ballast(executeArgs(a.plan, a.stateDir, "300KiB/s"), a.dir, 60_000);
    assert.equal(busy.code, 8, describeResult(busy)); // a state folder in use (docs/exit-codes.md)
    assert.match(busy.stderr, new RegExp(`which ballast pid ${String(holder.child.pid)} is running; follow it with 'ballast status'`));
    assert.doesNotMatch(busy.stderr, /resume it/);
    await assertRunning(holder, "the holder goes on after the refusal");

    holder.child.kill("SIGKILL");
    await holder.done;
    // The dead holder's session lapses after 10 s; then `cancel` of its execution gets the lock.
    const t0 = Date.now();
    const cancel = await ballast(["cancel", "--bootstrap-server", boot(), "--state-dir", a.stateDir, "--json"], a.dir, 120_000);
    assert.equal(cancel.code, 0, describeResult(cancel));
    assert.ok(Date.now() - t0 < 90_000, `took over within 90 s (took ${String(Date.now() - t0)} ms)`);
    await assertNoThrottles(admin, [topic]);
    // And the lock is free again once the cancel is done.
    const next = await ballast(executeArgs(b.plan, b.stateDir, "300KiB/s"), b.dir, 150_000);
    assert.equal(next.code, 0, describeResult(next));
  });

  it("refuses with exit 2, naming the partition, while a reassignment it did not start is in progress", { timeout: 120_000 }, async () => {
    const foreign = newTopic("foreign");
    const mine = newTopic("mine");
    await createTopic(admin, foreign, [[1, 2]]);
    await createTopic(admin, mine, [
      [1, 2],
      [3, 4],
    ]);
    // 3 MB: a follower's first fetch takes up to 1 MB whatever the throttle, the rest waits for it.
    await produce(foreign, 1, 3000);
    // Someone else's reassignment, throttled to 1 KB/s on its new replica so that it stays in progress.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: BROKER_RESOURCE, name: "3", configEntries: [{ name: FOLLOWER_RATE, value: "1000" }] },
        { type: TOPIC_RESOURCE, name: foreign, configEntries: [{ name: FOLLOWER_REPLICAS, value: "0:3" }] },
      ],
    });
    await waitFor("the foreign throttle to apply", async () => ((await dynamicConfigs(admin, [], [3])).brokers.get(3)?.get(FOLLOWER_RATE) === "1000" ? true : undefined));
    await admin.alterPartitionReassignments({ topics: [{ topic: foreign, partitionAssignment: [{ partition: 0, replicas: [3, 2] }] }] });
    try {
      await waitFor("the foreign reassignment to be listed", async () => {
        return (await reassigningTopics(admin)).includes(foreign) ? true : undefined;
      });
      const { dir, stateDir, plan } = dirFor("foreign");
      writePlan(plan, [
        { topic: mine, partition: 0, replicas: [3, 2] },
        { topic: mine, partition: 1, replicas: [1, 4] },
      ]);
      const r = await ballast(executeArgs(plan, stateDir, "200KiB/s"), dir);
      assert.equal(r.code, 2, describeResult(r));
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one error line:\n${r.stderr}`);
      assert.match(lines[0]!, /^error: /);
      assert.ok(lines[0]!.includes(`${foreign}-0`), `the error names ${foreign}-0: ${lines[0]!}`);
      assert.ok(!lines[0]!.includes(mine), `the error does not blame the plan's own partitions: ${lines[0]!}`);
      // Nothing changed: placement as before, no Ballast throttle, the foreign throttle as it was.
      const p = await placement(admin, mine);
      assert.deepEqual(
        p.map((x) => x.replicas),
        [
          [1, 2],
          [3, 4],
        ],
      );
      const view = throttleState(await dynamicConfigs(admin, [mine, foreign]));
      assert.deepEqual(view, { brokers: { "3": { [FOLLOWER_RATE]: "1000" } }, topics: { [foreign]: { leader: [], follower: ["0:3"] } } });
      assert.equal(readJournal(stateDir), undefined, "no execution was recorded");
    } finally {
      // Cancel the foreign reassignment the way kafkajs can: reassign to the original replicas, which
      // are in sync, so it ends at once.
      await admin.alterPartitionReassignments({ topics: [{ topic: foreign, partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
      await waitFor("the foreign reassignment to end", async () => {
        return (await reassigningTopics(admin)).includes(foreign) ? undefined : true;
      });
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_RESOURCE, name: foreign, configEntries: [] }] });
    }
    await waitForPlacement(admin, foreign, [[1, 2]]);
    await assertAllConsumable(admin, foreign, 1, 3000);
  });

  it("cancel from a second process reverts the partitions in flight and removes every Ballast throttle", { timeout: 150_000 }, async () => {
    const from: Assignment = [
      [1, 2],
      [3, 2],
      [2, 3],
    ];
    const to: Assignment = [
      [1, 4],
      [3, 4],
      [4, 3],
    ];
    const perPartition = 2000;
    const { topic, dir, stateDir, plan } = await movingTopic("cancel", from, to, perPartition);

    const run = startCli(executeArgs(plan, stateDir, "100KiB/s"), dir);
    await waitForJournal(stateDir, "every partition to be moving", (ts) => ts.length === 3 && ts.every((t) => t.state === "moving"), run);
    await sleep(1000);
    const during = throttleState(await dynamicConfigs(admin, [topic]));
    assert.ok(Object.keys(during.brokers).length > 0 && during.topics[topic] !== undefined, `throttled before the cancel: ${JSON.stringify(during)}`);

    const cancel = await ballast(["cancel", "--bootstrap-server", boot(), "--state-dir", stateDir, "--json"], dir, 150_000);
    assert.equal(cancel.code, 0, describeResult(cancel));
    const summary = JSON.parse(cancel.stdout.trim().split("\n").at(-1)!) as { status: string; counts: Record<string, number>; running: boolean };
    assert.equal(summary.status, "cancelled", cancel.stdout);
    assert.equal(summary.running, false);

    // An external cancel is not an interrupt of this process (that is Ctrl-C, exit 130): the
    // executor ends with exit 4, the plan not completed, after reporting the cancelled execution.
    const r = await finish(run, 60_000, "execute");
    assert.equal(r.code, 4, describeResult(r));
    assert.equal(parseEvents(r.stdout).find((e) => e["type"] === "end")?.["status"], "cancelled", r.stdout);

    const tasks = readJournal(stateDir)?.tasks ?? [];
    assert.equal(tasks.length, 3);
    const cancelled = tasks.filter((t) => t.state === "cancelled");
    assert.ok(cancelled.length > 0, `partitions were in flight at the cancel: ${JSON.stringify(tasks.map((t) => t.state))}`);
    assert.deepEqual(
      tasks.filter((t) => t.state !== "cancelled" && t.state !== "done").map((t) => `${String(t.partition)} ${t.state}`),
      [],
    );
    // Cancelled partitions are back on their original replicas, finished ones (if any) on the plan's.
    const expected = tasks.map((t) => (t.state === "cancelled" ? from[t.partition]! : to[t.partition]!));
    await waitFor("the cancelled reassignments to be gone", async () => ((await admin.listPartitionReassignments({})).topics.length === 0 ? true : undefined));
    await waitForPlacement(admin, topic, expected, { timeoutMs: 30_000, run: r, leaders: false });
    // Partitions Kafka finished before the cancel reached them are done: led by their preferred leader.
    const done = tasks.filter((t) => t.state === "done");
    if (done.length > 0) {
      await waitFor("the finished partitions to be led by their preferred leaders", async () => {
        const views = await placement(admin, topic);
        return done.every((t) => views[t.partition]?.leader === to[t.partition]![0]) ? true : undefined;
      });
    }
    await assertNoThrottles(admin, [topic]);
    await assertAllConsumable(admin, topic, from.length, perPartition);
  });

  it("a cancel that finds partitions Kafka already finished records them done and elects their preferred leaders", { timeout: 180_000 }, async () => {
    // The current leader stays a replica but is not the new preferred leader, so Kafka keeps it
    // leading after the reassignment until someone elects.
    const from: Assignment = [
      [1, 2],
      [3, 4],
    ];
    const to: Assignment = [
      [4, 1],
      [2, 3],
    ];
    const { topic, dir, stateDir, plan } = await movingTopic("race", from, to, 20);
    // A 10-minute poll: the executor submits, then sleeps while Kafka finishes the small copies.
    const run = startCli(executeArgs(plan, stateDir, "10MiB/s", "--poll-interval", "10m"), dir);
    await waitForJournal(stateDir, "both partitions submitted", (ts) => ts.every((t) => t.state === "moving"), run);
    await waitFor("Kafka to finish both reassignments", async () => ((await reassigningTopics(admin)).length === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 250 });
    await waitForPlacement(admin, topic, to, { timeoutMs: 30_000, leaders: false });
    // The executor dies before it sees them finish; the cancel finds them done.
    run.child.kill("SIGKILL");
    await run.done;
    const cancel = await ballast(["cancel", "--bootstrap-server", boot(), "--state-dir", stateDir, "--json"], dir, 120_000);
    assert.equal(cancel.code, 0, describeResult(cancel));
    assert.deepEqual(
      readJournal(stateDir)?.tasks.map((t) => t.state),
      ["done", "done"],
    );
    await waitForPlacement(admin, topic, to, { timeoutMs: 30_000 });
    await assertNoThrottles(admin, [topic]);
  });

  it("reports the partitions of a topic deleted mid-run as skipped and completes the rest", { timeout: 150_000 }, async () => {
    const kept = newTopic("kept");
    const doomed = newTopic("doomed");
    const from: Assignment = [
      [1, 2],
      [3, 4],
    ];
    const to: Assignment = [
      [1, 4],
      [3, 2],
    ];
    const doomedFrom: Assignment = [
      [2, 1],
      [4, 3],
    ];
    const doomedTo: Assignment = [
      [2, 3],
      [4, 1],
    ];
    const perPartition = 1500;
    await createTopic(admin, kept, from);
    await createTopic(admin, doomed, doomedFrom);
    await produce(kept, 2, perPartition);
    await produce(doomed, 2, perPartition);
    const { dir, stateDir, plan } = dirFor("delete");
    writePlan(plan, [...entriesOf(kept, to), ...entriesOf(doomed, doomedTo)], [...entriesOf(kept, from), ...entriesOf(doomed, doomedFrom)]);

    const run = startCli(executeArgs(plan, stateDir, "150KiB/s"), dir);
    await waitForJournal(stateDir, `${doomed} in flight`, (ts) => ts.filter((t) => t.topic === doomed && t.state === "moving").length === 2, run);
    await admin.deleteTopics({ topics: [doomed], timeout: 15_000 });

    const r = await finish(run, 120_000, "execute");
    assert.equal(r.code, 0, describeResult(r));
    const status = await ballast(["status", "--state-dir", stateDir, "--json"], dir);
    assert.equal(status.code, 0, describeResult(status));
    const s = JSON.parse(status.stdout) as {
      status: string;
      counts: Record<string, number>;
      problems: Array<{ partition: string; state: string; note: string }>;
      throttledBrokers: string[];
      throttledTopics: string[];
    };
    assert.equal(s.status, "completed", status.stdout);
    assert.deepEqual(
      [s.counts["done"], s.counts["skipped"], s.counts["failed"], s.counts["timed-out"]],
      [2, 2, 0, 0],
      status.stdout,
    );
    assert.deepEqual(
      s.problems.map((p) => `${p.partition} ${p.state}`).sort(),
      [`${doomed}-0 skipped`, `${doomed}-1 skipped`],
    );
    for (const p of s.problems) assert.match(p.note, /deleted/);
    assert.deepEqual([s.throttledBrokers, s.throttledTopics], [[], []]);
    assert.ok(!(await admin.listTopics()).includes(doomed), `${doomed} stays deleted`);
    await waitForPlacement(admin, kept, to, { run: r });
    await assertNoThrottles(admin, [kept]);
    await assertAllConsumable(admin, kept, 2, perPartition);
  });

  it("leaves an operator's own broker and topic configs, throttles included, exactly as they were", { timeout: 150_000 }, async () => {
    const topic = newTopic("operator");
    const from: Assignment = [
      [1, 2],
      [3, 4],
    ];
    const to: Assignment = [
      [1, 4],
      [3, 2],
    ];
    // Ballast would add leader entries 0:1, 0:2, 1:3, 1:4: the operator already has 0:1 and 1:4.
    const operatorLeader = "0:1,1:4";
    await createTopic(admin, topic, from, [
      { name: "retention.ms", value: "86400000" },
      { name: LEADER_REPLICAS, value: operatorLeader },
    ]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: BROKER_RESOURCE, name: "1", configEntries: [{ name: LEADER_RATE, value: "999999" }] },
        { type: BROKER_RESOURCE, name: "2", configEntries: [{ name: "log.cleaner.threads", value: "2" }] },
      ],
    });
    const operatorBrokers = { "1": { [LEADER_RATE]: "999999" }, "2": { "log.cleaner.threads": "2" } };
    const operatorTopic = { "retention.ms": "86400000", [LEADER_REPLICAS]: operatorLeader };
    const dynamicSnapshot = async (): Promise<{ brokers: Record<string, Record<string, string>>; topic: Record<string, string> }> => {
      const v = await dynamicConfigs(admin, [topic]);
      const brokers: Record<string, Record<string, string>> = {};
      for (const [id, cfg] of v.brokers) if (cfg.size > 0) brokers[String(id)] = Object.fromEntries(cfg);
      return { brokers, topic: Object.fromEntries(v.topics.get(topic) ?? []) };
    };
    await waitFor("the operator's configs to apply", async () => {
      const s = await dynamicSnapshot();
      return isDeepStrictEqual(s, { brokers: operatorBrokers, topic: operatorTopic }) ? true : undefined;
    });
    const perPartition = 1000;
    await produce(topic, 2, perPartition);
    const { dir, stateDir, plan } = dirFor("operator");
    writePlan(plan, entriesOf(topic, to), entriesOf(topic, from));

    const run = startCli(executeArgs(plan, stateDir, "200KiB/s"), dir);
    const seen = watchThrottles(admin, [topic], run.done);
    const r = await finish(run, 120_000, "execute");
    const observed = await seen;
    assert.equal(r.code, 0, describeResult(r));
    // Ballast throttled the move (so the test means something) around the operator's settings.
    assert.deepEqual(sortedList(observed.brokers.get("1") ?? []), [`${FOLLOWER_RATE}=204800`, `${LEADER_RATE}=999999`]);
    assert.deepEqual(sortedList(observed.topics.get(topic) ?? []), sortedList(["leader 0:1", "leader 0:2", "leader 1:3", "leader 1:4", "follower 0:4", "follower 1:2"]));
    const events = parseEvents(r.stdout);
    const warned = events.findIndex((e) => e["type"] === "warning" && typeof e["message"] === "string" && e["message"].includes("broker 1") && e["message"].includes(LEADER_RATE));
    assert.ok(warned >= 0, `a warning names the operator's rate on broker 1:\n${r.stdout}`);
    // Shown when found (as the first batch is throttled), not at the end of the run.
    const firstDone = events.findIndex((e) => e["type"] === "finished-partition");
    assert.ok(firstDone < 0 || warned < firstDone, `the warning comes before the first partition finishes:\n${r.stdout}`);
    await waitForPlacement(admin, topic, to, { run: r });

    let last: unknown;
    try {
      await waitFor("only the operator's configs to remain", async () => {
        const s = await dynamicSnapshot();
        last = s;
        const leader = sortedList(listOf(s.topic[LEADER_REPLICAS]));
        const { [LEADER_REPLICAS]: _l, [FOLLOWER_REPLICAS]: follower, ...rest } = s.topic;
        return isDeepStrictEqual(s.brokers, operatorBrokers) &&
          isDeepStrictEqual(leader, sortedList(listOf(operatorLeader))) &&
          follower === undefined &&
          isDeepStrictEqual(rest, { "retention.ms": "86400000" })
          ? true
          : undefined;
      });
    } catch (e) {
      assert.fail(`${(e as Error).message}; configs now ${JSON.stringify(last)}`);
    }
    await assertAllConsumable(admin, topic, 2, perPartition);
  });

  it("raises a topic's replication factor from 2 to 3: plan from the live cluster, execute, every partition on 3 in-sync replicas over both racks, no message lost", { timeout: 180_000 }, async () => {
    const topic = newTopic("rf");
    const from: Assignment = [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
    ];
    const perPartition = 1000;
    await createTopic(admin, topic, from);
    await produce(topic, from.length, perPartition);
    const { dir, stateDir, plan } = dirFor("rf");
    // Only this topic may change: every other topic on the cluster is excluded from moving, each by
    // its whole name (topic patterns have no lookahead to say "all but this one").
    const others = (await admin.listTopics()).filter((t) => t !== topic).flatMap((t) => ["--exclude-topics", `^${t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`]);
    const planned = await ballast(["plan", "--bootstrap-server", boot(), "--replication-factor", `${topic}=3`, ...others, "--output", plan, "--json"], dir);
    assert.equal(planned.code, 0, describeResult(planned));
    const summary = JSON.parse(planned.stdout) as { moves: number };
    const written = JSON.parse(readFileSync(plan, "utf8")) as { partitions: Array<{ topic: string; partition: number; replicas: number[] }> };
    assert.deepEqual(new Set(written.partitions.map((e) => e.topic)), new Set([topic]), "the plan touches only the topic");
    assert.equal(written.partitions.length, from.length);
    assert.ok(summary.moves >= from.length, `at least one added replica per partition: ${String(summary.moves)}`);
    const to: Assignment = [...written.partitions].sort((a, b) => a.partition - b.partition).map((e) => e.replicas);
    const rackOf = new Map(testBrokers().map((b) => [b.id, b.rack]));
    for (const [i, replicas] of to.entries()) {
      assert.equal(new Set(replicas).size, 3, `partition ${String(i)}: ${JSON.stringify(replicas)}`);
      const perRack = new Map<string, number>();
      for (const b of replicas) perRack.set(rackOf.get(b)!, (perRack.get(rackOf.get(b)!) ?? 0) + 1);
      assert.deepEqual([...perRack.values()].sort(), [1, 2], `partition ${String(i)} over racks: ${JSON.stringify(replicas)}`);
    }

    const r = await ballast(executeArgs(plan, stateDir, "1MiB/s"), dir, 150_000);
    assert.equal(r.code, 0, describeResult(r));
    assert.equal(parseEvents(r.stdout).find((e) => e["type"] === "end")?.["status"], "completed", r.stdout);
    await waitForPlacement(admin, topic, to, { run: r, timeoutMs: 30_000 });
    await assertNoThrottles(admin, [topic]);
    await assertAllConsumable(admin, topic, from.length, perPartition);
  });

  it("refuses a stale plan with exit 2 and changes nothing", { timeout: 60_000 }, async () => {
    const topic = newTopic("stale");
    const madeFrom: Assignment = [
      [1, 2],
      [3, 4],
    ];
    await createTopic(admin, topic, madeFrom);
    // After the plan was made, someone moved partition 0.
    await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [1, 4] }] }] });
    await waitForPlacement(admin, topic, [
      [1, 4],
      [3, 4],
    ]);
    const { dir, stateDir, plan } = dirFor("stale");
    writePlan(
      plan,
      entriesOf(topic, [
        [3, 2],
        [1, 4],
      ]),
      entriesOf(topic, madeFrom),
    );
    const r = await ballast(executeArgs(plan, stateDir, "200KiB/s"), dir);
    assert.equal(r.code, 2, describeResult(r));
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one error line:\n${r.stderr}`);
    assert.match(lines[0]!, /^error: .*stale/);
    assert.ok(lines[0]!.includes(`${topic}-0`), `the error names ${topic}-0: ${lines[0]!}`);
    assert.ok(!lines[0]!.includes(`${topic}-1`), `only the changed partition is named: ${lines[0]!}`);
    assert.equal(readJournal(stateDir), undefined, "no execution was recorded");
    assert.deepEqual(
      (await placement(admin, topic)).map((p) => p.replicas),
      [
        [1, 4],
        [3, 4],
      ],
    );
    assert.deepEqual((await admin.listPartitionReassignments({})).topics, []);
    await assertNoThrottles(admin, [topic], 5000);
  });
});
