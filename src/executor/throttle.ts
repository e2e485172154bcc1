/**
 * Replication throttles, set and removed with IncrementalAlterConfigs only (never the old
 * AlterConfigs, which replaces all of a resource's dynamic configs). Ballast records exactly what it
 * adds — a rate on a broker, "partition:broker" entries in a topic's throttled-replica lists — and
 * removes exactly that: configs an operator set, or changed after Ballast set them, are left alone.
 */
import { kafkaRefusal } from "./kafka-errors.js";
import type { ThrottleRecord } from "./journal.js";
import type { AlterOp, ConfigEntry, ConfigResource, KafkaPort } from "./port.js";
import { resourceKey } from "./port.js";
import type { MoveTask } from "./types.js";
import { added } from "./types.js";
import { emptyDict, own } from "../model/dict.js";

export const LEADER_RATE = "leader.replication.throttled.rate";
export const FOLLOWER_RATE = "follower.replication.throttled.rate";
export const LEADER_REPLICAS = "leader.replication.throttled.replicas";
export const FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";
const RATE_KEYS = [LEADER_RATE, FOLLOWER_RATE] as const;

export function emptyThrottleRecord(rate: number | null): ThrottleRecord {
  // Keyed by topic names and broker ids: no prototype, so a topic called "constructor" is just a key.
  return { rate, brokers: emptyDict(), topics: emptyDict() };
}

/** Leader entries: the replicas that serve the copy (current ones); follower entries: the ones copying. */
export function throttleEntries(task: MoveTask): { leader: string[]; follower: string[] } {
  const p = String(task.partition);
  return { leader: task.from.map((b) => `${p}:${String(b)}`), follower: added(task).map((b) => `${p}:${String(b)}`) };
}

/** The items of a list config's value (comma-separated, spaces around items ignored, empty ones dropped). */
export function listItems(value: string): string[] {
  const out: string[] = [];
  for (const s of value.split(",")) {
    const item = s.trim();
    if (item !== "") out.push(item);
  }
  return out;
}

function listOf(value: string | null | undefined): string[] {
  return value ? listItems(value) : [];
}

/** Kafka's UNKNOWN_TOPIC_OR_PARTITION: removing throttles of a deleted topic is already done. */
const UNKNOWN_TOPIC = 3;

async function check(port: KafkaPort, changes: Array<{ resource: ConfigResource; ops: AlterOp[] }>, removing = false): Promise<void> {
  if (changes.length === 0) return;
  const results = await port.incrementalAlterConfigs(changes);
  const failed = results.filter((r) => r.errorCode !== 0 && !(removing && r.resource.type === "topic" && r.errorCode === UNKNOWN_TOPIC));
  if (failed.length > 0) {
    const f = failed[0]!;
    throw kafkaRefusal(`could not change throttle configs of ${f.resource.type} ${f.resource.name}: ${f.message ?? `error ${String(f.errorCode)}`}`, f.errorCode);
  }
}

function dynamicValue(entries: readonly ConfigEntry[] | undefined, name: string, source: ConfigEntry["source"]): string | null {
  const e = entries?.find((x) => x.name === name && x.source === source);
  return e?.value ?? null;
}

