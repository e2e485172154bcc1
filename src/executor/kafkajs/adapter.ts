/**
 * The KafkaPort over a live cluster: kafkajs's connections (TLS, SASL, framing) carrying Kafka's
 * admin requests. Metadata, DescribeLogDirs, ElectLeaders, IncrementalAlterConfigs and the
 * partition reassignment requests are Ballast's own small encoders (one file each); DescribeConfigs
 * is kafkajs's. Whole-call failures reject with a BallastError (code KAFKA) naming the operation and
 * the broker; per-partition and per-resource errors come back in the results.
 */
import type { ConnectionOptions } from "node:tls";
import type { SASLOptions } from "kafkajs";
import { BallastError, isBallastError } from "../../model/errors.js";
import {
  ACL_OPERATIONS,
  partitionKey,
  type AclOperation,
  resourceKey,
  type AlterOp,
  type BrokerNode,
  type ConfigEntry,
  type ConfigResource,
  type KafkaPort,
  type OngoingReassignment,
  type PartitionRef,
  type PartitionResult,
  type ReplicaLogDir,
  type ResourceResult,
  type TopicMetadata,
} from "../port.js";
import { kafkaFailure, kafkaRefusal } from "../kafka-errors.js";
import { BrokerConnections, authorizationError, describeKafkaError, kafkaErrorName } from "./brokers.js";
import { describeLogDirsRequest, type LogDirResult } from "./describe-log-dirs.js";
import { electLeadersRequest } from "./elect-leaders.js";
import { authorizedOperationsRequest } from "./metadata.js";
import { type OffsetReply, EARLIEST, LATEST, findCoordinatorRequest, listGroupsRequest, listOffsetsRequest, offsetFetchRequest } from "./offsets.js";
import { incrementalAlterConfigsRequest, RESOURCE_BROKER, RESOURCE_TOPIC } from "./incremental-alter-configs.js";
import { acquireKafkaLock } from "./lock.js";
import { readKafkaMemory, writeKafkaMemory } from "./memory.js";
import { alterPartitionReassignmentsRequest, listPartitionReassignmentsRequest } from "./reassignments.js";

