/**
 * The solver's entry points: `plan` (a reassignment that reaches the goals with few moves) and
 * `assess` (the balance report of a cluster as it is). Pure: no I/O, no clock, randomness only from
 * the injected generator.
 */
import { BallastError } from "../model/errors.js";
import { DEFAULT_GOALS, type GoalName } from "../model/config.js";
import { createRng } from "../model/random.js";
import type { Cluster, Reassignment, ReassignmentEntry, ReassignmentOrigin } from "../model/types.js";
import { lowerBound } from "./bounds.js";
import type { Goal } from "./goal.js";
import { capacityGoal } from "./goals/capacity.js";
import { diskGoal } from "./goals/disk.js";
import { leaderBytesGoal } from "./goals/leader-bytes.js";
import { networkInGoal } from "./goals/network-in.js";
import { networkOutGoal } from "./goals/network-out.js";
import { leaderGoal } from "./goals/leader.js";
import { rackSpreadGoal } from "./goals/rack-spread.js";
import { replicaCountGoal } from "./goals/replica-count.js";
import { topicSpreadGoal } from "./goals/topic-spread.js";
import { validPlacementGoal } from "./goals/valid-placement.js";
import { capacityInfeasibilities } from "./capacity-check.js";
import { type CapacityThresholds, DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_NETWORK_THRESHOLD } from "./load-targets.js";
import { optimize } from "./optimizer.js";
import { balanceReport } from "./report.js";
import { PlacementState, type StateOptions } from "./state.js";
import { Targets } from "./targets.js";
import type { BalanceReport, Infeasibility, PlanOptions, PlanOutcome } from "./types.js";

export type * from "./types.js";

const GOALS: Readonly<Record<GoalName, Goal>> = {
  "rack-spread": rackSpreadGoal,
  "replica-count": replicaCountGoal,
  disk: diskGoal,
  "topic-spread": topicSpreadGoal,
  leader: leaderGoal,
  capacity: capacityGoal,
  "network-in": networkInGoal,
  "network-out": networkOutGoal,
  "leader-bytes": leaderBytesGoal,
};

export const DEFAULT_DISK_THRESHOLD = 0.1;

interface Prepared {
  readonly stateOptions: StateOptions;
  readonly state: PlacementState;
  readonly targets: Targets;
  readonly goals: readonly Goal[];
}

function prepare(cluster: Cluster, options: PlanOptions): Prepared {
  const names = options.goals ?? DEFAULT_GOALS;
  const seen = new Set<string>();
  for (const n of names) {
    if (!(n in GOALS)) throw new BallastError("CONFIG", `unknown goal '${n}'; goals are ${Object.keys(GOALS).join(", ")}`);
    if (seen.has(n)) throw new BallastError("CONFIG", `goal '${n}' is listed twice`);
    seen.add(n);
  }
  const ids = new Set(cluster.brokers.map((b) => b.id));
  for (const id of options.excludeBrokers ?? []) {
    if (!ids.has(id)) throw new BallastError("USAGE", `excluded broker ${String(id)} is not in the cluster`);
  }
  const patterns = (options.excludeTopics ?? []).map((src) => {
    try {
      return new RegExp(src);
    } catch (e) {
      throw new BallastError("CONFIG", `excluded topic pattern '${src}' is not a valid regular expression: ${(e as Error).message}`);
    }
  });
  const threshold = options.diskBalanceThreshold ?? DEFAULT_DISK_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new BallastError("CONFIG", `disk balance threshold must be in (0, 1], got ${String(threshold)}`);
  }
  const networkThreshold = options.networkBalanceThreshold ?? DEFAULT_NETWORK_THRESHOLD;
  if (!(networkThreshold > 0 && networkThreshold <= 1)) {
    throw new BallastError("CONFIG", `network balance threshold must be in (0, 1], got ${String(networkThreshold)}`);
  }
  const capacityThresholds = capacityThresholdsOf(options);
  const stateOptions: StateOptions = {
    excludeBrokers: new Set(options.excludeBrokers ?? []),
    isFrozenTopic: (t) => patterns.some((re) => re.test(t)),
  };
  const state = new PlacementState(cluster, stateOptions);
  const targets = new Targets(state, {
    rackSpread: names.includes("rack-spread"),
    diskThreshold: threshold,
    networkThreshold,
    capacityThresholds,
  });
  return { stateOptions, state, targets, goals: [validPlacementGoal, ...names.map((n) => GOALS[n])] };
}

