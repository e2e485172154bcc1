/**
 * The simulator's dynamic configs: values per resource with their source; broker resource `""` is
 * the cluster-wide default. `describe` returns the dynamic values only (a broker's own, then the
 * cluster defaults it does not override); `alter` applies one resource's ops all or nothing, checking
 * values as Kafka does for the configs Ballast sets (throttle rates and throttled-replica lists).
 * Reads of throttle rates and throttled-replica lists are cached, as the simulator asks for them on
 * every change of copy rates.
 */
import { FOLLOWER_REPLICAS, FOLLOWER_RATE, LEADER_REPLICAS, LEADER_RATE, listItems } from "./throttle.js";
import { resourceKey } from "./port.js";
import type { AlterOp, ConfigEntry, ConfigResource, ResourceResult } from "./port.js";

/** Kafka protocol error codes a config change can fail with. */
export const CONFIG_ERRORS = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
} as const;
type ConfigError = keyof typeof CONFIG_ERRORS;

/** List-type configs (append and subtract apply) and their defaults, from which the first append starts. */
const LIST_CONFIGS = new Map([
  [LEADER_REPLICAS, ""],
  [FOLLOWER_REPLICAS, ""],
  ["cleanup.policy", "delete"],
]);
const TOPIC_ONLY = new Set([LEADER_REPLICAS, FOLLOWER_REPLICAS]);
const BROKER_RATES = new Set([LEADER_RATE, FOLLOWER_RATE, "replica.alter.log.dirs.io.max.bytes.per.second"]);
const CLUSTER_DEFAULT = resourceKey({ type: "broker", name: "" });