export interface KafkajsPortOptions {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** `true` for TLS with the system's CAs, or Node TLS options (PEM `ca`, `cert`, `key`, …). */
  readonly ssl?: ConnectionOptions | boolean;
  readonly sasl?: SASLOptions;
  /** Milliseconds to wait for a TCP/TLS connection (default 10 000). */
  readonly connectionTimeout?: number;
  /** Milliseconds to wait for a reply; also the server-side timeout of reassignments and elections (default 30 000). */
  readonly requestTimeout?: number;
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_TOPIC_EXCEPTION = 17;
const NOT_CONTROLLER = 41;
const ELECTION_NOT_NEEDED = 84;
const CONTROLLER_ATTEMPTS = 3;

const CONFIG_SOURCES: Record<number, ConfigEntry["source"]> = {
  1: "dynamic-topic",
  2: "dynamic-broker",
  3: "dynamic-default-broker",
  4: "static-broker",
  5: "default",
};

export function createKafkajsPort(options: KafkajsPortOptions): KafkaPort {
  if (options.brokers.length === 0) throw new BallastError("USAGE", "no bootstrap servers given");
  const requestTimeout = options.requestTimeout ?? 30_000;
  /** kafkajs's own clients (the lock's group, the job memory's producer and consumer) connect with this. */
  const kafkajsConnection = {
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeout ?? 10_000,
    requestTimeout,
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
  };
  const conn = new BrokerConnections({
    brokers: options.brokers,
    clientId: options.clientId ?? "ballast",
    connectionTimeout: options.connectionTimeout ?? 10_000,
    requestTimeout,
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
  });

  /**
   * Sends to the controller; asks again for the controller when the broker says it is not, or cannot
   * be reached (in KRaft, Metadata names a random live broker, which may be one that just died).
   */
  async function onController<T extends { errorCode: number; errorMessage?: string | null }>(
    send: (controllerId: number) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const id = await conn.controllerId();
      let res: T;
      try {
        res = await send(id);
      } catch (err) {
        if (attempt >= CONTROLLER_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        continue;
      }
      if (res.errorCode === NOT_CONTROLLER && attempt < CONTROLLER_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        continue;
      }
      if (res.errorCode !== 0) {
        const denied = authorizationError(res.errorCode, res.errorMessage);
        if (denied) throw denied;
        throw kafkaRefusal(`the controller (broker ${String(id)}) refused the request: ${describeKafkaError(res.errorCode, res.errorMessage)}`, res.errorCode);
      }
      return res;
    }
  }

  /** Releases of the execution locks this port holds; close() runs them. */
  const releases = new Set<() => Promise<void>>();

  const port: KafkaPort = {
    async authorizedOperations(topics) {
      const reply = await conn.sendToAny(authorizedOperationsRequest([...new Set(topics)]));
      const byName = new Map(reply.topics.map((t) => [t.name, t]));
      const out = new Map<string, ReadonlySet<AclOperation> | null>();
      for (const name of new Set(topics)) {
        const t = byName.get(name);
        const bits = reply.authorized.topics.get(name);
        // A topic this principal may not describe comes back with TOPIC_AUTHORIZATION_FAILED: no operations;
        // one that does not exist (yet) with UNKNOWN_TOPIC_OR_PARTITION: nothing reported.
        if (t?.errorCode === UNKNOWN_TOPIC_OR_PARTITION) out.set(name, null);
        else out.set(name, t && t.errorCode !== 0 ? new Set() : bits === undefined || bits === null ? null : operations(bits));
      }
      const cluster = reply.authorized.cluster;
      return {
        principal: options.sasl !== undefined && "username" in options.sasl ? `User:${options.sasl.username}` : null,
        cluster: cluster === null ? null : operations(cluster),
        topics: out,
      };
    },

    async describeCluster() {
      const md = await conn.metadata([]);
      const brokers = md.brokers
        .map((b): BrokerNode => ({ id: b.nodeId, host: b.host, port: b.port, ...(b.rack !== null ? { rack: b.rack } : {}) }))
        .sort((a, b) => a.id - b.id);
      return { clusterId: md.clusterId ?? "", controllerId: md.controllerId, brokers };
    },

    async describeTopics(topics) {
      if (topics?.length === 0) return [];
      const md = await conn.metadata(topics ? [...new Set(topics)] : null);
      const out: TopicMetadata[] = [];
      for (const t of md.topics) {
        if (t.errorCode === UNKNOWN_TOPIC_OR_PARTITION || t.errorCode === INVALID_TOPIC_EXCEPTION) continue;
        if (t.errorCode !== 0) throw kafkaRefusal(`topic ${t.name}: ${describeKafkaError(t.errorCode)}`, t.errorCode);
        const partitions = t.partitions
          .map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, isr: p.isr, leader: p.leader, offline: p.offline }))
          .sort((a, b) => a.partition - b.partition);
        out.push({ name: t.name, internal: t.internal, partitions });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async logOffsets(partitions) {
      const out = new Map<string, { start: number; end: number }>();
      await Promise.all(
        [...groupBy(partitions, (p) => p.leader)].map(async ([leader, list]) => {
          const topics = new Map([...groupBy(list, (p) => p.topic)].map(([topic, ps]) => [topic, ps.map((p) => p.partition)]));
          let ends: OffsetReply[];
          let starts: OffsetReply[];
          try {
            [ends, starts] = await Promise.all([conn.sendTo(leader, listOffsetsRequest(topics, LATEST)), conn.sendTo(leader, listOffsetsRequest(topics, EARLIEST))]);
          } catch (e) {
            if (isBallastError(e) && e.code === "AUTH") throw e;
            return; // a leader that does not answer: its partitions are left out
          }
          const startOf = new Map(starts.filter((o) => o.errorCode === 0).map((o) => [partitionKey(o), o.offset]));
          for (const o of ends) {
            const start = startOf.get(partitionKey(o));
            if (o.errorCode === 0 && start !== undefined) out.set(partitionKey(o), { start, end: o.offset });
          }
        }),
      );
      return out;
    },

    async committedOffsets() {
      const md = await conn.metadata([]);
      // Each broker lists the groups it coordinates: one that does not answer would hide its groups
      // (a first request to a broker not yet connected can fail), so it is asked again.
      const lists = await Promise.all(
        md.brokers.map((b) => untilSettled(() => conn.sendTo(b.nodeId, listGroupsRequest()), (l) => TRANSIENT_GROUP_ERRORS.has(l.errorCode))),
      );
      const groups = [...new Set(lists.flatMap((l) => (l.errorCode === 0 ? l.groups.filter((g) => g.protocolType === "consumer" || g.protocolType === "").map((g) => g.groupId) : [])))].sort();
      const out = new Map<string, Map<string, number>>();
      await Promise.all(
        groups.map(async (groupId) => {
          // A coordinator loading or moving answers again shortly; a group left out would read as no traffic.
          const reply = await untilSettled(
            async () => {
              const coordinator = await conn.sendToAny(findCoordinatorRequest(groupId));
              if (coordinator.errorCode !== 0) return { errorCode: coordinator.errorCode, offsets: [] };
              return conn.sendTo(coordinator.nodeId, offsetFetchRequest(groupId));
            },
            (r) => TRANSIENT_GROUP_ERRORS.has(r.errorCode),
          );
          if (reply.errorCode !== 0) return;
          const offsets = new Map(reply.offsets.filter((o) => o.errorCode === 0 && o.offset >= 0).map((o) => [partitionKey(o), o.offset]));
          if (offsets.size > 0) out.set(groupId, offsets);
        }),
      );
      return out;
    },

    async describeLogDirs(brokerIds, partitions) {
      const ids = [...new Set(brokerIds)];
      const request = describeLogDirsRequest(partitions === undefined ? null : partitionsByTopic(partitions));
      const replies = await Promise.all(ids.map((id) => conn.sendTo(id, request)));
      return new Map(ids.map((id, i) => [id, logDirReplicas(replies[i] ?? [])]));
    },

    async listPartitionReassignments() {
      const res = await onController((id) => conn.sendTo(id, listPartitionReassignmentsRequest(requestTimeout)));
      return res.items
        .map((o): OngoingReassignment => ({ ...o }))
        .sort((a, b) => compareRefs(a, b));
    },

    async alterPartitionReassignments(entries) {
      if (entries.length === 0) return [];
      const res = await onController((id) => conn.sendTo(id, alterPartitionReassignmentsRequest(entries, requestTimeout)));
      const byKey = new Map(res.items.map((item) => [partitionKey(item), item]));
      return entries.map((e) => partitionResult(e, byKey.get(partitionKey(e))));
    },

    async describeConfigs(resources) {
      const unique = [...new Map(resources.map((r) => [resourceKey(r), r])).values()];
      const out = new Map<string, ConfigEntry[]>();
      const groups = groupBy(unique, (r): number | "any" => (r.type === "broker" && isBrokerId(r.name) ? Number(r.name) : "any"));
      await Promise.all(
        [...groups].map(async ([target, group]) => {
          const reply = await conn.describeConfigs(
            target,
            group.map((r) => ({ type: resourceType(r), name: r.name })),
          );
          for (const res of reply.resources) {
            const type = res.resourceType === RESOURCE_BROKER ? "broker" : "topic";
            out.set(
              resourceKey({ type, name: res.resourceName }),
              res.configEntries.map((e) => ({ name: e.configName, value: e.configValue, source: CONFIG_SOURCES[e.configSource] ?? "other" })),
            );
          }
        }),
      );
      return out;
    },

    async incrementalAlterConfigs(changes) {
      const merged = new Map<string, { resource: ConfigResource; ops: AlterOp[] }>();
      for (const c of changes) {
        const key = resourceKey(c.resource);
        const seen = merged.get(key);
        if (seen) seen.ops.push(...c.ops);
        else merged.set(key, { resource: c.resource, ops: [...c.ops] });
      }
      if (merged.size === 0) return [];
      // Broker resources go to that broker, the cluster-wide broker default to the controller,
      // topics to any broker (a KRaft broker forwards them to the controller).
      const targetOf = async (r: ConfigResource): Promise<number | "any"> =>
        r.type === "topic" ? "any" : isBrokerId(r.name) ? Number(r.name) : await conn.controllerId();
      const targets = await Promise.all([...merged.values()].map((m) => targetOf(m.resource)));
      const groups = groupBy([...merged.values()], (_, i) => targets[i] ?? "any");
      const replies = new Map<string, { errorCode: number; errorMessage: string | null }>();
      await Promise.all(
        [...groups].map(async ([target, group]) => {
          const req = incrementalAlterConfigsRequest(
            group.map((m) => ({ resourceType: resourceType(m.resource), resourceName: m.resource.name, ops: m.ops })),
          );
          const reply = target === "any" ? await conn.sendToAny(req) : await conn.sendTo(target, req);
          for (const r of reply) {
            const type = r.resourceType === RESOURCE_BROKER ? "broker" : "topic";
            replies.set(resourceKey({ type, name: r.resourceName }), r);
          }
        }),
      );
      return [...merged].map(([key, { resource }]): ResourceResult => {
        const r = replies.get(key);
        if (!r) return { resource, errorCode: -1, message: "the broker returned no result for this resource" };
        return r.errorCode === 0 ? { resource, errorCode: 0 } : { resource, errorCode: r.errorCode, message: describeKafkaError(r.errorCode, r.errorMessage) };
      });
    },

    async electPreferredLeaders(partitions) {
      if (partitions.length === 0) return [];
      const topics = [...partitionsByTopic(partitions)].map(([topic, ps]) => ({ topic, partitions: ps }));
      const res = await onController((id) => conn.sendTo(id, electLeadersRequest(topics, requestTimeout)));
      const byKey = new Map(res.results.map((r) => [partitionKey(r), r]));
      return partitions.map((p) => {
        const r = byKey.get(partitionKey(p));
        return r?.errorCode === ELECTION_NOT_NEEDED ? { topic: p.topic, partition: p.partition, errorCode: 0 } : partitionResult(p, r);
      });
    },

    async acquireExecutionLock(owner, onLost) {
      const outcome = await acquireKafkaLock(kafkajsConnection, owner, onLost);
      if (outcome.status !== "acquired") return outcome;
      // Closing the port releases a lock still held: no exit path keeps it.
      const release = async (): Promise<void> => {
        releases.delete(release);
        await outcome.release();
      };
      releases.add(release);
      return { status: "acquired", release };
    },

    readJobMemory: () => readKafkaMemory(kafkajsConnection),
    writeJobMemory: (text) => writeKafkaMemory(kafkajsConnection, text),

    async close() {
      for (const release of [...releases]) await release().catch(() => undefined);
      await conn.close();
    },
  };

