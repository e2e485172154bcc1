/**
 * The balance job's memory across runs, kept in Kafka so that any host can run the next job: one
 * record (key `balance`, a JSON text the job writes) on the one-partition compacted topic
 * `__ballast_balance_job`, made on first use. Reading takes the partition's last `balance` record,
 * with a consumer in a group of its own that commits nothing.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { JOB_MEMORY_TOPIC } from "../port.js";

const KEY = "balance";
const READ_TIMEOUT_MS = 30_000;

type Connection = Omit<KafkaConfig, "logLevel" | "clientId">;

function client(config: Connection): Kafka {
  return new Kafka({ ...config, clientId: "ballast-memory", logLevel: logLevel.NOTHING });
}

/** The last record written, or null when there is none (or the topic does not exist yet). */
export async function readKafkaMemory(config: Connection): Promise<string | null> {
  const kafka = client(config);
  const admin = kafka.admin();
  await admin.connect();
  let high: number;
  try {
    if (!(await admin.listTopics()).includes(JOB_MEMORY_TOPIC)) return null;
    const offsets = await admin.fetchTopicOffsets(JOB_MEMORY_TOPIC);
    const p0 = offsets.find((o) => o.partition === 0);
    high = Number(p0?.high ?? 0);
    if (high <= Number(p0?.low ?? 0)) return null;
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `ballast-memory-reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  let last: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [JOB_MEMORY_TOPIC], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${JOB_MEMORY_TOPIC} took over ${String(READ_TIMEOUT_MS / 1000)} s`)), READ_TIMEOUT_MS);
      consumer
        .run({
          autoCommit: false,
          eachMessage: ({ message }) => {
            if (message.key?.toString("utf8") === KEY) last = message.value === null ? null : message.value.toString("utf8");
            if (Number(message.offset) >= high - 1) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    return last;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Writes the record (acknowledged by every in-sync replica); makes the topic first when missing. */
export async function writeKafkaMemory(config: Connection, text: string): Promise<void> {
  const kafka = client(config);
  await ensureTopic(kafka);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: JOB_MEMORY_TOPIC, acks: -1, messages: [{ key: KEY, value: text }] });
  } finally {
    await producer.disconnect();
  }
}

async function ensureTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(JOB_MEMORY_TOPIC)) return;
    // Compacted, so it keeps the last record for good; up to three replicas so one broker down loses nothing.
    const brokers = (await admin.describeCluster()).brokers.length;
    await admin
      .createTopics({
        topics: [{ topic: JOB_MEMORY_TOPIC, numPartitions: 1, replicationFactor: Math.max(1, Math.min(3, brokers)), configEntries: [{ name: "cleanup.policy", value: "compact" }] }],
        waitForLeaders: true,
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error && /already exists/i.test(e.message))) throw e;
      });
  } finally {
    await admin.disconnect();
  }
}
