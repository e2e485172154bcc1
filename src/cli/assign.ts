/**
 * `ballast assign`: placement for partitions that do not exist yet (new topics, added partitions, or a
 * topic set laid out on a standby cluster), given the cluster's current load. Writes reassignment-style
 * JSON (`--output`) and prints, per topic, the `kafka-topics.sh` command with its `--replica-assignment`.
 */
import { Option, type Command } from "commander";
import { LIMITS } from "../model/limits.js";
import { topicNameProblem } from "../model/names.js";
import { printable, quote } from "../model/text.js";
import { BallastError, type ErrorPlace, isBallastError } from "../model/errors.js";
import { loadYaml } from "../model/parse.js";
import type { Cluster } from "../model/types.js";
import { formatReassignment } from "../model/reassignment.js";
import { parseTopicsSpec } from "../model/topics-spec.js";
import { parseBytes } from "../model/units.js";
import { type AddedPartitions, type AssignRequest, type NewTopic, assign, mirrorRequest } from "../solver/index.js";
import { type CliIo, checkOutputPath, loadCluster, readTextFile, usageError, writeFileAtomic } from "./io.js";
import { fromModel, integer, integerList, valueOption } from "./options.js";
import { shellCommand } from "./shell.js";

interface AssignFlags {
  readonly cluster: string;
  readonly topic?: readonly NewTopic[];
  readonly addPartitions?: readonly AddedPartitions[];
  readonly topics?: string;
  readonly topicsFrom?: string;
  readonly replicationFactor?: number;
  readonly excludeBrokers?: readonly number[];
  readonly output?: string;
  readonly json?: boolean;
}

/** An option that may be given several times; each value goes through `parse`. */
function repeated<T>(flags: string, description: string, parse: (raw: string, flag: string) => T): Option {
  const option = new Option(flags, description);
  const flag = option.long ?? flags;
  return option.argParser((raw: string, previous: T[] | undefined) => [...(previous ?? []), parse(raw, flag)]);
}

const count = integer(1, LIMITS.partitionsPerTopic);
const factor = integer(1, LIMITS.brokers);

/** A topic name from a flag, checked against Kafka's rule. */
function topicName(raw: string, flag: string): string {
  const name = raw.trim();
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw usageError(flag, `${quote(name)} is not a legal Kafka topic name: ${problem}`);
  return name;
}
const bytes = fromModel(parseBytes);

/** `NAME:PARTITIONS:RF[:SIZE]`, e.g. `payments:12:3` or `payments:12:3:20GiB`. */
export function topicSpec(raw: string, flag: string): NewTopic {
  const parts = raw.split(":");
  const [name, partitions, rf, size] = parts;
  if (parts.length < 3 || parts.length > 4 || name === undefined || name.trim() === "") {
    throw usageError(flag, `expected NAME:PARTITIONS:RF[:SIZE], e.g. payments:12:3, got ${quote(raw)}`);
  }
  const spec = { name: topicName(name, flag), partitions: count(partitions ?? "", flag), replicationFactor: factor(rf ?? "", flag) };
  return size === undefined ? spec : { ...spec, size: bytes(size, flag) };
}

/** `TOPIC:PARTITIONS`, the count the topic grows to, e.g. `orders:24`. */
export function growSpec(raw: string, flag: string): AddedPartitions {
  const at = raw.lastIndexOf(":");
  if (at <= 0) throw usageError(flag, `expected TOPIC:PARTITIONS (the new partition count), e.g. orders:24, got ${quote(raw)}`);
  return { topic: topicName(raw.slice(0, at), flag), partitions: count(raw.slice(at + 1), flag) };
}

export function addAssignCommand(program: Command, io: CliIo): void {
  program
    .command("assign")
    .description("place new topics or added partitions rack-aware on the least loaded brokers (also: lay out a topic set on a standby cluster)")
    .requiredOption("--cluster <snapshot>", "the cluster the partitions go to, as it is now (.yaml, .yml or .json)")
    .addOption(repeated("--topic <name:partitions:rf[:size]>", "a new topic, e.g. payments:12:3 or payments:12:3:20GiB (repeatable)", topicSpec))
    .addOption(repeated("--add-partitions <topic:partitions>", "grow an existing topic to this many partitions, e.g. orders:24 (repeatable)", growSpec))
    .option("--topics <file>", "new topics and added partitions from a YAML or JSON file (topics:, addPartitions:)")
    .option("--topics-from <snapshot>", "every topic of this snapshot that the cluster lacks (standby layout)")
    .addOption(valueOption("--replication-factor <n>", "replication factor of every placed partition (e.g. a standby with fewer copies)", factor))
    .addOption(valueOption("--exclude-brokers <ids>", "brokers that take no new replicas, e.g. 5,17", integerList(0)))
    .option("--output <assignment.json>", "where to write the reassignment-style JSON")
    .option("--json", "print one JSON object instead of the commands")
    .action((flags: AssignFlags) => runAssign(flags, io));
}

/** Where each requested topic came from, to name it in the planner's errors. */
interface Origins {
  readonly topics: ErrorPlace[];
  readonly grows: ErrorPlace[];
}

