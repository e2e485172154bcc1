/**
 * Broker and topic operations that `plan` performs besides balancing:
 *
 * - `--replace 5=13`: broker 13 (alive and empty) takes exactly broker 5's replicas, slot for slot, so
 *   preferred leadership carries over; nothing else moves.
 * - `--demote-brokers 5`: preferred leadership leaves the demoted brokers by reordering replica lists
 *   (no data moves): the follower with the fewest preferred leaders leads, demoted replicas go last.
 * - `--to-brokers`: checked here; enforced by the targets (Targets.canReceive) and valid placement.
 * - `--replication-factor`: see replication.ts.
 *
 * Replace and demote are whole plans of their own: they do exactly what they say and nothing else, so
 * they cannot be combined with balancing options that would move other data. Inputs are checked
 * before anything is planned; every problem is a BallastError naming the option.
 */
import { BallastError, internalError } from "../model/errors.js";
import type { Cluster } from "../model/types.js";
import { setReplicas } from "./budget.js";
import type { PlacementState } from "./state.js";
import type { PlanOptions } from "./types.js";

function usage(option: string, message: string): BallastError {
  return new BallastError("USAGE", message, { path: option });
}

/** Checks every operation option against the cluster; throws the first problem. */
export function checkOperations(cluster: Cluster, options: PlanOptions): void {
  const byId = new Map(cluster.brokers.map((b) => [b.id, b]));
  const excluded = new Set(options.excludeBrokers ?? []);
  const eligible = (id: number): boolean => byId.get(id)?.status === "alive" && !excluded.has(id);
  const known = (option: string, id: number): void => {
    if (!byId.has(id)) throw usage(option, `broker ${String(id)} is not in the cluster (brokers: ${[...byId.keys()].sort((a, b) => a - b).join(", ")})`);
  };

  if (options.toBrokers !== undefined) {
    if (options.toBrokers.length === 0) throw usage("toBrokers", "lists no brokers; name the brokers that may receive replicas");
    for (const id of options.toBrokers) {
      known("toBrokers", id);
      if (!eligible(id)) throw usage("toBrokers", `broker ${String(id)} cannot receive replicas: it is ${excluded.has(id) ? "excluded" : "dead"}`);
    }
  }
  for (const id of options.demoteBrokers ?? []) known("demoteBrokers", id);

  const replace = options.replace ?? [];
  const used = new Set<number>();
  const holders = replicaHolders(cluster);
  for (const { from, to } of replace) {
    known("replace", from);
    known("replace", to);
    if (from === to) throw usage("replace", `broker ${String(from)} cannot replace itself`);
    for (const id of [from, to]) {
      if (used.has(id)) throw usage("replace", `broker ${String(id)} appears in more than one replacement`);
      used.add(id);
    }
    if (!eligible(to)) throw usage("replace", `broker ${String(to)} cannot take broker ${String(from)}'s replicas: it is ${excluded.has(to) ? "excluded" : "dead"}`);
    const held = holders.get(to) ?? 0;
    if (held > 0) throw usage("replace", `broker ${String(to)} already holds ${String(held)} replica(s); a replacement must be a new, empty broker`);
  }

  const modes = [
    replace.length > 0 ? "--replace" : "",
    (options.demoteBrokers ?? []).length > 0 ? "--demote-brokers" : "",
  ].filter((m) => m !== "");
  if (modes.length === 0) return;
  const others: string[] = [];
  if (modes.length > 1) others.push(modes[1]!);
  if (options.toBrokers !== undefined) others.push("--to-brokers");
  if ((options.replicationFactor ?? []).length > 0) others.push("--replication-factor");
  if ((options.excludeBrokers ?? []).length > 0) others.push("--exclude-brokers");
  if (options.maxMoves !== undefined || options.maxBytesMoved !== undefined) others.push("movement budgets");
  if (others.length > 0) {
    throw usage(modes[0] === "--replace" ? "replace" : "demoteBrokers", `${modes[0]!} is a plan of its own and cannot be combined with ${others.join(", ")}; run them as separate plans`);
  }
}

function replicaHolders(cluster: Cluster): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of cluster.topics) for (const p of t.partitions) for (const r of p.replicas) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}

/** Moves every replica of each `from` broker to its `to` broker, in the same slot. */
export function applyReplacements(state: PlacementState, replace: PlanOptions["replace"] = []): void {
  for (const { from, to } of replace) {
    const f = state.brokerIndexOf(from);
    const t = state.brokerIndexOf(to);
    if (f === undefined || t === undefined) throw internalError("replacement brokers are checked before planning");
    for (const p of state.partitionsOn(f)) state.apply({ kind: "move", p, slot: state.slotOf(p, f), to: t });
  }
}

/**
 * Reorders the replica lists of partitions led by a demoted broker: the non-demoted, eligible follower
 * with the fewest preferred leaders so far leads (ties: earlier in the list), the other non-demoted
 * replicas keep their order, demoted replicas go last. Returns the partitions only demoted brokers
 * (or ineligible ones) hold, which keep their leader.
 */
export function applyDemotion(state: PlacementState, demote: readonly number[]): number[] {
  const demoted = new Uint8Array(state.brokerCount);
  for (const id of demote) {
    const b = state.brokerIndexOf(id);
    if (b !== undefined) demoted[b] = 1;
  }
  const stuck: number[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    if (!demoted[state.brokerAt(p, 0)]) continue;
    const list = Array.from({ length: state.rfOf(p) }, (_, s) => state.brokerAt(p, s));
    let leader = -1;
    for (const b of list) {
      if (demoted[b] || !state.eligible[b]) continue;
      if (leader < 0 || state.leadersOf(b) < state.leadersOf(leader)) leader = b;
    }
    if (leader < 0) {
      stuck.push(p);
      continue;
    }
    const rest = list.filter((b) => b !== leader);
    setReplicas(state, p, [leader, ...rest.filter((b) => !demoted[b]), ...rest.filter((b) => demoted[b])]);
  }
  return stuck;
}