/** The capacity thresholds in effect: the defaults with the given ones over them, each checked. */
export function capacityThresholdsOf(options: PlanOptions): CapacityThresholds {
  const t = { ...DEFAULT_CAPACITY_THRESHOLDS, ...options.capacityThreshold };
  for (const [key, value] of Object.entries(t)) {
    if (!(value > 0 && value <= 1)) throw new BallastError("CONFIG", `capacity threshold ${key} must be in (0, 1], got ${String(value)}`);
  }
  return t;
}

/** The balance report of the cluster as it is, against the configured goals. */
export function assess(cluster: Cluster, options: PlanOptions = {}): BalanceReport {
  const { state, targets, goals } = prepare(cluster, options);
  return balanceReport(state, targets, goals);
}

function infeasibilities(p: Prepared): Infeasibility[] {
  const { state, targets } = p;
  const problems: Infeasibility[] = [];
  const byTopic = new Map<string, { rf: number; count: number; first: number }>();
  for (let i = 0; i < state.partitionCount; i++) {
    if (targets.rule(state.rf[i]!) !== null) continue;
    const topic = state.topicNames[state.topicOf[i]!]!;
    const e = byTopic.get(topic);
    if (e) {
      e.count++;
      e.rf = Math.max(e.rf, state.rf[i]!);
    } else byTopic.set(topic, { rf: state.rf[i]!, count: 1, first: state.partitionNumber[i]! });
  }
  for (const [topic, e] of byTopic) {
    problems.push({
      rule: "replication-factor",
      message:
        `topic '${topic}' has ${String(e.count)} partition(s) with replication factor ${String(e.rf)} but only ` +
        `${String(state.eligibleCount)} broker(s) are alive and not excluded; add brokers, exclude fewer, or lower the replication factor`,
      path: `topics[${topic}].partitions[${String(e.first)}]`,
    });
  }
  if (p.goals.some((g) => g.id === "capacity")) problems.push(...capacityInfeasibilities(state, targets));
  return problems;
}

/** Plans a reassignment that reaches the goals in priority order with as few moves as it can. */
export function plan(cluster: Cluster, options: PlanOptions = {}): PlanOutcome {
  const prepared = prepare(cluster, options);
  const problems = infeasibilities(prepared);
  if (problems.length > 0) return { status: "infeasible", problems };
  const { state, targets, goals } = prepared;
  const balanceBefore = balanceReport(state, targets, goals);
  const initial = new PlacementState(cluster, prepared.stateOptions);
  const result = optimize(
    state,
    targets,
    goals,
    { maxMoves: options.maxMoves ?? Infinity, maxBytesMoved: options.maxBytesMoved ?? Infinity },
    options.rng ?? createRng(1),
  );
  const balanceAfter = balanceReport(state, targets, goals);
  const enabled = (id: GoalName): boolean => goals.some((g) => g.id === id);
  const bound = lowerBound(initial, state, targets, {
    rackSpread: enabled("rack-spread"),
    replicaCount: enabled("replica-count"),
    topicSpread: enabled("topic-spread"),
    disk: enabled("disk"),
  });
  return {
    status: "planned",
    reassignment: reassignmentOf(state),
    after: state.toCluster(cluster),
    moves: state.moves,
    bytesMoved: state.bytesMoved,
    leaderChanges: leaderChanges(state),
    lowerBound: bound,
    balanceBefore,
    balanceAfter,
    budgetLimited: result.budgetLimited,
  };
}

function reassignmentOf(state: PlacementState): Reassignment {
  const partitions: ReassignmentEntry[] = [];
  const madeFrom: ReassignmentOrigin[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offset[p]!;
    let changed = false;
    for (let s = 0; s < state.rf[p]!; s++) if (state.replicas[o + s] !== state.original[o + s]) changed = true;
    if (!changed) continue;
    const replicas = state.replicaIds(p);
    const topic = state.topicNames[state.topicOf[p]!]!;
    const partition = state.partitionNumber[p]!;
    partitions.push({ topic, partition, replicas, log_dirs: replicas.map(() => "any") });
    madeFrom.push({ topic, partition, replicas: state.originalIds(p) });
  }
  return { version: 1, partitions, madeFrom };
}

function leaderChanges(state: PlacementState): number {
  let n = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offset[p]!;
    if (state.replicas[o] !== state.original[o]) n++;
  }
  return n;
}
