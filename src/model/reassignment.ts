/**
 * Kafka's reassignment JSON (what kafka-reassign-partitions.sh --execute reads): writing, reading,
 * applying a plan to a cluster, and computing the plan between two clusters.
 */
import { BallastError } from "./errors.js";
import type { Cluster, Partition, Reassignment, ReassignmentEntry, ReassignmentOrigin, Topic } from "./types.js";
import { loadJson } from "./parse.js";
import { Checker, earlierIndex, formatPath, readReplicas, type InputPath } from "./validate.js";

const ANY_LOG_DIR = "any";
const ROOT_KEYS = ["version", "partitions", "ballast"];
const BALLAST_KEYS = ["madeFrom"];
const ORIGIN_KEYS = ["topic", "partition", "replicas"];
const ENTRY_KEYS = ["topic", "partition", "replicas", "log_dirs"];

/** Kafka's reassignment JSON, one partition per line. */
export function formatReassignment(r: Reassignment): string {
  const entries = r.partitions.map((e) =>
    JSON.stringify({ topic: e.topic, partition: e.partition, replicas: e.replicas, log_dirs: e.log_dirs }),
  );
  const list = entries.length === 0 ? "[]" : `[\n${entries.join(",\n")}\n]`;
  if (r.madeFrom === undefined) return `{"version":${r.version},"partitions":${list}}\n`;
  const from = r.madeFrom.map((o) => JSON.stringify({ topic: o.topic, partition: o.partition, replicas: o.replicas }));
  const fromList = from.length === 0 ? "[]" : `[\n${from.join(",\n")}\n]`;
  return `{"version":${r.version},"partitions":${list},\n"ballast":{"madeFrom":${fromList}}}\n`;
}

/** Reads and checks a reassignment JSON file. log_dirs may be left out ("any" for every replica). */
export function parseReassignment(text: string, source?: string): Reassignment {
  const { data, locate } = loadJson(text, source);
  const c = new Checker(locate);
  const root = c.asMapping(data, [], "a reassignment");
  c.onlyKeys(root, [], ROOT_KEYS, "the reassignment");
  const version = c.integer(root, "version", [], "version");
  if (version !== 1) c.fail("UNSUPPORTED_VERSION", `reassignment version ${version} is not supported; Kafka's format is version 1`, ["version"]);
  const list = c.list(root, "partitions", [], "partitions");
  const partitions: ReassignmentEntry[] = [];
  for (let i = 0; i < list.length; i++) partitions.push(readEntry(list, i, c));
  checkUniqueEntries(partitions, c);
  if (root["ballast"] === undefined) return { version: 1, partitions };
  return { version: 1, partitions, madeFrom: readOrigins(root, c) };
}

/** Ballast's own key: the replicas each partition had when the plan was made. */
function readOrigins(root: Readonly<Record<string, unknown>>, c: Checker): ReassignmentOrigin[] {
  const meta = c.mapping(root, "ballast", [], "Ballast's plan metadata", BALLAST_KEYS);
  if (meta["madeFrom"] === undefined) return [];
  const list = c.list(meta, "madeFrom", ["ballast"], "madeFrom");
  return list.map((_, i) => {
    const path = ["ballast", "madeFrom", i];
    const obj = c.mapping(list, i, ["ballast", "madeFrom"], "a partition's replicas", ORIGIN_KEYS);
    return { topic: c.topicName(obj, "topic", path, "topic"), partition: c.id(obj, "partition", path, "partition number"), replicas: readReplicas(c, obj, "replicas", path) };
  });
}

function readEntry(list: readonly unknown[], i: number, c: Checker): ReassignmentEntry {
  const obj = c.mapping(list, i, ["partitions"], "a reassignment entry", ENTRY_KEYS);
  const path = ["partitions", i];
  const topic = c.topicName(obj, "topic", path, "topic");
  const partition = c.id(obj, "partition", path, "partition number");
  const replicas = readReplicas(c, obj, "replicas", path);
  return { topic, partition, replicas, log_dirs: readLogDirs(obj, path, replicas.length, c) };
}

function readLogDirs(obj: Readonly<Record<string, unknown>>, path: InputPath, count: number, c: Checker): string[] {
  if (obj["log_dirs"] === undefined) return anyLogDirs(count);
  const list = c.list(obj, "log_dirs", path, "log_dirs");
  if (list.length !== count) {
    c.fail("SCHEMA", `log_dirs has ${list.length} entries but replicas has ${count}; give one log dir (or "any") per replica`, [...path, "log_dirs"]);
  }
  const dirPath = [...path, "log_dirs"];
  return list.map((_, j) => c.text(list, j, dirPath, "log dir"));
}

