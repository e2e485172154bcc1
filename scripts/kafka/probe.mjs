// One readiness probe for the local test cluster (used by scripts/kafka-cluster.sh).
//
//   node scripts/kafka/probe.mjs <bootstrap> <id,id,...>
//
// Asks every listed broker, through its own listener, for the cluster's metadata. Exit 0 when
// each one answers and reports every listed id as a live broker; exit 1 otherwise, with one line
// on stderr saying what is still missing; exit 2 when kafkajs cannot be loaded (the caller then
// falls back to watching the broker logs).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const [bootstrapArg, idsArg] = process.argv.slice(2);
if (!bootstrapArg || !idsArg) {
  console.error("usage: probe.mjs <host:port,...> <id,id,...>");
  process.exit(64);
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
let kafkajs;
try {
  kafkajs = createRequire(path.join(repoRoot, "package.json"))("kafkajs");
} catch {
  process.exit(2);
}
const { Kafka, logLevel } = kafkajs;

const addresses = bootstrapArg.split(",").filter(Boolean);
const wanted = idsArg.split(",").map(Number);

/** Returns null when `address` answers and lists every wanted broker, else what is wrong. */
async function check(address) {
  const kafka = new Kafka({
    clientId: "ballast-probe",
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    const live = new Set(brokers.map((b) => b.nodeId));
    const missing = wanted.filter((id) => !live.has(id));
    return missing.length === 0 ? null : `${address} does not list broker(s) ${missing.join(",")} yet`;
  } catch (err) {
    return `${address}: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const problems = (await Promise.all(addresses.map(check))).filter((p) => p !== null);
if (problems.length > 0) {
  console.error(problems[0]);
  process.exit(1);
}