export class Throttles {
  constructor(
    private readonly port: KafkaPort,
    private readonly record: ThrottleRecord,
    private readonly onChange: () => void,
    /** Tells the operator, as soon as it is found, of a config left alone. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Sets the rate on these brokers where Ballast has not yet, unless an operator set one. */
  async coverBrokers(brokerIds: Iterable<number>): Promise<void> {
    const rate = this.record.rate;
    if (rate === null) return;
    const todo = [...new Set(brokerIds)].filter((b) => own(this.record.brokers, String(b)) === undefined).sort((a, b) => a - b);
    if (todo.length === 0) return;
    const resources = todo.map((b): ConfigResource => ({ type: "broker", name: String(b) }));
    const configs = await this.port.describeConfigs(resources);
    const changes: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
    for (const r of resources) {
      const entries = configs.get(resourceKey(r));
      const ops: AlterOp[] = [];
      const mine = emptyDict<string>();
      for (const key of RATE_KEYS) {
        const existing = dynamicValue(entries, key, "dynamic-broker");
        if (existing !== null) {
          this.warn(`broker ${r.name} already has ${key}=${existing} set by someone else; left as it is`);
          continue;
        }
        ops.push({ op: "set", name: key, value: String(Math.round(rate)) });
        mine[key] = String(Math.round(rate));
      }
      this.record.brokers[r.name] = mine;
      if (ops.length > 0) changes.push({ resource: r, ops });
    }
    await check(this.port, changes);
    this.onChange();
  }

  /** Changes the rate on every broker where Ballast set it (and nobody changed it since). */
  async setRate(rate: number): Promise<void> {
    const ids = Object.keys(this.record.brokers);
    this.record.rate = rate;
    if (ids.length === 0) return;
    const resources = ids.map((b): ConfigResource => ({ type: "broker", name: b }));
    const configs = await this.port.describeConfigs(resources);
    const changes: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
    for (const r of resources) {
      const mine = own(this.record.brokers, r.name) ?? emptyDict<string>();
      const ops: AlterOp[] = [];
      for (const [key, value] of Object.entries(mine)) {
        if (dynamicValue(configs.get(resourceKey(r)), key, "dynamic-broker") !== value) {
          this.warn(`broker ${r.name}: ${key} was changed by someone else; left as it is`);
          delete mine[key];
          continue;
        }
        ops.push({ op: "set", name: key, value: String(Math.round(rate)) });
        mine[key] = String(Math.round(rate));
      }
      if (ops.length > 0) changes.push({ resource: r, ops });
    }
    await check(this.port, changes);
    this.onChange();
  }

  /** Adds the moving partitions to their topics' throttled-replica lists (entries not already there). */
  async addPartitions(tasks: readonly MoveTask[]): Promise<void> {
    if (this.record.rate === null) return;
    const byTopic = groupByTopic(tasks.filter((t) => added(t).length > 0));
    if (byTopic.size === 0) return;
    const resources = [...byTopic.keys()].map((t): ConfigResource => ({ type: "topic", name: t }));
    const entriesOf = new Map(tasks.map((t) => [t, throttleEntries(t)]));
    const configs = await this.port.describeConfigs(resources);
    const changes: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
    for (const r of resources) {
      const entries = configs.get(resourceKey(r));
      const mine = own(this.record.topics, r.name) ?? { leader: [], follower: [] };
      this.record.topics[r.name] = mine;
      const ops: AlterOp[] = [];
      for (const [key, side] of [
        [LEADER_REPLICAS, "leader"],
        [FOLLOWER_REPLICAS, "follower"],
      ] as const) {
        const present = new Set(listOf(dynamicValue(entries, key, "dynamic-topic")));
        if (present.has("*")) continue;
        const wanted = byTopic.get(r.name)!.flatMap((t) => entriesOf.get(t)![side]);
        const fresh = [...new Set(wanted)].filter((e) => !present.has(e) && !mine[side].includes(e));
        if (fresh.length === 0) continue;
        ops.push({ op: "append", name: key, value: fresh.join(",") });
        mine[side].push(...fresh);
      }
      if (ops.length > 0) changes.push({ resource: r, ops });
    }
    await check(this.port, changes);
    this.onChange();
  }

  /** Removes the entries Ballast added for these partitions (forgotten only once Kafka confirms). */
  async removePartitions(tasks: readonly MoveTask[]): Promise<void> {
    const changes: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
    const forget: Array<() => void> = [];
    for (const [topic, ts] of groupByTopic(tasks)) {
      const mine = own(this.record.topics, topic);
      if (!mine) continue;
      const parts = new Set(ts.map((t) => `${String(t.partition)}:`));
      const ops: AlterOp[] = [];
      for (const [key, side] of [
        [LEADER_REPLICAS, "leader"],
        [FOLLOWER_REPLICAS, "follower"],
      ] as const) {
        const drop = mine[side].filter((e) => parts.has(e.slice(0, e.indexOf(":") + 1)));
        if (drop.length === 0) continue;
        ops.push({ op: "subtract", name: key, value: drop.join(",") });
        forget.push(() => {
          mine[side] = mine[side].filter((e) => !drop.includes(e));
          if (mine.leader.length === 0 && mine.follower.length === 0) delete this.record.topics[topic];
        });
      }
      if (ops.length > 0) changes.push({ resource: { type: "topic", name: topic }, ops });
    }
    await deleteWhenEmptied(this.port, changes);
    await check(this.port, changes, true);
    for (const f of forget) f();
    this.onChange();
  }

  /** Removes everything Ballast set: topic entries, and broker rates still at Ballast's value. */
  async clearAll(existingTopics?: ReadonlySet<string>): Promise<void> {
    const topicChanges: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
    for (const [topic, mine] of Object.entries(this.record.topics)) {
      if (existingTopics && !existingTopics.has(topic)) continue;
      const ops: AlterOp[] = [];
      if (mine.leader.length > 0) ops.push({ op: "subtract", name: LEADER_REPLICAS, value: mine.leader.join(",") });
      if (mine.follower.length > 0) ops.push({ op: "subtract", name: FOLLOWER_REPLICAS, value: mine.follower.join(",") });
      if (ops.length > 0) topicChanges.push({ resource: { type: "topic", name: topic }, ops });
    }
    await deleteWhenEmptied(this.port, topicChanges);
    await this.apply(topicChanges);
    this.record.topics = emptyDict();
    const ids = Object.keys(this.record.brokers);
    if (ids.length > 0) {
      const resources = ids.map((b): ConfigResource => ({ type: "broker", name: b }));
      const configs = await this.port.describeConfigs(resources);
      const changes: Array<{ resource: ConfigResource; ops: AlterOp[] }> = [];
      for (const r of resources) {
        const ops: AlterOp[] = [];
        for (const [key, value] of Object.entries(own(this.record.brokers, r.name) ?? {})) {
          if (dynamicValue(configs.get(resourceKey(r)), key, "dynamic-broker") === value) ops.push({ op: "delete", name: key });
          else this.warn(`broker ${r.name}: ${key} was changed by someone else; left as it is`);
        }
        if (ops.length > 0) changes.push({ resource: r, ops });
      }
      await this.apply(changes);
    }
    this.record.brokers = emptyDict();
    this.onChange();
  }

  private async apply(changes: Array<{ resource: ConfigResource; ops: AlterOp[] }>): Promise<void> {
    await check(this.port, changes, true);
    this.onChange();
  }
}

/**
 * Kafka leaves a list config set to "" when SUBTRACT removes its last item; where Ballast's entries
 * are all that is left, the key is deleted instead, so nothing of Ballast's remains.
 */
async function deleteWhenEmptied(port: KafkaPort, changes: Array<{ resource: ConfigResource; ops: AlterOp[] }>): Promise<void> {
  const topics = changes.filter((c) => c.resource.type === "topic").map((c) => c.resource);
  if (topics.length === 0) return;
  const configs = await describeEach(port, topics);
  for (const c of changes) {
    const entries = configs.get(resourceKey(c.resource));
    if (!entries) continue;
    c.ops = c.ops.map((op) => {
      if (op.op !== "subtract") return op;
      const dropped = new Set(op.value.split(","));
      const left = listOf(dynamicValue(entries, op.name, "dynamic-topic")).filter((e) => !dropped.has(e));
      return left.length === 0 ? { op: "delete", name: op.name } : op;
    });
  }
}

/**
 * The configs of `resources`; when the read as a whole fails (a topic deleted a moment ago fails
 * it), each is read alone, so one deleted topic does not leave the others' emptied lists as "".
 * Resources that cannot be read are left out: plain SUBTRACT is still right for them.
 */
async function describeEach(port: KafkaPort, resources: readonly ConfigResource[]): Promise<Map<string, ConfigEntry[]>> {
  try {
    return await port.describeConfigs(resources);
  } catch {
    const out = new Map<string, ConfigEntry[]>();
    if (resources.length === 1) return out;
    for (const r of resources) {
      try {
        for (const [key, entries] of await port.describeConfigs([r])) out.set(key, entries);
      } catch {
        // Deleted: its entries went with it.
      }
    }
    return out;
  }
}

function groupByTopic(tasks: readonly MoveTask[]): Map<string, MoveTask[]> {
  const out = new Map<string, MoveTask[]>();
  for (const t of tasks) {
    const list = out.get(t.topic);
    if (list) list.push(t);
    else out.set(t.topic, [t]);
  }
  return out;
}
