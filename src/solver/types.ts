/**
 * Public types of the solver: what a caller passes to `plan` and `assess`, and what comes back.
 * Expected outcomes (an infeasible request) are tagged results; exceptions are for bad input and bugs.
 */
import type { BrokerStatus, Cluster, Reassignment } from "../model/types.js";
import type { BalanceValues, CapacityThresholdConfig, GoalName } from "../model/options-spec.js";
import type { Rng } from "../model/random.js";
import type { MipSolver } from "./lp.js";

/**
 * What `plan` and `assess` take: the balance options (options-spec.ts declares each one's name,
 * type, default and doc, shared with the config file and the flags) and the solver's own.
 */
export interface PlanOptions extends Omit<BalanceValues, "capacity"> {
  /**
   * Solve the placement as an integer program after the heuristic: the fewest moves that reach at
   * least the heuristic's balance, proven optimal. Small clusters only (the solver's maxBinaryColumns).
   */
  readonly exact?: boolean;
  /** Record, per changed partition, which goal asked for each action and the figure it improved. */
  readonly explain?: boolean;
  /**
   * The integer-program solver `exact` needs. The CLI passes HiGHS; javascript-lp-solver handles only
   * tiny programs without disk rows (its branch and bound ran for minutes on 5 brokers × 14 partitions).
   */
  readonly exactSolver?: MipSolver;
  /**
   * After the heuristic, search the same integer program as `exact`, stopped at a node limit, on
   * clusters small enough: its proven bound joins the lower bound, and a placement it finds with
   * fewer moves becomes the plan when no goal ends worse. Ignored with `exact`, which solves it fully.
   */
  readonly integerSearch?: IntegerSearchOptions;
  /** Seeded generator; the solver never uses another source of randomness. */
  readonly rng?: Rng;
}

export interface IntegerSearchOptions {
  readonly solver: MipSolver;
  /** Skip the search when the program has more partition-broker pairs (0/1 columns) than this (default 2,000). */
  readonly maxColumns?: number;
  /**
   * Skip the second program, with leadership columns, when it would have more 0/1 columns (two per
   * partition-broker pair) than this (default 1,200; never more than maxColumns).
   */
  readonly maxLeadershipColumns?: number;
  /** Branch-and-bound nodes at most (default 1: the root, with the solver's cuts and heuristics). */
  readonly maxNodes?: number;
}

/** What the integer search did for a plan. */
export interface IntegerSearchResult {
  readonly solver: string;
  /** The program's 0/1 columns (partition-broker pairs). */
  readonly columns: number;
  /**
   * "optimal": solved within the node limit; "stopped": the limit came first; "too-large": more
   * columns than maxColumns, not run; "not-needed": the counting bounds already prove the heuristic's
   * moves the fewest, not run.
   */
  readonly status: "optimal" | "stopped" | "too-large" | "not-needed";
  /** Moves of the heuristic's placement. */
  readonly heuristicMoves: number;
  /** Moves of the best placement the program found, when it found one. */
  readonly foundMoves?: number;
  /**
   * The node limit of a deeper run of the program, when its root left the plan above 1.5 × the bound
   * on a tiny program without proving the optimum (status and foundMoves are then that run's; the
   * bound the better of the two).
   */
  readonly nodes?: number;
  /** True when the plan is a program's placement: fewer moves than the heuristic's, no goal worse. */
  readonly adopted: boolean;
  /**
   * The second program, with leadership columns (leader counts, network out, leader bytes), when it
   * ran: the first one's placement left one of those goals worse or needed moves of the goals' own.
   * `adopted` is true when the plan is its placement. The fields above are the first program's.
   */
  readonly leadership?: {
    /** Its 0/1 columns: two per partition-broker pair. */
    readonly columns: number;
    readonly status: "optimal" | "stopped";
    readonly foundMoves?: number;
    readonly adopted: boolean;
  };
}

export type { BrokerReplacement, ReplicationFactorChange } from "../model/options-spec.js";

/** Per-resource capacity thresholds, each in (0, 1]; absent ones keep their default. */
export type CapacityThresholdOptions = CapacityThresholdConfig;

export interface Band {
  readonly min: number;
  readonly max: number;
}

