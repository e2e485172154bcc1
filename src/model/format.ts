/**
 * Writing a Cluster as a snapshot file, the inverse of parseCluster. Both formats put one broker and
 * one partition per line (short diffs) and leave out values that equal their defaults (status alive,
 * empty capacity, leader = first replica, zero loads). YAML writes exact unit strings ("2TiB") where a
 * number has one; JSON writes plain numbers.
 */
import { Document } from "yaml";
import type { Broker, Cluster, Partition } from "./types.js";
import { exactQuantity, type QuantityKind } from "./units.js";
import type { ClusterFormat } from "./parse.js";

type WriteQuantity = (n: number, kind: QuantityKind) => number | string;
type Plain = Record<string, unknown>;

const asNumber: WriteQuantity = (n) => n;

export function formatCluster(cluster: Cluster, format: ClusterFormat): string {
  return format === "yaml" ? formatYaml(cluster) : formatJson(cluster);
}

function plainBroker(b: Broker, quantity: WriteQuantity): Plain {
  const capacity: Plain = {};
  if (b.capacity.disk !== undefined) capacity["disk"] = quantity(b.capacity.disk, "size");
  if (b.capacity.networkIn !== undefined) capacity["networkIn"] = quantity(b.capacity.networkIn, "rate");
  if (b.capacity.networkOut !== undefined) capacity["networkOut"] = quantity(b.capacity.networkOut, "rate");
  return {
    id: b.id,
    ...(b.rack !== undefined && { rack: b.rack }),
    ...(b.host !== undefined && { host: b.host }),
    ...(b.status !== "alive" && { status: b.status }),
    ...(Object.keys(capacity).length > 0 && { capacity }),
  };
}

function plainPartition(p: Partition, quantity: WriteQuantity): Plain {
  return {
    partition: p.partition,
    replicas: p.replicas,
    ...(p.leader !== p.replicas[0] && { leader: p.leader }),
    ...(p.size !== 0 && { size: quantity(p.size, "size") }),
    ...(p.bytesIn !== 0 && { bytesIn: quantity(p.bytesIn, "rate") }),
    ...(p.bytesOut !== 0 && { bytesOut: quantity(p.bytesOut, "rate") }),
    ...(p.cpu !== undefined && { cpu: p.cpu }),
    ...(p.isr !== undefined && { isr: p.isr }),
    ...(p.offline !== undefined && { offline: p.offline }),
  };
}

function formatYaml(cluster: Cluster): string {
  const doc = new Document();
  // Brokers and partitions in flow style: one line each, replica lists as [1, 2, 3].
  const oneLine = <T>(items: readonly T[], plain: (item: T) => Plain) =>
    items.map((item) => doc.createNode(plain(item), { flow: true }));
  doc.contents = doc.createNode({
    version: cluster.version,
    ...(cluster.name !== undefined && { name: cluster.name }),
    ...(cluster.traffic !== undefined && { traffic: doc.createNode({ ...cluster.traffic }, { flow: true }) }),
    brokers: oneLine(cluster.brokers, (b) => plainBroker(b, exactQuantity)),
    topics: cluster.topics.map((t) => ({
      name: t.name,
      partitions: oneLine(t.partitions, (p) => plainPartition(p, exactQuantity)),
    })),
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The lines of a JSON array, one item per line, closing bracket at `indent` less two. */
function jsonArray(items: readonly string[], indent: string): string {
  if (items.length === 0) return "[]";
  return `[\n${indent}${items.join(`,\n${indent}`)}\n${indent.slice(2)}]`;
}

function formatJson(cluster: Cluster): string {
  const brokers = cluster.brokers.map((b) => JSON.stringify(plainBroker(b, asNumber)));
  const topics = cluster.topics.map((t) => {
    const partitions = t.partitions.map((p) => JSON.stringify(plainPartition(p, asNumber)));
    return `{"name": ${JSON.stringify(t.name)}, "partitions": ${jsonArray(partitions, "      ")}}`;
  });
  const fields = [
    `"version": ${cluster.version}`,
    ...(cluster.name !== undefined ? [`"name": ${JSON.stringify(cluster.name)}`] : []),
    ...(cluster.traffic !== undefined ? [`"traffic": ${JSON.stringify(cluster.traffic)}`] : []),
    `"brokers": ${jsonArray(brokers, "    ")}`,
    `"topics": ${jsonArray(topics, "    ")}`,
  ];
  return `{\n  ${fields.join(",\n  ")}\n}\n`;
}
