/**
 * The plan pipeline's first stage: the options checked and turned into the working state, the bands
 * (Targets) and the goals in priority order; and what the prepared cluster makes impossible before
 * any move (replication factors above the eligible brokers, strict capacity limits).
 */
import { BallastError } from "../model/errors.js";
import { DEFAULT_DISK_THRESHOLD } from "../model/options-spec.js";
import { DEFAULT_GOALS, type GoalName } from "../model/config.js";
import { quote } from "../model/text.js";
import { PatternProblem, excludedTopics, topicPattern } from "../model/topic-pattern.js";
import type { Cluster } from "../model/types.js";
import type { BoundGoals } from "./bounds.js";
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
import { rackFindings } from "./rack-check.js";
import { type CapacityThresholds, DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_NETWORK_THRESHOLD } from "./load-targets.js";
import { PlacementState, type StateOptions } from "./state.js";
import { Targets } from "./targets.js";
import type { Infeasibility, PlanOptions } from "./types.js";

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

export { DEFAULT_DISK_THRESHOLD };

/** A cluster ready to plan: the working state, its bands and the goals (valid placement first). */
export interface Prepared {
  readonly stateOptions: StateOptions;
  readonly state: PlacementState;
  readonly targets: Targets;
  readonly goals: readonly Goal[];
}

export function prepare(cluster: Cluster, options: PlanOptions): Prepared {
  const names = options.goals ?? DEFAULT_GOALS;
  const seen = new Set<string>();
  for (const n of names) {
    if (!Object.hasOwn(GOALS, n)) throw new BallastError("CONFIG", `unknown goal '${n}'; goals are ${Object.keys(GOALS).join(", ")}`);
    if (seen.has(n)) throw new BallastError("CONFIG", `goal '${n}' is listed twice`);
    seen.add(n);
  }
  const ids = new Set(cluster.brokers.map((b) => b.id));
  for (const id of options.excludeBrokers ?? []) {
    if (!ids.has(id)) throw new BallastError("USAGE", `excluded broker ${String(id)} is not in the cluster`);
  }
  // The model's matcher runs in time linear in the name (a JavaScript RegExp can backtrack for minutes).
  (options.excludeTopics ?? []).forEach((src, i) => {
    const pattern = topicPattern(src);
    if (pattern instanceof PatternProblem) throw new BallastError("CONFIG", `excluded topic pattern ${quote(src)}: ${pattern.message}`, { path: `excludeTopics[${String(i)}]` });
  });
  const frozen = new Set(excludedTopics(options.excludeTopics ?? [], cluster.topics.map((t) => t.name)).names);
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
    isFrozenTopic: (t) => frozen.has(t),
  };
  const state = new PlacementState(cluster, stateOptions);
  const receivers = options.toBrokers === undefined ? undefined : new Set(options.toBrokers.map((id) => state.brokerIndexOf(id) ?? -1));
  const targets = new Targets(state, {
    rackSpread: names.includes("rack-spread"),
    diskThreshold: threshold,
    ...(receivers === undefined ? {} : { receivers }),
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

/** Where the ideal rack rule cannot hold (rack-check.ts), one line each; none without the rack-spread goal. */
export function rackNotes(p: Prepared): string[] {
  if (!p.goals.some((g) => g.id === "rack-spread")) return [];
  return rackFindings(p.state, p.targets).map((f) => f.message);
}

export function infeasibilities(p: Prepared & { readonly strictCapacity: boolean }): Infeasibility[] {
  const { state, targets } = p;
  const problems: Infeasibility[] = [];
  const byTopic = new Map<string, { rf: number; count: number; first: number }>();
  for (let i = 0; i < state.partitionCount; i++) {
    if (targets.rule(state.rfOf(i)) !== null) continue;
    const topic = state.topicNameOf(state.topicIndexOf(i));
    const e = byTopic.get(topic);
    if (e) {
      e.count++;
      e.rf = Math.max(e.rf, state.rfOf(i));
    } else byTopic.set(topic, { rf: state.rfOf(i), count: 1, first: state.partitionNumber[i]! });
  }
  for (const [topic, e] of byTopic) {
    const short = e.rf - state.eligibleCount;
    const back: number[] = [];
    for (let b = 0; b < state.brokerCount && back.length < short; b++) if (state.excluded[b] && !state.dead[b]) back.push(state.idOf(b));
    const fixes = [`add ${String(short)} broker(s)`];
    if (back.length === short) fixes.push(`stop excluding broker(s) ${back.join(", ")}`);
    if (state.eligibleCount > 0) fixes.push(`lower its replication factor to ${String(state.eligibleCount)}`);
    problems.push({
      rule: "replication-factor",
      message:
        `topic '${topic}' has ${String(e.count)} partition(s) with replication factor ${String(e.rf)} but only ` +
        `${String(state.eligibleCount)} broker(s) are alive and not excluded; ${fixes.length === 1 ? fixes[0]! : `${fixes.slice(0, -1).join(", ")}, or ${fixes[fixes.length - 1]!}`}`,
      path: `topics[${topic}].partitions[${String(e.first)}]`,
    });
  }
  // Capacity limits that cannot be met are planned as far under as the cluster allows, unless asked not to.
  if (p.strictCapacity && p.goals.some((g) => g.id === "capacity")) problems.push(...capacityInfeasibilities(state, targets));
  return problems;
}

/** Which of the goals the lower bound counts are on. */
export function boundGoalsOf(goals: readonly Goal[]): BoundGoals {
  const enabled = (id: GoalName): boolean => goals.some((g) => g.id === id);
  return { rackSpread: enabled("rack-spread"), replicaCount: enabled("replica-count"), topicSpread: enabled("topic-spread"), disk: enabled("disk"), networkIn: enabled("network-in"),
    leader: enabled("leader"), networkOut: enabled("network-out"), leaderBytes: enabled("leader-bytes") };
}