/** `old` then the items of `items` not yet listed, each once. */
function appendItems(old: readonly string[], items: readonly string[]): string[] {
  const seen = new Set(old);
  const out = [...old];
  for (const item of items) {
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

function subtractItems(old: readonly string[], items: readonly string[]): string[] {
  const drop = new Set(items);
  return old.filter((item) => !drop.has(item));
}

function validBrokerName(name: string): boolean {
  return name === "" || /^(0|[1-9]\d*)$/.test(name);
}

/** Checks a value a config may take; returns the problem or undefined. */
function badValue(resource: ConfigResource, name: string, value: string): string | undefined {
  if (TOPIC_ONLY.has(name) && resource.type !== "topic") return `${name} is a topic config`;
  if (BROKER_RATES.has(name) && resource.type !== "broker") return `${name} is a broker config`;
  if (BROKER_RATES.has(name) && !/^\d+$/.test(value.trim())) return `${name} must be a whole number of bytes/s, not "${value}"`;
  if (TOPIC_ONLY.has(name)) {
    const bad = listItems(value).find((item) => item !== "*" && !/^\d+:\d+$/.test(item));
    if (bad !== undefined) return `${name} entries must be "partition:broker" or "*", not "${bad}"`;
  }
  return undefined;
}

/** A throttled-replicas list as read: `*`, or the broker numbers listed per partition. */
interface Listed {
  readonly all: boolean;
  readonly pairs: ReadonlyMap<number, ReadonlySet<number>>;
}

/**
 * Parses a throttled-replicas list. An item is matched as `partition:broker` written the way a
 * number prints (as the simulator asks: "007:1" does not name partition 7), so items written
 * otherwise match nothing and are left out.
 */
function parseListed(value: string | undefined): Listed {
  const items = value === undefined ? [] : listItems(value);
  const pairs = new Map<number, Set<number>>();
  for (const item of items) {
    const colon = item.indexOf(":");
    if (colon < 0 || item.includes(":", colon + 1)) continue;
    const p = item.slice(0, colon);
    const b = item.slice(colon + 1);
    const partition = Number(p);
    const broker = Number(b);
    if (String(partition) !== p || String(broker) !== b) continue;
    let brokers = pairs.get(partition);
    if (!brokers) pairs.set(partition, (brokers = new Set()));
    brokers.add(broker);
  }
  return { all: items.includes("*"), pairs };
}

/** Resources whose configs changed: brokers (every one, when the cluster default did) and topics. */
export interface ConfigChanges {
  readonly everyBroker: boolean;
  readonly brokers: Set<number>;
  readonly topics: Set<string>;
}

export class SimConfigStore {
  private readonly values = new Map<string, Map<string, string>>();
  /** Parsed throttled-replica lists, by topic then config name; dropped when the topic's configs change. */
  private readonly lists = new Map<string, Map<string, Listed>>();
  /** Broker rate configs as numbers, by config name then broker; dropped when any broker's configs change. */
  private readonly rates = new Map<string, Map<number, number | undefined>>();
  private changes = 0;
  /** What changed since the last takeChanged. */
  private changedSince: { everyBroker: boolean; brokers: Set<number>; topics: Set<string> } = { everyBroker: false, brokers: new Set(), topics: new Set() };

  /** @param topicExists whether a topic resource names a topic of the cluster. */
  constructor(private readonly topicExists: (name: string) => boolean) {}

  /** Goes up by one on every change, so a reader can tell its cached view is stale. */
  get version(): number {
    return this.changes;
  }

  /** The resources changed since the last call (for a reader that keeps what they decide). */
  takeChanged(): ConfigChanges {
    const taken = this.changedSince;
    this.changedSince = { everyBroker: false, brokers: new Set(), topics: new Set() };
    return taken;
  }

  private noteChange(resource: ConfigResource): void {
    this.changes++;
    if (resource.type === "topic") this.changedSince.topics.add(resource.name);
    else if (resource.name === "") this.changedSince.everyBroker = true;
    else this.changedSince.brokers.add(Number(resource.name));
  }

  /** A broker's value of a config: its own, else the cluster default. */
  brokerValue(id: number, name: string): string | undefined {
    return this.values.get(resourceKey({ type: "broker", name: String(id) }))?.get(name) ?? this.values.get(CLUSTER_DEFAULT)?.get(name);
  }

  /** A broker's rate config in bytes/s, or undefined when not set. */
  brokerRate(id: number, name: string): number | undefined {
    let byBroker = this.rates.get(name);
    if (!byBroker) {
      byBroker = new Map();
      this.rates.set(name, byBroker);
    }
    if (byBroker.has(id)) return byBroker.get(id);
    const v = this.brokerValue(id, name);
    const rate = v === undefined ? undefined : Number(v);
    byBroker.set(id, rate);
    return rate;
  }

  /** Whether a topic's list config (a throttled-replicas list) names `partition:broker` or `*`. */
  topicListed(topic: string, name: string, partition: number, broker: number): boolean {
    let byName = this.lists.get(topic);
    if (!byName) {
      byName = new Map();
      this.lists.set(topic, byName);
    }
    let listed = byName.get(name);
    if (!listed) {
      listed = parseListed(this.values.get(resourceKey({ type: "topic", name: topic }))?.get(name));
      byName.set(name, listed);
    }
    return listed.all || listed.pairs.get(partition)?.has(broker) === true;
  }

  /** DescribeConfigs: per resource asked for (and known), its dynamic entries sorted by name. */
  describe(resources: readonly ConfigResource[]): Map<string, ConfigEntry[]> {
    const result = new Map<string, ConfigEntry[]>();
    for (const r of resources) {
      const key = resourceKey(r);
      const entries: ConfigEntry[] = [];
      if (r.type === "topic") {
        if (!this.topicExists(r.name)) continue;
        for (const [name, value] of this.values.get(key) ?? []) entries.push({ name, value, source: "dynamic-topic" });
      } else {
        if (!validBrokerName(r.name)) continue;
        const own = r.name === "" ? new Map<string, string>() : (this.values.get(key) ?? new Map<string, string>());
        for (const [name, value] of own) entries.push({ name, value, source: "dynamic-broker" });
        for (const [name, value] of this.values.get(CLUSTER_DEFAULT) ?? []) {
          if (!own.has(name)) entries.push({ name, value, source: "dynamic-default-broker" });
        }
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      result.set(key, entries);
    }
    return result;
  }

  /** IncrementalAlterConfigs for one resource: every op applies, or none does. */
  alter(resource: ConfigResource, ops: readonly AlterOp[]): ResourceResult {
    const failWith = (name: ConfigError, message: string): ResourceResult => ({ resource, errorCode: CONFIG_ERRORS[name], message });
    if (resource.type === "topic" && !this.topicExists(resource.name)) {
      return failWith("UNKNOWN_TOPIC_OR_PARTITION", `no topic ${resource.name}`);
    }
    if (resource.type === "broker" && !validBrokerName(resource.name)) {
      return failWith("INVALID_REQUEST", `"${resource.name}" is not a broker id`);
    }
    if (ops.some((o, i) => ops.findIndex((x) => x.name === o.name) !== i)) return failWith("INVALID_REQUEST", "a config is named twice in one request");
    const key = resourceKey(resource);
    const next = new Map(this.values.get(key) ?? []);
    for (const op of ops) {
      if (op.op === "delete") {
        next.delete(op.name);
        continue;
      }
      const problem = badValue(resource, op.name, op.value);
      if (problem) return failWith("INVALID_CONFIG", problem);
      if (op.op === "set") {
        next.set(op.name, op.value);
        continue;
      }
      const fallback = LIST_CONFIGS.get(op.name);
      if (fallback === undefined) return failWith("INVALID_CONFIG", `${op.name} is not a list; it cannot take ${op.op}`);
      const old = listItems(next.get(op.name) ?? fallback);
      const items = listItems(op.value);
      next.set(op.name, (op.op === "append" ? appendItems(old, items) : subtractItems(old, items)).join(","));
    }
    if (next.size > 0) this.values.set(key, next);
    else this.values.delete(key);
    if (resource.type === "topic") this.lists.delete(resource.name);
    else this.rates.clear();
    this.noteChange(resource);
    return { resource, errorCode: 0 };
  }

  /** Forgets a deleted topic's configs. */
  deleteTopic(name: string): void {
    this.values.delete(resourceKey({ type: "topic", name }));
    this.lists.delete(name);
    this.noteChange({ type: "topic", name });
  }
}
