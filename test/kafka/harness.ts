/**
 * Helpers for node:test suites that run against the real Kafka cluster of
 * scripts/kafka-cluster.sh. `npm run test:kafka` (scripts/kafka-test.sh) starts the cluster and sets
 * the environment read here:
 *
 *   KAFKA_BOOTSTRAP    127.0.0.1:39092,127.0.0.1:39093,...   (unset: the suites skip)
 *   KAFKA_BROKERS      number of brokers, ids 1..N (default 4)
 *   KAFKA_RACKS        number of racks the brokers alternate over (default 2)
 *   KAFKA_STATE_DIR    the cluster's state dir, for brokerCtl
 *   KAFKAJS_LOG        kafkajs log level: nothing (default), error, warn, info, debug
 *
 * Suites start with `describe("...", { skip: kafkaSkip() }, ...)` so that `npm test` without a
 * cluster skips them instead of failing.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type Producer,
  type ProducerConfig,
} from "kafkajs";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLUSTER_SCRIPT = fileURLToPath(new URL("../../../scripts/kafka-cluster.sh", import.meta.url));

/** The bootstrap addresses of the test cluster; throws when KAFKA_BOOTSTRAP is unset. */
export function bootstrap(): string[] {
  const value = process.env["KAFKA_BOOTSTRAP"];
  if (value === undefined || value.trim() === "") {
    throw new Error("KAFKA_BOOTSTRAP is not set: run the Kafka suites with `npm run test:kafka`");
  }
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A skip reason for node:test when no cluster is configured, else false. */
export function kafkaSkip(): string | false {
  const value = process.env["KAFKA_BOOTSTRAP"];
  return value === undefined || value.trim() === ""
    ? "no Kafka cluster (KAFKA_BOOTSTRAP unset; run `npm run test:kafka`)"
    : false;
}

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

export interface TestBroker {
  readonly id: number;
  readonly rack: string;
}

/**
 * The brokers the cluster was started with, and their racks: ids 1..N, racks rack-a, rack-b, ...
 * alternating in id order (the rule scripts/kafka-cluster.sh follows). kafkajs does not report
 * racks, so tests take them from here.
 */
export function testBrokers(): TestBroker[] {
  const brokers = envCount("KAFKA_BROKERS", 4);
  const racks = envCount("KAFKA_RACKS", 2);
  return Array.from({ length: brokers }, (_, i) => ({
    id: i + 1,
    rack: `rack-${String.fromCharCode(97 + (i % racks))}`,
  }));
}

const LOG_LEVELS: Record<string, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * A kafkajs client for the test cluster with short timeouts and few retries, so that a test that
 * goes wrong fails in seconds rather than minutes.
 */
export function kafka(clientId = "ballast-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrap(),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: LOG_LEVELS[process.env["KAFKAJS_LOG"] ?? "nothing"] ?? logLevel.NOTHING,
  });
}

/** A connected admin client; disconnect it when done (or use withAdmin). */
export async function admin(clientId?: string): Promise<Admin> {
  const a = kafka(clientId).admin({ retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 } });
  await a.connect();
  return a;
}

/** Runs `fn` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const a = await admin();
  try {
    return await fn(a);
  } finally {
    await a.disconnect();
  }
}

/** A connected producer (idempotent unless told otherwise); disconnect it when done. */
export async function producer(config: ProducerConfig = {}): Promise<Producer> {
  const p = kafka().producer({ allowAutoTopicCreation: false, ...config });
  await p.connect();
  return p;
}

/** A connected consumer in its own group (unique unless given); disconnect it when done. */
export async function consumer(config: Partial<ConsumerConfig> = {}): Promise<Consumer> {
  const c = kafka().consumer({
    groupId: uniqueName("ballast-test-group"),
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
    ...config,
  });
  await c.connect();
  return c;
}

let counter = 0;

/** A topic or group name no other test (nor an earlier run) uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Polls `check` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type BrokerAction = "kill" | "stop" | "start";

/**
 * Kills (SIGKILL), stops (controlled shutdown) or starts one broker of the test cluster through
 * scripts/kafka-cluster.sh. "start" resolves once the broker is registered and answers.
 */
export function brokerCtl(action: BrokerAction, id: number): Promise<string> {
  const args =
    action === "start"
      ? ["start-broker", String(id)]
      : action === "kill"
        ? ["stop-broker", String(id), "--kill"]
        : ["stop-broker", String(id)];
  const dir = process.env["KAFKA_STATE_DIR"];
  if (dir !== undefined && dir !== "") args.push("--dir", dir);
  return new Promise((resolve, reject) => {
    execFile(CLUSTER_SCRIPT, args, { timeout: 150_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`kafka-cluster.sh ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      } else {
        resolve(stdout + stderr);
      }
    });
  });
}
