/**
 * Checks every plan must pass, computed from the cluster and the plan alone (not from the solver's
 * internals): a valid reassignment, `after` and the move counts consistent with it, and the rack and
 * host rules recomputed independently. Each check throws an AssertionError that names the partition.
 */
import assert from "node:assert/strict";
import { DEFAULT_GOALS } from "../model/config.js";
import { applyReassignment } from "../model/reassignment.js";
import type { Broker, Cluster, Partition } from "../model/types.js";
import type { PlanOptions, PlanOutcome } from "../solver/types.js";

export type Planned = Extract<PlanOutcome, { status: "planned" }>;

/** Narrows an outcome to a plan, failing with the problems otherwise. */
export function planned(outcome: PlanOutcome): Planned {
  if (outcome.status !== "planned") assert.fail(`expected a plan, got infeasible: ${JSON.stringify(outcome.problems)}`);
  return outcome;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${String(partition)}`;

export function partitionsByKey(cluster: Cluster): Map<string, Partition> {
  const out = new Map<string, Partition>();
  for (const t of cluster.topics) for (const p of t.partitions) out.set(key(t.name, p.partition), p);
  return out;
}

/** Brokers that may hold replicas: alive and not excluded. */
export function eligibleIds(cluster: Cluster, options: PlanOptions = {}): Set<number> {
  const excluded = new Set(options.excludeBrokers ?? []);
  return new Set(cluster.brokers.filter((b) => b.status === "alive" && !excluded.has(b.id)).map((b) => b.id));
}

/** Brokers added to each partition's replica set, summed: the plan's replica moves and bytes. */
export function countMoves(before: Cluster, after: Cluster): { moves: number; bytesMoved: number } {
  const old = partitionsByKey(before);
  let moves = 0;
  let bytesMoved = 0;
  for (const t of after.topics) {
    for (const p of t.partitions) {
      const was = old.get(key(t.name, p.partition));
      assert.ok(was !== undefined, `${t.name}-${String(p.partition)} is not in the original cluster`);
      const added = p.replicas.filter((b) => !was.replicas.includes(b)).length;
      moves += added;
      bytesMoved += added * was.size;
    }
  }
  return { moves, bytesMoved };
}

/** Replicas per broker id (every broker of the cluster, zero included). */
export function replicaCounts(cluster: Cluster): Map<number, number> {
  const counts = new Map<number, number>(cluster.brokers.map((b) => [b.id, 0]));
  for (const t of cluster.topics) for (const p of t.partitions) for (const b of p.replicas) counts.set(b, (counts.get(b) ?? 0) + 1);
  return counts;
}

/** Preferred leaders (first replica) per broker id. */
export function leaderCounts(cluster: Cluster): Map<number, number> {
  const counts = new Map<number, number>(cluster.brokers.map((b) => [b.id, 0]));
  for (const t of cluster.topics) for (const p of t.partitions) {
    const first = p.replicas[0];
    if (first !== undefined) counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return counts;
}

/**
 * The failure domain of a broker: its rack; without racks, its host when it names one (brokers on one
 * machine fail together), else the broker itself.
 */
export function rackKey(b: Broker): string {
  return b.rack ?? (b.host !== undefined ? `#host-${b.host}` : `#broker-${String(b.id)}`);
}

/** The host of a broker, scoped to its rack (one name in two racks is two hosts); else the broker itself. */
export function hostKey(b: Broker): string {
  return b.host !== undefined ? `${rackKey(b)}/${b.host}` : `#broker-${String(b.id)}`;
}

export interface SpreadRule {
  readonly maxPerRack: number;
  readonly hostRule: boolean;
}

/**
 * The rack rule for a replication factor, computed from the brokers: with the host rule (when the
 * eligible brokers span at least `rf` distinct hosts) each rack's capacity is its distinct hosts,
 * otherwise its eligible brokers; maxPerRack is the smallest m with Σ_racks min(capacity, m) ≥ rf.
 * Null when fewer eligible brokers than `rf` exist.
 */
