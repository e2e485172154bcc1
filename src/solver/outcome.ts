/**
 * The plan pipeline's last stage: the final placement as a reassignment (Kafka's JSON, with where each
 * partition came from), its moves and leader changes, the notes it needs, and the bound of a plan that
 * changed replication factors.
 */
import type { Cluster, Partition, Reassignment, ReassignmentEntry, ReassignmentOrigin } from "../model/types.js";
import type { Goal } from "./goal.js";
import { boundGoalsOf } from "./prepare.js";
import type { PlacementState } from "./state.js";
import type { LowerBound, PlanOptions, PlanOutcome } from "./types.js";

/**
 * The lower bound of a plan that changes replication factors, against the cluster as it is. Two
 * counts are certain: the replicas the new factors add, and the replicas each eligible broker must
 * gain to reach its replica-count band under the new factors (or the count the plan leaves it with,
 * when lower), since every replica a broker gains is a move. Balancing may place an added replica
 * straight where a later goal wants it, so balance moves are not added on top of the first count.
 */
export function replicationBound(
  before: PlacementState,
  outcome: PlanOutcome & { status: "planned" },
  changed: { added: number; addedBytes: number },
  goals: readonly Goal[],
): LowerBound {
  let gains = 0;
  if (boundGoalsOf(goals).replicaCount) {
    for (const b of outcome.balanceAfter.brokers) {
      const i = before.brokerIndexOf(b.id);
      if (!b.eligible || i === undefined) continue;
      gains += Math.max(0, Math.min(b.targetReplicas.min, b.replicas) - before.countOf(i));
    }
  }
  const moves = Math.max(changed.added, gains);
  return {
    moves,
    bytesMoved: changed.addedBytes,
    combinatorial: { moves, bytesMoved: changed.addedBytes },
    relaxation: { ...outcome.lowerBound.relaxation, moves: 0, bytesMoved: 0, exact: false },
  };
}

/** With --to-brokers, replicas on dead or excluded brokers that no listed broker could take. */
export function strandedNotes(state: PlacementState, options: PlanOptions): string[] {
  if (options.toBrokers === undefined) return [];
  let n = 0;
  for (let i = 0; i < state.replicas.length; i++) if (!state.eligible[state.replicas[i]!]) n++;
  return n === 0
    ? []
    : [`${String(n)} replica(s) stay on dead or excluded brokers: no broker of --to-brokers can take them without breaking the rack rule or holding the partition twice`];
}

/**
 * The reassignment from `original` to `after` (which may change replication factors), with its moves
 * (brokers added to a partition), bytes and preferred-leader changes.
 */
export function diffAgainst(original: Cluster, after: Cluster): { reassignment: Reassignment; moves: number; bytesMoved: number; leaderChanges: number } {
  const was = new Map<string, Partition>();
  for (const t of original.topics) for (const p of t.partitions) was.set(`${p.topic}\u0000${String(p.partition)}`, p);
  const rows: { entry: ReassignmentEntry; origin: ReassignmentOrigin }[] = [];
  let moves = 0;
  let bytesMoved = 0;
  let changes = 0;
  for (const t of after.topics) {
    for (const p of t.partitions) {
      const o = was.get(`${p.topic}\u0000${String(p.partition)}`);
      if (o === undefined) continue;
      const same = o.replicas.length === p.replicas.length && o.replicas.every((r, i) => r === p.replicas[i]);
      if (same) continue;
      const added = p.replicas.filter((r) => !o.replicas.includes(r)).length;
      moves += added;
      bytesMoved += added * o.size;
      if (p.replicas[0] !== o.replicas[0]) changes++;
      rows.push({
        entry: { topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => "any") },
        origin: { topic: p.topic, partition: p.partition, replicas: o.replicas },
      });
    }
  }
  rows.sort((a, b) => (a.entry.topic < b.entry.topic ? -1 : a.entry.topic > b.entry.topic ? 1 : a.entry.partition - b.entry.partition));
  return {
    reassignment: { version: 1, partitions: rows.map((r) => r.entry), madeFrom: rows.map((r) => r.origin) },
    moves,
    bytesMoved,
    leaderChanges: changes,
  };
}

/** The partitions whose replica lists changed, as Kafka's reassignment JSON with their lists before. */
export function reassignmentOf(state: PlacementState): Reassignment {
  const partitions: ReassignmentEntry[] = [];
  const madeFrom: ReassignmentOrigin[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offsetOf(p);
    let changed = false;
    for (let s = 0; s < state.rfOf(p); s++) if (state.replicas[o + s] !== state.original[o + s]) changed = true;
    if (!changed) continue;
    const replicas = state.replicaIds(p);
    const topic = state.topicNameOf(state.topicIndexOf(p));
    const partition = state.partitionNumber[p]!;
    partitions.push({ topic, partition, replicas, log_dirs: replicas.map(() => "any") });
    madeFrom.push({ topic, partition, replicas: state.originalIds(p) });
  }
  return { version: 1, partitions, madeFrom };
}

/** Partitions whose preferred leader (first replica) changed. */
export function leaderChanges(state: PlacementState): number {
  let n = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offsetOf(p);
    if (state.replicas[o] !== state.original[o]) n++;
  }
  return n;
}

