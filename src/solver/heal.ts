/**
 * Offline replicas on a live broker (a failed log directory): Kafka keeps listing the replica, the
 * broker stays registered, and nothing about the broker says its replicas need a new home. Each such
 * replica gets one here, before balancing, in the replica list's same position (so a preferred
 * leader that was offline is replaced by its new home, which the leader goal may reorder later).
 *
 * The new home is the eligible broker (alive, not excluded, not already a replica, not the broker
 * that lost it) whose rack holds the fewest replicas of the partition, then with the fewest replicas,
 * then the least disk, ties by id; counts and disk follow each choice. Pure.
 */
import type { Cluster, Partition, Topic } from "../model/types.js";

export interface OfflineReplica {
  readonly topic: string;
  readonly partition: number;
  readonly broker: number;
}

export interface HealResult {
  /** The cluster with the healed replicas in their new homes (their `offline` and `isr` entries gone). */
  readonly cluster: Cluster;
  /** Replicas given a new home, in topic and partition order. */
  readonly healed: readonly (OfflineReplica & { readonly to: number })[];
  /** Replicas that found no home (no eligible broker left), or did not fit the budget. */
  readonly left: readonly OfflineReplica[];
  readonly bytesMoved: number;
}

/** Replicas the snapshot lists as offline on brokers that are alive. */
export function offlineOnLiveBrokers(cluster: Cluster): OfflineReplica[] {
  const alive = new Set(cluster.brokers.filter((b) => b.status === "alive").map((b) => b.id));
  const out: OfflineReplica[] = [];
  for (const t of cluster.topics) {
    for (const p of t.partitions) {
      for (const b of p.offline ?? []) if (alive.has(b) && p.replicas.includes(b)) out.push({ topic: p.topic, partition: p.partition, broker: b });
    }
  }
  return out;
}

interface Load {
  replicas: number;
  disk: number;
}

export function healOffline(cluster: Cluster, options: { excludeBrokers?: readonly number[]; maxMoves?: number; maxBytesMoved?: number } = {}): HealResult {
  const excluded = new Set(options.excludeBrokers ?? []);
  const candidates = cluster.brokers.filter((b) => b.status === "alive" && !excluded.has(b.id));
  const rackOf = new Map(cluster.brokers.map((b) => [b.id, b.rack ?? `broker ${String(b.id)}`]));
  const load = new Map<number, Load>(cluster.brokers.map((b) => [b.id, { replicas: 0, disk: 0 }]));
  for (const t of cluster.topics) {
    for (const p of t.partitions) {
      for (const r of p.replicas) {
        const l = load.get(r);
        if (l !== undefined) {
          l.replicas++;
          l.disk += p.size;
        }
      }
    }
  }
  let movesLeft = options.maxMoves ?? Infinity;
  let bytesLeft = options.maxBytesMoved ?? Infinity;
  let bytesMoved = 0;
  const healed: (OfflineReplica & { to: number })[] = [];
  const left: OfflineReplica[] = [];
  const alive = new Set(cluster.brokers.filter((b) => b.status === "alive").map((b) => b.id));
  const healPartition = (p: Partition): Partition => {
    const onLive = (p.offline ?? []).filter((b) => alive.has(b) && p.replicas.includes(b));
    if (onLive.length === 0) return p;
    const replicas = [...p.replicas];
    for (const gone of onLive) {
      const ref = { topic: p.topic, partition: p.partition, broker: gone };
      if (movesLeft < 1 || bytesLeft < p.size) {
        left.push(ref);
        continue;
      }
      const inRack = new Map<string, number>();
      for (const r of replicas) if (r !== gone) inRack.set(rackOf.get(r)!, (inRack.get(rackOf.get(r)!) ?? 0) + 1);
      let best: number | undefined;
      let bestKey: readonly number[] = [];
      for (const b of candidates) {
        if (replicas.includes(b.id) || (p.offline ?? []).includes(b.id)) continue;
        const l = load.get(b.id)!;
        const key = [inRack.get(rackOf.get(b.id)!) ?? 0, l.replicas, l.disk, b.id];
        if (best === undefined || lessThan(key, bestKey)) {
          best = b.id;
          bestKey = key;
        }
      }
      if (best === undefined) {
        left.push(ref);
        continue;
      }
      replicas[replicas.indexOf(gone)] = best;
      const from = load.get(gone)!;
      const to = load.get(best)!;
      from.replicas--;
      from.disk -= p.size;
      to.replicas++;
      to.disk += p.size;
      movesLeft--;
      bytesLeft -= p.size;
      bytesMoved += p.size;
      healed.push({ ...ref, to: best });
    }
    const keep = (list: readonly number[] | undefined): number[] | undefined => list?.filter((b) => replicas.includes(b));
    const isr = keep(p.isr);
    const offline = keep(p.offline);
    const leader = replicas.includes(p.leader) ? p.leader : replicas[0]!;
    return { ...p, replicas, leader, ...(isr !== undefined && { isr }), ...(offline !== undefined && { offline }) };
  };
  const topics: Topic[] = cluster.topics.map((t) => ({ ...t, partitions: t.partitions.map(healPartition) }));
  return { cluster: { ...cluster, topics }, healed, left, bytesMoved };
}

function lessThan(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
