/**
 * Checking untrusted plain data (parsed YAML or JSON) and turning it into the typed model.
 *
 * A `Checker` reads fields one at a time and throws a BallastError naming what it found, what it
 * expected and where (a path such as `topics[1].partitions[4].replicas[2]`; a `Locator` adds the
 * line for YAML). Readers take the container, the key and the container's path, so that the path
 * of a field is built only when something is wrong: snapshots can hold millions of replicas.
 */
import { BallastError, type ErrorCode, type ErrorPlace } from "./errors.js";
import { SNAPSHOT_VERSION, SNAPSHOT_VERSIONS, type Broker, type BrokerStatus, type Capacity, type Cluster, type Partition, type Topic, type TrafficSource, TRAFFIC_METHODS } from "./types.js";
import { MAX_INT32, topicNameProblem } from "./names.js";
import { hasControl, quote } from "./text.js";
import { QuantityProblem, describeValue, readQuantity, type QuantityKind } from "./units.js";

export type PathSegment = string | number;
export type InputPath = readonly PathSegment[];

/** Where a path is in the source text. `key` asks for the key itself (for unknown keys), not its value. */
export type Locator = (path: InputPath, target: "value" | "key") => ErrorPlace;

type Mapping = Readonly<Record<string, unknown>>;
/** Anything a field can be read from: a mapping, a list, or typed data being re-checked. */
type Container = object;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `["topics", 1, "partitions", 4]` → `topics[1].partitions[4]`; odd keys are quoted: `x["a b"]`. */
export function formatPath(path: InputPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${quote(segment, 40)}]`;
  }
  return out;
}

/** The locator for sources without positions (JSON, in-memory data): the path only. */
export function pathLocator(source?: string): Locator {
  return (path) => ({ ...(source !== undefined && { source }), path: formatPath(path) });
}

export class Checker {
  constructor(
    private readonly locate: Locator = pathLocator(),
    /** Lets a caller report every problem under one code (the config file uses CONFIG). */
    private readonly codeFor: (code: ErrorCode) => ErrorCode = (code) => code,
  ) {}

  fail(code: ErrorCode, message: string, path: InputPath, target: "value" | "key" = "value"): never {
    throw new BallastError(this.codeFor(code), message, this.locate(path, target));
  }

  /** The value must be a mapping (a YAML map, a JSON object). */
  asMapping(value: unknown, path: InputPath, what: string): Mapping {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail("SCHEMA", `${what} must be a mapping (key: value pairs); found ${describeValue(value)}`, path);
    }
    return value as Mapping;
  }

  /** Unknown keys are errors: they are usually typos of a known key, silently ignored otherwise. */
  onlyKeys(obj: Mapping, path: InputPath, allowed: readonly string[], what: string): void {
    for (const key in obj) {
      if (!allowed.includes(key)) {
        const guess = closestKey(key, allowed);
        const hint = guess === undefined ? "" : ` (did you mean ${JSON.stringify(guess)}?)`;
        this.fail("SCHEMA", `unknown key ${quote(key)} in ${what}${hint}; allowed keys are ${allowed.join(", ")}`, [...path, key], "key");
      }
    }
  }

  /** A required mapping with only the allowed keys. */
  mapping(container: Container, key: PathSegment, path: InputPath, what: string, allowed: readonly string[]): Mapping {
    const value = this.required(container, key, path, what);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      this.onlyKeys(value as Mapping, [...path, key], allowed, what);
      return value as Mapping;
    }
    return this.asMapping(value, [...path, key], what);
  }

  list(container: Container, key: PathSegment, path: InputPath, what: string): readonly unknown[] {
    const value = this.required(container, key, path, what);
    if (!Array.isArray(value)) this.fail("SCHEMA", `${what} must be a list; found ${describeValue(value)}`, [...path, key]);
    return value;
  }

  /** A non-negative integer (counts) of at most `max`. */
  integer(container: Container, key: PathSegment, path: InputPath, what: string, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.required(container, key, path, what);
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
      if (value <= max) return value;
      return this.fail("SCHEMA", `${what} must be at most ${max}; found ${value}`, [...path, key]);
    }
    return this.fail("SCHEMA", `${what} must be a non-negative integer; found ${describeValue(value)}`, [...path, key]);
  }

  /** true or false. */
  boolean(container: Container, key: PathSegment, path: InputPath, what: string): boolean {
    const value = this.required(container, key, path, what);
    if (typeof value === "boolean") return value;
    return this.fail("SCHEMA", `${what} must be true or false; found ${describeValue(value)}`, [...path, key]);
  }

  /** A broker id or partition number: a non-negative int32, as in Kafka's protocol. */
  id(container: Container, key: PathSegment, path: InputPath, what: string): number {
    return this.integer(container, key, path, what, MAX_INT32);
  }

  /** A topic name Kafka accepts (names.ts). */
  topicName(container: Container, key: PathSegment, path: InputPath, what = "topic name"): string {
    const value = this.required(container, key, path, what);
    if (typeof value !== "string") {
      const hint = typeof value === "number" || typeof value === "boolean" ? ` (write it in quotes: "${String(value)}")` : "";
      return this.fail("SCHEMA", `${what} must be a string; found ${describeValue(value)}${hint}`, [...path, key]);
    }
    const problem = topicNameProblem(value);
    if (problem !== undefined) this.fail("SCHEMA", `${what} ${quote(value)} is not a legal Kafka topic name: ${problem}`, [...path, key]);
    return value;
  }

  /** Any finite number. */
  number(container: Container, key: PathSegment, path: InputPath, what: string): number {
    const value = this.required(container, key, path, what);
    if (typeof value === "number" && Number.isFinite(value)) return value;
    return this.fail("INVALID_NUMBER", `${what} must be a number; found ${describeValue(value)}`, [...path, key]);
  }

  /** A non-empty string. Numbers and booleans get a hint: YAML reads `rack: 1` as a number. */
  text(container: Container, key: PathSegment, path: InputPath, what: string): string {
    const value = this.required(container, key, path, what);
    if (typeof value === "string" && value !== "") {
      if (hasControl(value)) this.fail("SCHEMA", `${what} must not hold control characters; found ${describeValue(value)}`, [...path, key]);
      return value;
    }
    const hint = typeof value === "number" || typeof value === "boolean" ? ` (write it in quotes: "${String(value)}")` : "";
    return this.fail("SCHEMA", `${what} must be a non-empty string; found ${describeValue(value)}${hint}`, [...path, key]);
  }

  oneOf<T extends string>(container: Container, key: PathSegment, path: InputPath, what: string, choices: readonly T[]): T {
    const value = this.required(container, key, path, what);
    if ((choices as readonly unknown[]).includes(value)) return value as T;
    return this.fail("SCHEMA", `${what} must be one of ${choices.join(", ")}; found ${describeValue(value)}`, [...path, key]);
  }

  /** A size in bytes or a rate in bytes/s, as a number or a unit string. */
  quantity(container: Container, key: PathSegment, path: InputPath, kind: QuantityKind): number {
    const result = readQuantity(this.required(container, key, path, kind), kind);
    if (result instanceof QuantityProblem) this.fail(result.code, result.message, [...path, key]);
    return result;
  }

  private required(container: Container, key: PathSegment, path: InputPath, what: string): unknown {
    const value = (container as Readonly<Record<PathSegment, unknown>>)[key];
    if (value === undefined) {
      const where = path.length === 0 ? "the document" : formatPath(path);
      this.fail("SCHEMA", `${where} is missing ${JSON.stringify(key)} (${what})`, path);
    }
    return value;
  }
}

/** The allowed key a typo most likely meant, ignoring case: one edit per three letters, at most two. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (short keys only). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    rows.push(row);
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      row.push(Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (same ? 0 : 1), swapped ? at(i - 2, j - 2) + 1 : Infinity));
    }
  }
  return at(a.length, b.length);
}

/**
 * Duplicate detection for lists: records that `key` is at index `i` and returns the index where it
 * was seen first, if it was.
 */
export function earlierIndex<K>(seen: Map<K, number>, key: K, i: number): number | undefined {
  const earlier = seen.get(key);
  if (earlier === undefined) seen.set(key, i);
  return earlier;
}

/** The first few broker ids, for messages. */
export function listIds(ids: Iterable<number>, max = 12): string {
  const all = [...ids];
  const shown = all.slice(0, max).join(", ");
  return all.length > max ? `${shown}, … (${all.length} brokers)` : shown;
}

/**
 * A replica list: non-empty, broker ids (integers), no broker twice and, when `brokers` is given,
 * only brokers of the cluster. Shared by snapshots and reassignment plans.
 */
export function readReplicas(
  c: Checker,
  container: Container,
  key: PathSegment,
  path: InputPath,
  brokers?: ReadonlySet<number>,
): number[] {
  const list = c.list(container, key, path, "replicas");
  if (list.length === 0) {
    c.fail("EMPTY_REPLICAS", `replicas is empty; a partition needs at least one replica (a list of broker ids)`, [...path, key]);
  }
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || id > MAX_INT32) {
      c.fail("SCHEMA", `a replica must be a broker id (an integer from 0 to ${MAX_INT32}); found ${describeValue(id)}`, [...path, key, i]);
    }
    if (list.indexOf(id) < i) {
      c.fail("DUPLICATE_REPLICA", `broker ${id} appears twice in replicas [${list.join(", ")}]; a broker holds at most one replica of a partition`, [...path, key, i]);
    }
    if (brokers !== undefined && !brokers.has(id)) {
      c.fail("UNKNOWN_BROKER", `replica on broker ${id}, which is not in the cluster (brokers: ${listIds(brokers)})`, [...path, key, i]);
    }
  }
  // A copy of the exact size (arrays grown by push reserve more, which adds up over millions).
  return list.slice() as number[];
}

const ROOT_KEYS = ["version", "name", "traffic", "brokers", "topics"];
const TRAFFIC_KEYS = ["method", "windowSeconds"];
const BROKER_KEYS = ["id", "rack", "host", "status", "capacity"];
const CAPACITY_KEYS = ["disk", "networkIn", "networkOut"];
const TOPIC_KEYS = ["name", "partitions"];
const PARTITION_KEYS = ["partition", "replicas", "leader", "size", "bytesIn", "bytesOut", "cpu", "isr", "offline"];
const STATUSES: readonly BrokerStatus[] = ["alive", "dead"];

/**
 * Checks a parsed snapshot (version 1) and returns it as a Cluster: defaults filled in (status
 * "alive", capacity {}, leader = first replica, loads 0), absent optional keys omitted, file order kept.
 */
export function validateCluster(data: unknown, c: Checker = new Checker()): Cluster {
  const root = c.asMapping(data, [], "a snapshot");
  checkVersion(root, c);
  c.onlyKeys(root, [], ROOT_KEYS, "the snapshot");
  const name = root["name"] === undefined ? undefined : c.text(root, "name", [], "cluster name");
  const traffic = root["traffic"] === undefined ? undefined : readTraffic(root, c);
  const brokers = readBrokers(root, c);
  const brokerIds = new Set(brokers.map((b) => b.id));
  const topics = root["topics"] === undefined ? [] : readTopics(root, brokerIds, c);
  const version = root["version"] === 1 ? 1 : 2;
  if (version === 1) rejectNewerKeys(topics, c);
  if (version === 1 && traffic !== undefined) c.fail("SCHEMA", `"traffic" needs snapshot version 2; set "version: 2"`, ["traffic"]);
  return { version, ...(name !== undefined && { name }), ...(traffic !== undefined && { traffic }), brokers, topics };
}

function readTraffic(root: Mapping, c: Checker): TrafficSource {
  const obj = c.mapping(root, "traffic", [], "the traffic source", TRAFFIC_KEYS);
  const method = c.oneOf(obj, "method", ["traffic"], "traffic method", TRAFFIC_METHODS);
  const windowSeconds = obj["windowSeconds"] === undefined ? undefined : c.number(obj, "windowSeconds", ["traffic"], "sampling window (seconds)");
  return { method, ...(windowSeconds !== undefined && { windowSeconds }) };
}

/** Version 1 snapshots have no `isr` or `offline`; a file using them must say version 2. */
function rejectNewerKeys(topics: readonly Topic[], c: Checker): void {
  topics.forEach((t, i) =>
    t.partitions.forEach((p, j) => {
      for (const key of ["isr", "offline"] as const) {
        if (p[key] !== undefined) {
          c.fail("SCHEMA", `"${key}" needs snapshot version 2; set "version: 2"`, ["topics", i, "partitions", j, key]);
        }
      }
    }),
  );
}

function checkVersion(root: Mapping, c: Checker): void {
  const version = root["version"];
  if (version === undefined) {
    c.fail("UNSUPPORTED_VERSION", `the snapshot has no "version"; add "version: ${SNAPSHOT_VERSION}" (the format this Ballast reads)`, []);
  }
  if (typeof version !== "number" || !SNAPSHOT_VERSIONS.includes(version)) {
    c.fail("UNSUPPORTED_VERSION", `snapshot version ${describeValue(version)} is not supported; this Ballast reads versions ${SNAPSHOT_VERSIONS.join(" and ")}`, ["version"]);
  }
}

function readBrokers(root: Mapping, c: Checker): Broker[] {
  const list = c.list(root, "brokers", [], "brokers");
  const brokers: Broker[] = [];
  const firstIndex = new Map<number, number>();
  for (let i = 0; i < list.length; i++) {
    const broker = readBroker(list, i, c);
    const earlier = earlierIndex(firstIndex, broker.id, i);
    if (earlier !== undefined) {
      c.fail("DUPLICATE_BROKER", `broker id ${broker.id} is used twice, by brokers[${earlier}] and brokers[${i}]; broker ids must be unique`, ["brokers", i, "id"]);
    }
    brokers.push(broker);
  }
  checkRacks(brokers, c);
  return brokers;
}

function readBroker(list: readonly unknown[], i: number, c: Checker): Broker {
  const obj = c.mapping(list, i, ["brokers"], "a broker", BROKER_KEYS);
  const path = ["brokers", i];
  const id = c.id(obj, "id", path, "broker id");
  const rack = obj["rack"] === undefined ? undefined : c.text(obj, "rack", path, "rack");
  const host = obj["host"] === undefined ? undefined : c.text(obj, "host", path, "host");
  const status = obj["status"] === undefined ? "alive" : c.oneOf(obj, "status", path, "broker status", STATUSES);
  const capacity = obj["capacity"] === undefined ? {} : readCapacity(obj, path, c);
  return { id, ...(rack !== undefined && { rack }), ...(host !== undefined && { host }), status, capacity };
}

function readCapacity(broker: Mapping, brokerPath: InputPath, c: Checker): Capacity {
  const obj = c.mapping(broker, "capacity", brokerPath, "capacity", CAPACITY_KEYS);
  const path = [...brokerPath, "capacity"];
  const capacity: { -readonly [K in keyof Capacity]: number } = {};
  if (obj["disk"] !== undefined) capacity.disk = positiveCapacity(c, obj, "disk", path, "size");
  if (obj["networkIn"] !== undefined) capacity.networkIn = positiveCapacity(c, obj, "networkIn", path, "rate");
  if (obj["networkOut"] !== undefined) capacity.networkOut = positiveCapacity(c, obj, "networkOut", path, "rate");
  return capacity;
}

/**
 * A capacity is more than zero: a broker with no disk or no network cannot hold a replica, and 0 must
 * not read as "no capacity given" (leave the key out for that).
 */
function positiveCapacity(c: Checker, obj: Mapping, key: string, path: InputPath, kind: QuantityKind): number {
  const value = c.quantity(obj, key, path, kind);
  if (value === 0) c.fail("SCHEMA", `a ${key} capacity of 0 is not a capacity; leave ${key} out when it is not known`, [...path, key]);
  return value;
}

/** Kafka's rule: either every broker has a rack or none has. The minority is reported. */
function checkRacks(brokers: readonly Broker[], c: Checker): void {
  const withRack = brokers.findIndex((b) => b.rack !== undefined);
  const withoutRack = brokers.findIndex((b) => b.rack === undefined);
  if (withRack < 0 || withoutRack < 0) return;
  const racked = brokers.filter((b) => b.rack !== undefined).length;
  const odd = racked * 2 >= brokers.length ? withoutRack : withRack;
  const other = odd === withRack ? withoutRack : withRack;
  const describe = (i: number): string => {
    const b = brokers[i] as Broker;
    return `broker ${b.id} (brokers[${i}]) ${b.rack === undefined ? "has no rack" : `has rack ${JSON.stringify(b.rack)}`}`;
  };
  c.fail("MIXED_RACKS", `${describe(odd)} but ${describe(other)}; give every broker a rack or none (as Kafka requires)`, ["brokers", odd]);
}

function readTopics(root: Mapping, brokerIds: ReadonlySet<number>, c: Checker): Topic[] {
  const list = c.list(root, "topics", [], "topics");
  const topics: Topic[] = [];
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const topic = readTopic(list, i, brokerIds, c);
    const earlier = earlierIndex(firstIndex, topic.name, i);
    if (earlier !== undefined) {
      c.fail("DUPLICATE_TOPIC", `topic ${JSON.stringify(topic.name)} is listed twice, at topics[${earlier}] and topics[${i}]; list each topic once`, ["topics", i, "name"]);
    }
    topics.push(topic);
  }
  return topics;
}

function readTopic(list: readonly unknown[], i: number, brokerIds: ReadonlySet<number>, c: Checker): Topic {
  const obj = c.mapping(list, i, ["topics"], "a topic", TOPIC_KEYS);
  const path = ["topics", i];
  const name = c.topicName(obj, "name", path);
  const raw = c.list(obj, "partitions", path, "partitions");
  const listPath = [...path, "partitions"];
  const partitions: Partition[] = [];
  const firstIndex = new Map<number, number>();
  for (let j = 0; j < raw.length; j++) {
    const partition = readPartition(raw, j, listPath, name, brokerIds, c);
    const earlier = earlierIndex(firstIndex, partition.partition, j);
    if (earlier !== undefined) {
      c.fail("DUPLICATE_PARTITION", `partition ${partition.partition} of topic ${JSON.stringify(name)} is listed twice, at partitions[${earlier}] and partitions[${j}]`, [...listPath, j, "partition"]);
    }
    partitions.push(partition);
  }
  return { name, partitions };
}

function readPartition(
  list: readonly unknown[],
  j: number,
  listPath: InputPath,
  topic: string,
  brokerIds: ReadonlySet<number>,
  c: Checker,
): Partition {
  const obj = c.mapping(list, j, listPath, "a partition", PARTITION_KEYS);
  const path = [...listPath, j];
  const partition = c.id(obj, "partition", path, "partition number");
  const replicas = readReplicas(c, obj, "replicas", path, brokerIds);
  const leader = obj["leader"] === undefined ? (replicas[0] as number) : c.id(obj, "leader", path, "leader");
  if (!replicas.includes(leader)) {
    c.fail("LEADER_NOT_REPLICA", `leader ${leader} is not one of the replicas [${replicas.join(", ")}]; the leader must be a replica`, [...path, "leader"]);
  }
  const isr = obj["isr"] === undefined ? undefined : readSubset(c, obj, "isr", path, replicas, brokerIds);
  const offline = obj["offline"] === undefined ? undefined : readSubset(c, obj, "offline", path, replicas, brokerIds);
  const cpu = obj["cpu"] === undefined ? undefined : readCpu(c, obj, path);
  return {
    topic,
    partition,
    replicas,
    leader,
    size: obj["size"] === undefined ? 0 : c.quantity(obj, "size", path, "size"),
    bytesIn: obj["bytesIn"] === undefined ? 0 : c.quantity(obj, "bytesIn", path, "rate"),
    bytesOut: obj["bytesOut"] === undefined ? 0 : c.quantity(obj, "bytesOut", path, "rate"),
    ...(cpu !== undefined && { cpu }),
    ...(isr !== undefined && { isr }),
    ...(offline !== undefined && { offline }),
  };
}

/** A partition's CPU figure: a plain non-negative number (no unit). */
function readCpu(c: Checker, obj: Mapping, path: InputPath): number {
  const cpu = c.number(obj, "cpu", path, "cpu");
  if (cpu < 0) c.fail("SCHEMA", `cpu must be zero or more; found ${cpu}`, [...path, "cpu"]);
  return cpu;
}

/** A list of brokers that must all be replicas of the partition (`isr`, `offline`); may be empty. */
function readSubset(
  c: Checker,
  obj: Mapping,
  key: "isr" | "offline",
  path: InputPath,
  replicas: readonly number[],
  brokerIds: ReadonlySet<number>,
): number[] {
  if (Array.isArray(obj[key]) && (obj[key] as unknown[]).length === 0) return [];
  const list = readReplicas(c, obj, key, path, brokerIds);
  list.forEach((b, i) => {
    if (!replicas.includes(b)) {
      c.fail("SCHEMA", `${key} lists broker ${b}, which is not a replica [${replicas.join(", ")}]`, [...path, key, i]);
    }
  });
  return list;
}