  return guarded(port);
}

/** Wraps each method so that any failure is a BallastError naming the operation. */
function guarded(port: KafkaPort): KafkaPort {
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (e) {
        if (isBallastError(e) && e.code !== "KAFKA") throw e;
        throw kafkaFailure(`${name}: ${e instanceof Error ? e.message : String(e)}`, e);
      }
    };
  return {
    authorizedOperations: wrap("authorizedOperations", (topics: readonly string[]) => port.authorizedOperations(topics)),
    describeCluster: wrap("describeCluster", () => port.describeCluster()),
    describeTopics: wrap("describeTopics", (topics?: readonly string[]) => port.describeTopics(topics)),
    logOffsets: wrap("logOffsets", (p: Parameters<KafkaPort["logOffsets"]>[0]) => port.logOffsets(p)),
    committedOffsets: wrap("committedOffsets", () => port.committedOffsets()),
    describeLogDirs: wrap("describeLogDirs", (ids: readonly number[], partitions?: readonly PartitionRef[]) => port.describeLogDirs(ids, partitions)),
    listPartitionReassignments: wrap("listPartitionReassignments", () => port.listPartitionReassignments()),
    alterPartitionReassignments: wrap("alterPartitionReassignments", (e: Parameters<KafkaPort["alterPartitionReassignments"]>[0]) =>
      port.alterPartitionReassignments(e),
    ),
    describeConfigs: wrap("describeConfigs", (r: readonly ConfigResource[]) => port.describeConfigs(r)),
    incrementalAlterConfigs: wrap("incrementalAlterConfigs", (c: Parameters<KafkaPort["incrementalAlterConfigs"]>[0]) =>
      port.incrementalAlterConfigs(c),
    ),
    electPreferredLeaders: wrap("electPreferredLeaders", (p: readonly PartitionRef[]) => port.electPreferredLeaders(p)),
    acquireExecutionLock: wrap("acquireExecutionLock", (owner: string, onLost?: () => void) => port.acquireExecutionLock(owner, onLost)),
    readJobMemory: wrap("readJobMemory", () => port.readJobMemory()),
    writeJobMemory: wrap("writeJobMemory", (text: string) => port.writeJobMemory(text)),
    close: wrap("close", () => port.close()),
  };
}