export function spreadRule(cluster: Cluster, rf: number, eligible: ReadonlySet<number>): SpreadRule | null {
  const brokers = new Map<string, number>();
  const hosts = new Map<string, Set<string>>();
  const allHosts = new Set<string>();
  for (const b of cluster.brokers) {
    if (!eligible.has(b.id)) continue;
    const r = rackKey(b);
    brokers.set(r, (brokers.get(r) ?? 0) + 1);
    const hs = hosts.get(r) ?? new Set<string>();
    hs.add(hostKey(b));
    hosts.set(r, hs);
    allHosts.add(hostKey(b));
  }
  let total = 0;
  for (const n of brokers.values()) total += n;
  if (total < rf) return null;
  const hostRule = allHosts.size >= rf;
  const capacity = [...brokers.keys()].map((r) => (hostRule ? (hosts.get(r)?.size ?? 0) : (brokers.get(r) ?? 0)));
  let m = 1;
  while (capacity.reduce((s, c) => s + Math.min(c, m), 0) < rf) m++;
  return { maxPerRack: m, hostRule };
}

/** Partitions of `cluster` that break the rack or host rule (recomputed here), as readable lines. */
export function spreadViolations(cluster: Cluster, eligible: ReadonlySet<number>): string[] {
  const byId = new Map(cluster.brokers.map((b) => [b.id, b]));
  const rules = new Map<number, SpreadRule | null>();
  const out: string[] = [];
  for (const t of cluster.topics) {
    for (const p of t.partitions) {
      const rf = p.replicas.length;
      if (!rules.has(rf)) rules.set(rf, spreadRule(cluster, rf, eligible));
      const rule = rules.get(rf);
      if (rule === null || rule === undefined) continue;
      const perRack = new Map<string, number>();
      const hosts = new Set<string>();
      let hostClash = false;
      for (const id of p.replicas) {
        const b = byId.get(id);
        assert.ok(b !== undefined, `unknown broker ${String(id)}`);
        perRack.set(rackKey(b), (perRack.get(rackKey(b)) ?? 0) + 1);
        if (hosts.has(hostKey(b))) hostClash = true;
        hosts.add(hostKey(b));
      }
      const crowded = [...perRack].filter(([, n]) => n > rule.maxPerRack);
      if (crowded.length > 0) {
        out.push(`${t.name}-${String(p.partition)} [${p.replicas.join(",")}] has ${crowded.map(([r, n]) => `${String(n)} in ${r}`).join(", ")} (max ${String(rule.maxPerRack)})`);
      }
      if (rule.hostRule && hostClash) out.push(`${t.name}-${String(p.partition)} [${p.replicas.join(",")}] has two replicas on one host`);
    }
  }
  return out;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Everything a plan must satisfy whatever the options:
 * - each reassignment entry names an existing partition, keeps its replication factor, lists distinct
 *   brokers, adds only alive, non-excluded brokers, and changes the replica list; no partition twice;
 * - the cluster with the reassignment applied equals `after`, and `after` differs from the input only
 *   in the listed partitions;
 * - moves and bytes moved, counted here, equal the plan's;
 * - unless a budget stopped it: no replica left on a dead or excluded broker, and (when rack-spread is
 *   a goal and no topic is excluded) the rack and host rules hold.
 */
export function validPlan(cluster: Cluster, outcome: PlanOutcome, options: PlanOptions = {}): Planned {
  const plan = planned(outcome);
  const original = partitionsByKey(cluster);
  const eligible = eligibleIds(cluster, options);
  const known = new Set(cluster.brokers.map((b) => b.id));
  const listed = new Set<string>();
  for (const e of plan.reassignment.partitions) {
    const where = `${e.topic}-${String(e.partition)}`;
    const k = key(e.topic, e.partition);
    const was = original.get(k);
    assert.ok(was !== undefined, `${where}: the plan names a partition that is not in the cluster`);
    assert.ok(!listed.has(k), `${where}: listed twice`);
    listed.add(k);
    assert.equal(e.replicas.length, was.replicas.length, `${where}: replication factor changed`);
    assert.equal(new Set(e.replicas).size, e.replicas.length, `${where}: repeated broker in [${e.replicas.join(",")}]`);
    assert.equal(e.log_dirs.length, e.replicas.length, `${where}: one log dir per replica`);
    for (const b of e.replicas) {
      assert.ok(known.has(b), `${where}: unknown broker ${String(b)}`);
      if (!was.replicas.includes(b)) assert.ok(eligible.has(b), `${where}: moves a replica onto dead or excluded broker ${String(b)}`);
    }
    assert.ok(!sameList(e.replicas, was.replicas), `${where}: listed but unchanged [${e.replicas.join(",")}]`);
  }

  const applied = applyReassignment(cluster, plan.reassignment);
  assert.deepEqual(plan.after.topics, applied.topics, "after is the cluster with the reassignment applied");
  assert.deepEqual(plan.after.brokers, cluster.brokers, "after keeps the brokers");
  for (const t of plan.after.topics) {
    for (const p of t.partitions) {
      const was = original.get(key(t.name, p.partition));
      assert.ok(was !== undefined);
      if (!listed.has(key(t.name, p.partition))) assert.deepEqual(p.replicas, was.replicas, `${t.name}-${String(p.partition)} changed but is not listed`);
    }
  }

  const counted = countMoves(cluster, plan.after);
  assert.equal(plan.moves, counted.moves, "moves: brokers added per partition");
  assertClose(plan.bytesMoved, counted.bytesMoved, "bytes moved: sizes of the added replicas");
  let leaderChanges = 0;
  for (const t of plan.after.topics) {
    for (const p of t.partitions) if (p.replicas[0] !== original.get(key(t.name, p.partition))?.replicas[0]) leaderChanges++;
  }
  assert.equal(plan.leaderChanges, leaderChanges, "leader changes: partitions whose first replica changed");

  const counts = replicaCounts(plan.after);
  const leaders = leaderCounts(plan.after);
  for (const row of plan.balanceAfter.brokers) {
    assert.equal(row.replicas, counts.get(row.id), `balanceAfter: replicas of broker ${String(row.id)}`);
    assert.equal(row.leaders, leaders.get(row.id), `balanceAfter: leaders of broker ${String(row.id)}`);
    assert.equal(row.eligible, eligible.has(row.id), `balanceAfter: eligibility of broker ${String(row.id)}`);
  }

  if (!plan.budgetLimited) {
    const stranded = [...counts].filter(([id, n]) => n > 0 && !eligible.has(id));
    assert.deepEqual(stranded, [], "replicas left on dead or excluded brokers ([id, count])");
    const goals = options.goals ?? DEFAULT_GOALS;
    if (goals.includes("rack-spread") && (options.excludeTopics ?? []).length === 0) {
      assert.deepEqual(spreadViolations(plan.after, eligible), [], "rack and host rules after the plan");
    }
  }
  return plan;
}

/** Excluded topics' partitions are as they were (order too) unless a replica sat on a dead or excluded broker; then only those replicas moved. */
export function assertExcludedTopicsKept(cluster: Cluster, plan: Planned, options: PlanOptions): void {
  const patterns = (options.excludeTopics ?? []).map((s) => new RegExp(s));
  const eligible = eligibleIds(cluster, options);
  const before = partitionsByKey(cluster);
  for (const t of plan.after.topics) {
    if (!patterns.some((re) => re.test(t.name))) continue;
    for (const q of t.partitions) {
      const was = before.get(key(t.name, q.partition))!;
      const where = `${t.name}-${String(q.partition)} [${was.replicas.join(",")}] -> [${q.replicas.join(",")}]`;
      const stuck = was.replicas.filter((b) => !eligible.has(b));
      if (stuck.length === 0) {
        assert.deepEqual(q.replicas, was.replicas, `${where}: excluded topic moved`);
        continue;
      }
      for (const b of was.replicas) if (eligible.has(b)) assert.ok(q.replicas.includes(b), `${where}: replica on eligible broker ${String(b)} moved`);
      assert.equal(q.replicas.filter((b) => !was.replicas.includes(b)).length, stuck.length, `${where}: more moved than was stuck`);
    }
  }
}

export function assertClose(actual: number, expected: number, message: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${String(actual)} vs ${String(expected)}`);
}

/** The plan again on its own result: nothing to do. */
export function assertIdempotent(replan: PlanOutcome): void {
  const again = planned(replan);
  assert.deepEqual(again.reassignment.partitions, [], "re-planning the result proposes changes");
  assert.equal(again.moves, 0, "re-planning the result moves replicas");
}
