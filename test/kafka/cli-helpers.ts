/**
 * Shared by the real-broker suites that run the \`ballast\` CLI as a child process (so that killing
 * it is a real SIGKILL) on topics with real data: the CLI runner, topic creation with a known
 * assignment, producing counted records and checking every one is still consumable, placement
 * waits, and the execution journal.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Partitioners, type Admin } from "kafkajs";
import { REPO_ROOT, consumer, producer, waitFor } from "./harness.js";

export const BIN = join(REPO_ROOT, "bin", "ballast.js");

export const VALUE_BYTES = 1000;

// ---- the CLI as a child process --------------------------------------------------------------------

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** stdout so far. */
  stdout(): string;
}

export const running = new Set<ChildProcess>();

export function startCli(args: readonly string[], cwd: string): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return { child, done, stdout: () => out };
}

/** Runs the CLI to its end; fails the test when it runs longer than `timeoutMs`. */
export async function ballast(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<CliResult> {
  const run = startCli(args, cwd);
  return finish(run, timeoutMs, args[0] ?? "");
}

export async function finish(run: CliRun, timeoutMs: number, what: string): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill("SIGKILL");
      reject(new Error(`ballast ${what} did not finish within ${String(timeoutMs / 1000)} s; stdout so far:\n${run.stdout()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeResult(r: CliResult): string {
  return `exit ${String(r.code)}${r.signal !== null ? ` (${r.signal})` : ""}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export function parseEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// ---- cluster helpers --------------------------------------------------------------------------------

export type Assignment = readonly (readonly number[])[];

export interface PlanEntry {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
}

/** Kafka's reassignment JSON, with Ballast's madeFrom when given. */
export function writePlan(path: string, entries: readonly PlanEntry[], madeFrom?: readonly PlanEntry[]): string {
  const plan: Record<string, unknown> = {
    version: 1,
    partitions: entries.map((e) => ({ topic: e.topic, partition: e.partition, replicas: e.replicas })),
  };
  if (madeFrom !== undefined) plan["ballast"] = { madeFrom: madeFrom.map((e) => ({ topic: e.topic, partition: e.partition, replicas: e.replicas })) };
  writeFileSync(path, `${JSON.stringify(plan, null, 1)}\n`);
  return path;
}

export function entriesOf(topic: string, assignment: Assignment): PlanEntry[] {
  return assignment.map((replicas, partition) => ({ topic, partition, replicas }));
}

export interface PartitionView {
  readonly replicas: number[];
  readonly isr: number[];
  readonly leader: number;
}

export async function placement(admin: Admin, topic: string): Promise<PartitionView[]> {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const t = md.topics.find((x) => x.name === topic);
  assert.ok(t, `topic ${topic} has metadata`);
  return [...t.partitions]
    .sort((a, b) => a.partitionId - b.partitionId)
    .map((p) => ({ replicas: [...p.replicas], isr: [...p.isr], leader: p.leader }));
}

/**
 * Waits until every partition's replica list is `expected` (in order), all in sync, and (unless
 * `leaders` is false) led by the first. `run` is the CLI run to show when it does not happen.
 */
export async function waitForPlacement(
  admin: Admin,
  topic: string,
  expected: Assignment,
  { timeoutMs = 15_000, run, leaders = true }: { timeoutMs?: number; run?: CliResult; leaders?: boolean } = {},
): Promise<void> {
  let last: PartitionView[] = [];
  try {
    await waitFor(
      `${topic} to be placed as ${JSON.stringify(expected)}`,
      async () => {
        last = await placement(admin, topic);
        const ok =
          last.length === expected.length &&
          last.every((p, i) => {
            const want = expected[i]!;
            return JSON.stringify(p.replicas) === JSON.stringify(want) && (!leaders || p.leader === want[0]) && want.every((b) => p.isr.includes(b));
          });
        return ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch (e) {
    assert.fail(`${(e as Error).message}; last seen ${JSON.stringify(last)}${run !== undefined ? `\nthe run: ${describeResult(run)}` : ""}`);
  }
}

export async function createTopic(admin: Admin, topic: string, assignment: Assignment, configEntries?: Array<{ name: string; value: string }>): Promise<void> {
  const created = await admin.createTopics({
    topics: [
      {
        topic,
        replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas: [...replicas] })),
        ...(configEntries !== undefined ? { configEntries } : {}),
      },
    ],
    waitForLeaders: true,
  });
  assert.equal(created, true, `topic ${topic} created`);
  // Every test starts from exactly this assignment: all replicas in sync, the first one leading.
  await waitForPlacement(admin, topic, assignment, { timeoutMs: 30_000 });
}

/**
 * Produces `perPartition` ~1 KB keyed messages with a counter into every partition (acks=all,
 * idempotent, so a retried send cannot add a duplicate and the counts below are exact).
 */
export async function produce(topic: string, partitions: number, perPartition: number): Promise<void> {
  const prod = await producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  try {
    const pad = "x".repeat(VALUE_BYTES);
    for (let p = 0; p < partitions; p++) {
      for (let sent = 0; sent < perPartition; sent += 250) {
        const n = Math.min(250, perPartition - sent);
        await prod.send({
          topic,
          acks: -1,
          messages: Array.from({ length: n }, (_, i) => ({ partition: p, key: `${String(p)}-${String(sent + i)}`, value: `${String(p)}:${String(sent + i)}:${pad}` })),
        });
      }
    }
  } finally {
    await prod.disconnect();
  }
}

/** High watermark per partition. */
export async function highWatermarks(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return [...offsets].sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
}

/**
 * Consumes the topic from the beginning and checks that every partition holds exactly the messages
 * 0..perPartition-1 produced into it, each once, with the key and value written.
 */
export async function assertAllConsumable(admin: Admin, topic: string, partitions: number, perPartition: number): Promise<void> {
  assert.deepEqual(await highWatermarks(admin, topic), new Array<number>(partitions).fill(perPartition), `${topic}: high watermarks`);
  const seen = Array.from({ length: partitions }, () => new Set<number>());
  const problems: string[] = [];
  let total = 0;
  const expected = partitions * perPartition;
  const cons = await consumer({ maxBytesPerPartition: 4 * 1024 * 1024 });
  try {
    await cons.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    await cons.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          total++;
          const value = m.value?.toString() ?? "";
          const [p, n, pad] = value.split(":");
          const seq = Number(n);
          if (Number(p) !== batch.partition || m.key?.toString() !== `${String(p)}-${String(n)}` || pad?.length !== VALUE_BYTES) {
            problems.push(`partition ${String(batch.partition)} offset ${m.offset}: unexpected message ${value.slice(0, 40)}`);
          } else if (seen[batch.partition]!.has(seq)) {
            problems.push(`partition ${String(batch.partition)}: message ${String(seq)} twice`);
          } else {
            seen[batch.partition]!.add(seq);
          }
        }
        if (total >= expected) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${topic}: consumed ${String(total)} of ${String(expected)} messages in 90 s`)), 90_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await cons.disconnect();
  }
  assert.deepEqual(problems, []);
  assert.equal(total, expected, `${topic}: messages consumed`);
  seen.forEach((s, p) => assert.equal(s.size, perPartition, `${topic}-${String(p)}: distinct messages`));
}

export interface JournalTask {
  topic: string;
  partition: number;
  from: number[];
  to: number[];
  state: string;
  note?: string;
}

export function readJournal(stateDir: string): { status: string; tasks: JournalTask[] } | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")) as { status: string; tasks: JournalTask[] };
  } catch {
    return undefined;
  }
}

export async function waitForJournal(stateDir: string, what: string, check: (tasks: JournalTask[]) => boolean, run?: CliRun, timeoutMs = 60_000): Promise<JournalTask[]> {
  return waitFor(
    what,
    async () => {
      if (run !== undefined && (run.child.exitCode !== null || run.child.signalCode !== null)) {
        throw new Error(`the executor ended first: ${describeResult(await run.done)}`);
      }
      const j = readJournal(stateDir);
      return j !== undefined && check(j.tasks) ? j.tasks : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Topics with a reassignment in progress (kafkajs types the name as `topic`, but sends `name`). */
export async function reassigningTopics(admin: Admin): Promise<string[]> {
  const l = await admin.listPartitionReassignments({});
  return l.topics.map((t) => (t as { name?: string }).name ?? t.topic);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fails with the CLI's output when it has already exited. */
export async function assertRunning(run: CliRun, what: string): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) return;
  assert.fail(`${what}, but the executor ended: ${describeResult(await run.done)}`);
}