/** The operations set in a Kafka authorized-operations bit field (ALL set: every one). */
function operations(bits: number): ReadonlySet<AclOperation> {
  const all = (bits & (1 << ACL_OPERATIONS.indexOf("ALL"))) !== 0;
  return new Set(ACL_OPERATIONS.filter((op, i) => all || (bits & (1 << i)) !== 0));
}

function logDirReplicas(results: readonly LogDirResult[]): ReplicaLogDir[] {
  // A log dir with an error (an offline disk) lists no replicas; its partitions show as offline in metadata.
  const out: ReplicaLogDir[] = [];
  for (const dir of results) {
    if (dir.errorCode !== 0) continue;
    for (const t of dir.topics) {
      for (const p of t.partitions) {
        out.push({ topic: t.name, partition: p.partition, logDir: dir.logDir, size: p.size, isFuture: p.isFuture });
      }
    }
  }
  return out.sort((a, b) => compareRefs(a, b) || Number(a.isFuture) - Number(b.isFuture));
}

function partitionResult(
  ref: PartitionRef,
  r: { readonly errorCode: number; readonly errorMessage: string | null } | undefined,
): PartitionResult {
  const base = { topic: ref.topic, partition: ref.partition };
  if (!r) return { ...base, errorCode: -1, message: "the broker returned no result for this partition" };
  if (r.errorCode === 0) return { ...base, errorCode: 0 };
  const errorName = kafkaErrorName(r.errorCode);
  return {
    ...base,
    errorCode: r.errorCode,
    ...(errorName !== undefined ? { errorName } : {}),
    message: describeKafkaError(r.errorCode, r.errorMessage),
  };
}