function request(flags: AssignFlags, cluster: Cluster, origins: Origins): AssignRequest {
  const topics: NewTopic[] = [...(flags.topic ?? [])];
  const grows: AddedPartitions[] = [...(flags.addPartitions ?? [])];
  const flagPlace = (flag: string): ErrorPlace => ({ path: flag });
  origins.topics.push(...topics.map(() => flagPlace("--topic")));
  origins.grows.push(...grows.map(() => flagPlace("--add-partitions")));
  if (flags.topics !== undefined) {
    const text = readTextFile(flags.topics, "topics file");
    const spec = parseTopicsSpec(text, flags.topics);
    const { locate } = loadYaml(text, flags.topics);
    topics.push(...spec.topics);
    grows.push(...spec.addPartitions);
    origins.topics.push(...spec.topics.map((_, i) => locate(["topics", i], "value")));
    origins.grows.push(...spec.addPartitions.map((_, i) => locate(["addPartitions", i], "value")));
  }
  if (flags.topicsFrom !== undefined) {
    const mirrored = mirrorRequest(loadCluster(flags.topicsFrom), cluster);
    topics.push(...(mirrored.topics ?? []));
    grows.push(...(mirrored.addPartitions ?? []));
    origins.topics.push(...(mirrored.topics ?? []).map(() => flagPlace("--topics-from")));
    origins.grows.push(...(mirrored.addPartitions ?? []).map(() => flagPlace("--topics-from")));
  }
  if (topics.length === 0 && grows.length === 0) {
    throw usageError("--topic", "nothing to assign: give --topic, --add-partitions, --topics <file> or --topics-from <snapshot>");
  }
  const rf = flags.replicationFactor;
  checkReplicaLimit(topics, grows, cluster, rf);
  return {
    topics: rf === undefined ? topics : topics.map((t) => ({ ...t, replicationFactor: rf })),
    addPartitions: rf === undefined ? grows : grows.map((g) => ({ ...g, replicationFactor: rf })),
    ...(flags.excludeBrokers === undefined ? {} : { excludeBrokers: flags.excludeBrokers }),
  };
}

/** At most LIMITS.replicas new replicas in one run (partitions × replication factor, summed). */
function checkReplicaLimit(topics: readonly NewTopic[], grows: readonly AddedPartitions[], cluster: Cluster, rf: number | undefined): void {
  const rfOf = new Map(cluster.topics.map((t) => [t.name, t.partitions[0]?.replicas.length ?? 1]));
  let replicas = 0;
  for (const t of topics) replicas += t.partitions * (rf ?? t.replicationFactor);
  for (const g of grows) replicas += g.partitions * (rf ?? g.replicationFactor ?? rfOf.get(g.topic) ?? 1);
  if (replicas > LIMITS.replicas) {
    throw usageError("--topic", `${replicas} replicas to place is above Ballast's limit of ${LIMITS.replicas} in one run (see Limits in docs/cli.md)`);
  }
}

/**
 * The planner names a request's entries by index (`topics[2]`) or topic (`topics[orders]`); the user
 * typed a flag or a line of a topics file.
 */
function placed(err: BallastError, flags: AssignFlags, req: AssignRequest, origins: Origins): BallastError {
  const match = /^(topics|addPartitions|excludeBrokers)(?:\[([^\]]*)\])?/.exec(err.place.path ?? "");
  if (match === null) return err;
  if (match[1] === "excludeBrokers") return usageError("--exclude-brokers", err.message);
  const key = match[2] ?? "";
  const list = match[1] === "topics" ? origins.topics : origins.grows;
  let origin: ErrorPlace | undefined;
  if (/^\d+$/.test(key)) origin = list[Number(key)];
  else {
    if (flags.replicationFactor !== undefined) return usageError("--replication-factor", err.message);
    const t = (req.topics ?? []).findIndex((x) => x.name === key);
    const g = (req.addPartitions ?? []).findIndex((x) => x.topic === key);
    origin = t >= 0 ? origins.topics[t] : g >= 0 ? origins.grows[g] : undefined;
  }
  if (origin === undefined) return err;
  return origin.source === undefined ? usageError(origin.path ?? "--topic", err.message) : new BallastError(err.code, err.message, origin);
}

function runAssign(flags: AssignFlags, io: CliIo): void {
  if (flags.output !== undefined) {
    checkOutputPath(flags.output, "--output", [
      { path: flags.cluster, flag: "--cluster" },
      { path: flags.topics, flag: "--topics" },
      { path: flags.topicsFrom, flag: "--topics-from" },
    ]);
  }
  const cluster = loadCluster(flags.cluster);
  const origins: Origins = { topics: [], grows: [] };
  const req = request(flags, cluster, origins);
  let result: ReturnType<typeof assign>;
  try {
    result = assign(cluster, req);
  } catch (err) {
    throw isBallastError(err) && err.place.source === undefined ? placed(err, flags, req, origins) : err;
  }
  if (flags.output !== undefined) writeFileAtomic(flags.output, formatReassignment(result.reassignment), "assignment");
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ ...result, ...(flags.output === undefined ? {} : { output: flags.output }) })}\n`);
    return;
  }
  const lines: string[] = [];
  for (const t of result.topics) {
    const what = t.created ? `new topic, ${String(t.partitions)} partitions` : `grows to ${String(t.partitions)} partitions`;
    lines.push(`${t.topic} (${what}):`);
    const action = t.created ? ["--create", "--topic", t.topic] : ["--alter", "--topic", t.topic, "--partitions", String(t.partitions)];
    lines.push(`  ${shellCommand(["kafka-topics.sh", "--bootstrap-server", "<broker:9092>", ...action, "--replica-assignment", t.replicaAssignment])}`);
  }
  if (flags.output !== undefined) lines.push(`Assignment written to ${printable(flags.output)} (${String(result.reassignment.partitions.length)} partitions).`);
  io.stdout.write(`${lines.join("\n")}\n`);
}