export interface BrokerBalance {
  readonly id: number;
  /** Rack (the broker id as a string when the cluster has no racks). */
  readonly rack: string;
  readonly host: string;
  readonly status: BrokerStatus;
  readonly excluded: boolean;
  /** True when the broker may hold replicas (alive and not excluded). */
  readonly eligible: boolean;
  readonly replicas: number;
  /** Preferred leaders (first replica in the list). */
  readonly leaders: number;
  /** Bytes on disk. */
  readonly disk: number;
  readonly diskCapacity?: number;
  /** disk / diskCapacity, when the capacity is known. */
  readonly diskUtilization?: number;
  /** Network in (bytesIn of every replica held) and network out (what its led partitions send), bytes/s. */
  readonly networkIn: number;
  readonly networkOut: number;
  /** bytesIn of the partitions it leads. */
  readonly leaderBytes: number;
  /** CPU of the partitions it leads, when the snapshot gives per-partition cpu. */
  readonly cpu?: number;
  readonly networkInCapacity?: number;
  readonly networkInUtilization?: number;
  readonly networkOutCapacity?: number;
  readonly networkOutUtilization?: number;
  /** The replica count this broker should have: the best the racks allow. */
  readonly targetReplicas: Band;
}

export interface RackBalance {
  readonly rack: string;
  readonly brokers: number;
  readonly eligibleBrokers: number;
  readonly replicas: number;
  readonly leaders: number;
  readonly disk: number;
}

/**
 * Brokers whose own heaviest replica (or led partition, for loads only leaders carry) is above the top
 * of their band: that replica alone is a floor no placement gets them below.
 */
export interface FloorFigures {
  /** How many eligible brokers hold such a replica. */
  readonly floorBound: number;
  /** The largest load ÷ that replica's load − 1 over them (0: each carries its heaviest replica alone). */
  readonly overFloor: number;
  /** The largest |load ÷ ideal − 1| over the other eligible brokers. */
  readonly deviationElsewhere: number;
}