function anyLogDirs(count: number): string[] {
  return new Array<string>(count).fill(ANY_LOG_DIR);
}

function checkUniqueEntries(entries: readonly ReassignmentEntry[], c: Checker): void {
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    const earlier = earlierIndex(seen, `${e.partition}\u0000${e.topic}`, i);
    if (earlier !== undefined) {
      c.fail("DUPLICATE_PARTITION", `partition ${e.partition} of topic ${JSON.stringify(e.topic)} is in the plan twice, at partitions[${earlier}] and partitions[${i}]`, ["partitions", i]);
    }
  });
}

/**
 * The cluster after the plan: each listed partition takes its new replica list and its first replica
 * as leader. Every partition and broker in the plan must exist in the cluster. Topics the plan does
 * not touch are shared with the input, not copied.
 */
export function applyReassignment(cluster: Cluster, r: Reassignment): Cluster {
  const changes = checkedChanges(cluster, r);
  const topics = cluster.topics.map((t): Topic => {
    const moved = changes.get(t.name);
    if (moved === undefined) return t;
    const partitions = t.partitions.map((p) => {
      const replicas = moved.get(p.partition);
      return replicas === undefined ? p : { ...p, replicas, leader: replicas[0] as number };
    });
    return { name: t.name, partitions };
  });
  return { ...cluster, topics };
}

/** The plan's new replica lists by topic, then by partition number, checked against the cluster. */
function checkedChanges(cluster: Cluster, r: Reassignment): Map<string, Map<number, readonly number[]>> {
  const c = new Checker();
  checkUniqueEntries(r.partitions, c);
  const brokerIds = new Set(cluster.brokers.map((b) => b.id));
  const topicsByName = new Map(cluster.topics.map((t) => [t.name, t]));
  const numbersOf = (topic: string): ReadonlySet<number> =>
    new Set(topicsByName.get(topic)?.partitions.map((p) => p.partition));
  const known = new Map<string, ReadonlySet<number>>();
  const changes = new Map<string, Map<number, readonly number[]>>();
  r.partitions.forEach((e, i) => {
    if (!getOrCreate(known, e.topic, numbersOf).has(e.partition)) {
      c.fail("SCHEMA", `the plan moves partition ${e.partition} of topic ${JSON.stringify(e.topic)}, which is not in the cluster`, ["partitions", i]);
    }
    const replicas = readReplicas(c, e, "replicas", ["partitions", i], brokerIds);
    getOrCreate(changes, e.topic, () => new Map()).set(e.partition, replicas);
  });
  return changes;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: (key: K) => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create(key)));
  return value;
}

/**
 * The plan that turns `before` into `after`: the partitions whose replica list (order included)
 * changed, sorted by topic name then partition number. Both clusters must hold the same partitions.
 */
export function diffClusters(before: Cluster, after: Cluster): Reassignment {
  const oldTopics = new Map(before.topics.map((t, i) => [t.name, i]));
  const entries: ReassignmentEntry[] = [];
  after.topics.forEach((t, i) => {
    const oldIndex = oldTopics.get(t.name);
    oldTopics.delete(t.name);
    const old = oldIndex === undefined ? [] : (before.topics[oldIndex] as Topic).partitions;
    const oldByNumber = new Map(old.map((p) => [p.partition, p]));
    t.partitions.forEach((p, j) => {
      const previous = oldByNumber.get(p.partition);
      if (previous === undefined) throw notInBoth(p, ["topics", i, "partitions", j], "the second cluster but not the first");
      if (!sameList(previous.replicas, p.replicas)) {
        entries.push({ topic: p.topic, partition: p.partition, replicas: [...p.replicas], log_dirs: anyLogDirs(p.replicas.length) });
      }
    });
    // Every partition of `after` was found in `before`; equal counts mean none of `before` is missing.
    if (old.length !== t.partitions.length) {
      const numbers = new Set(t.partitions.map((p) => p.partition));
      const j = old.findIndex((p) => !numbers.has(p.partition));
      throw notInBoth(old[j] as Partition, ["topics", oldIndex as number, "partitions", j], "the first cluster but not the second");
    }
  });
  for (const i of oldTopics.values()) {
    const first = (before.topics[i] as Topic).partitions[0];
    if (first !== undefined) throw notInBoth(first, ["topics", i, "partitions", 0], "the first cluster but not the second");
  }
  entries.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { version: 1, partitions: entries };
}

function notInBoth(p: Partition, path: InputPath, where: string): BallastError {
  const message = `partition ${p.partition} of topic ${JSON.stringify(p.topic)} is in ${where}; a reassignment cannot add or remove partitions`;
  return new BallastError("SCHEMA", message, { path: formatPath(path) });
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