function compareRefs(a: PartitionRef, b: PartitionRef): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function isBrokerId(name: string): boolean {
  return /^\d+$/.test(name);
}

function resourceType(r: ConfigResource): number {
  return r.type === "broker" ? RESOURCE_BROKER : RESOURCE_TOPIC;
}

/** Topic → its distinct partition numbers, as Kafka's requests list them. */
function partitionsByTopic(partitions: readonly PartitionRef[]): Map<string, number[]> {
  return new Map([...groupBy(partitions, (p) => p.topic)].map(([topic, ps]) => [topic, [...new Set(ps.map((p) => p.partition))]]));
}

function groupBy<T, K>(items: readonly T[], key: (item: T, index: number) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  items.forEach((item, i) => {
    const k = key(item, i);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  });
  return out;
}

/** Group coordinator errors that pass within seconds: COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR. */
const TRANSIENT_GROUP_ERRORS: ReadonlySet<number> = new Set([14, 15, 16]);

/**
 * Calls `ask` again, up to 5 times 200 ms apart, while it throws or `transient` says its answer may
 * change; the last attempt's answer (or failure) stands.
 */
async function untilSettled<T>(ask: () => Promise<T>, transient: (answer: T) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await ask();
      if (attempt >= 5 || !transient(answer)) return answer;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