/** A load over eligible brokers: bytes/s, or a fraction of capacity when `utilization`. */
export interface LoadSummary extends FloorFigures {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** max |x / ideal − 1| over eligible brokers (ideal: the goal's share), 0 when there is no load. */
  readonly maxDeviationRatio: number;
  readonly utilization: boolean;
}

export interface GoalStatus {
  readonly goal: GoalName | "valid-placement";
  readonly hard: boolean;
  readonly satisfied: boolean;
  /** One line a person can read: what is off, or why it is fine. */
  readonly detail: string;
  /** The goal's own measure of what is off (0 when met, lower is better), for comparing plans. */
  readonly score: number;
}

export interface BalanceSummary {
  readonly brokers: number;
  readonly eligibleBrokers: number;
  readonly racks: number;
  readonly partitions: number;
  readonly replicas: number;
  /** Replica counts over eligible brokers. */
  readonly replicaCount: { readonly min: number; readonly max: number; /** Largest distance of any broker from its target band. */ readonly maxDeviation: number };
  /** Preferred-leader counts over eligible brokers. */
  readonly leaderCount: { readonly min: number; readonly max: number; readonly ideal: number; readonly maxDeviation: number };
  /** Disk use (utilisation when capacities are known, bytes otherwise) over eligible brokers. */
  readonly disk: FloorFigures & { readonly min: number; readonly max: number; readonly mean: number; /** max |x / ideal − 1|, 0 when there is no load */ readonly maxDeviationRatio: number; readonly utilization: boolean };
  /** Network in, network out and leader bytes over eligible brokers (utilisation when capacities are known). */
  readonly networkIn: LoadSummary;
  readonly networkOut: LoadSummary;
  readonly leaderBytes: LoadSummary;
  /** Largest (max - min) replica count of one topic across eligible brokers, and that topic. */
  readonly topicSpread: { readonly max: number; readonly topic: string | null };
  /** Replicas on dead or excluded brokers. */
  readonly misplacedReplicas: number;
  /** Partitions breaking the rack rule, and the host rule. */
  readonly rackViolations: number;
  readonly hostViolations: number;
}

/** One resource's capacity figures for a placement. */
export interface ResourceCapacity {
  readonly resource: "disk" | "networkIn" | "networkOut";
  /** The capacity threshold: a broker may use this fraction of its capacity. */
  readonly threshold: number;
  /**
   * The lowest largest utilisation any placement could reach (a lower bound, independent of the
   * placement): the largest of the eligible brokers' mean, what the rack rule forces into a rack over
   * its capacity, and the heaviest partition on the largest broker it could sit on.
   */
  readonly floor: number;
  /** Which of the three sets the floor. */
  readonly floorCause: "cluster" | "rack" | "partition";
  /** One line: what sets the floor (the rack, or the partition, by name). */
  readonly floorDetail: string;
  /** The largest utilisation of an eligible broker in this placement. */
  readonly maxUtilization: number;
  /** Eligible brokers over threshold × capacity in this placement. */
  readonly brokersOver: number;
}

/** The capacity goal's view of a placement, for the resources every eligible broker has a capacity of. */
export interface CapacityStatus {
  /** False when the limits cannot be met by any placement (capacity-check.ts). */
  readonly feasible: boolean;
  /** Why not, and what would fix it: shortfall, brokers to add, the threshold that would fit. */
  readonly problems: readonly Infeasibility[];
  /** Limited resources only, in the order disk, network in, network out. */
  readonly resources: readonly ResourceCapacity[];
}

/**
 * A resource some eligible brokers have no capacity for, and those brokers. The capacity goal limits
 * a resource only when every eligible broker has a capacity for it.
 */
export interface UnknownCapacity {
  readonly resource: "disk" | "networkIn" | "networkOut";
  readonly brokers: readonly number[];
}

export interface BalanceReport {
  /** With the capacity goal among the goals: limits, floors and how close the placement is. */
  readonly capacity?: CapacityStatus;
  readonly brokers: readonly BrokerBalance[];
  readonly racks: readonly RackBalance[];
  readonly summary: BalanceSummary;
  readonly goals: readonly GoalStatus[];
  /** Per resource without a capacity on every eligible broker, the eligible brokers lacking one. */
  readonly unknownCapacity: readonly UnknownCapacity[];
  /** From `assess`: where the ideal rack rule cannot hold, and the change that would fix it, one line each. */
  readonly notes?: readonly string[];
}

export interface LowerBound {
  /** No plan at least as balanced as this one (every goal's figure, broker and topic) uses fewer moves: the largest of the bounds below. */
  readonly moves: number;
  /** Nor moves fewer bytes. */
  readonly bytesMoved: number;
  /** Per-broker, per-host and per-rack counting (removals and additions each must cover). */
  readonly combinatorial: { readonly moves: number; readonly bytesMoved: number };
  /** The transport relaxation: replicas per topic and broker, linked by the broker bands. */
  readonly relaxation: RelaxationBound;
  /**
   * The integer program's bound (with `exact` or `integerSearch`): no placement reaching the
   * heuristic's balance makes fewer moves; `proven` when it is the program's optimum.
   */
  readonly integer?: { readonly moves: number; readonly proven: boolean };
}

export interface RelaxationBound {
  readonly moves: number;
  readonly bytesMoved: number;
  /** "lp": solved by simplex (javascript-lp-solver); "dual": Lagrangian dual of the same program. */
  readonly method: "lp" | "dual";
  /** True when `moves` is the relaxation's optimum, not just a bound on it. */
  readonly exact: boolean;
  /** Dual iterations spent (0 for the simplex). */
  readonly iterations: number;
}

/** A move of one replica or a leadership change, for explanations and tests. */
export interface PlannedChange {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** One action behind a changed partition (`explain`). */
export interface ExplainedAction {
  readonly kind: "move" | "swap" | "lead" | "trade";
  /** The goal that asked for it; "take-back" returns a replica no goal needed elsewhere. */
  readonly goal: GoalName | "valid-placement" | "take-back";
  /** Broker ids the action touched. */
  readonly brokers: readonly number[];
  /** The goal's figure over those brokers before and after (lower is better; 0 is in band). */
  readonly before: number;
  readonly after: number;
}

export interface Explanation {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly actions: readonly ExplainedAction[];
}

export interface Infeasibility {
  /** The rule that cannot be met. */
  readonly rule: "replication-factor" | "rack-spread" | "excluded-topic" | "budget" | "capacity";
  readonly message: string;
  /** Where in the input, e.g. `topics[orders].partitions[3]`. */
  readonly path?: string;
}

export type PlanOutcome =
  | {
      readonly status: "planned";
      /** Only partitions whose replica list changes. */
      readonly reassignment: Reassignment;
      /** The cluster as it will be once the reassignment is applied. */
      readonly after: Cluster;
      /** Replica moves: brokers added to a partition's replica set. */
      readonly moves: number;
      readonly bytesMoved: number;
      /** Partitions whose preferred leader changes. */
      readonly leaderChanges: number;
      readonly lowerBound: LowerBound;
      readonly balanceBefore: BalanceReport;
      readonly balanceAfter: BalanceReport;
      /** True when a movement budget stopped the plan short of the goals. */
      readonly budgetLimited: boolean;
      /** Things the plan could not do as asked, one line each (e.g. a partition held only by demoted brokers). */
      readonly notes: readonly string[];
      /** With `explain`: per changed partition, the actions behind it. */
      readonly explanations?: readonly Explanation[];
      /** With `integerSearch`: what the search found and whether the plan is its placement. */
      readonly integerSearch?: IntegerSearchResult;
      /** With `exact`: the heuristic's moves, and the proven fewest (this plan's `moves`). */
      readonly exact?: { readonly heuristicMoves: number; readonly optimalMoves: number };
    }
  | { readonly status: "infeasible"; readonly problems: readonly Infeasibility[] };
