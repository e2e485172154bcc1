/**
 * Balance configuration (the `--config` YAML file), as plain data. Parsing lives in config-parse.ts.
 */
import type { CapacitySpec } from "./capacity-file.js";

/** Every goal a user can order (DEFAULT_GOALS gives their default priority). Valid placement always comes first. */
export const GOAL_NAMES = [
  "rack-spread",
  "capacity",
  "replica-count",
  "disk",
  "topic-spread",
  "network-in",
  "network-out",
  "leader-bytes",
  "leader",
] as const;
export type GoalName = (typeof GOAL_NAMES)[number];
/**
 * The default order puts preferred-leader counts before network out and leader bytes: even leader
 * counts are a promise of every plan, and the byte goals work in the freedom it leaves
 * (docs/load-and-capacity.md says what that costs).
 */
export const DEFAULT_GOALS: readonly GoalName[] = [
  "rack-spread",
  "capacity",
  "replica-count",
  "disk",
  "topic-spread",
  "network-in",
  "leader",
  "network-out",
  "leader-bytes",
];

export interface BalanceConfig {
  /** Goal priority order; goals not listed are off. Valid placement is always first and always on. */
  readonly goals?: readonly GoalName[];
  /** Brokers to drain (decommission): they end with no replicas. */
  readonly excludeBrokers?: readonly number[];
  /** Regular expressions (JavaScript syntax, matched against the whole topic name is NOT implied). */
  readonly excludeTopics?: readonly string[];
  /** At most this many replica moves. */
  readonly maxMoves?: number;
  /** At most this many bytes moved. */
  readonly maxBytesMoved?: number;
  /** Disk balance: a broker is balanced when its disk use is within this fraction of the mean (default 0.10). */
  readonly diskBalanceThreshold?: number;
  /** Only these brokers may receive replicas (e.g. brokers just added). */
  readonly toBrokers?: readonly number[];
  /** New replication factors: topic pattern (regular expression over the whole name) to factor, in file order. */
  readonly replicationFactor?: readonly { readonly topics: string; readonly replicationFactor: number }[];
  /** Network-in, network-out and leader-bytes balance: within this fraction of the ideal (default 0.10). */
  readonly networkBalanceThreshold?: number;
  /** Capacity goal: the fraction of each capacity a broker may use (defaults: disk 0.85, network 0.80). */
  readonly capacityThreshold?: CapacityThresholdConfig;
  /** Refuse to plan when the capacity limits cannot be met (default false: plan as far under them as the cluster allows). */
  readonly strictCapacity?: boolean;
  /** Broker capacities, as in a capacity file (`--capacity`), applied to the cluster before planning. */
  readonly capacity?: CapacitySpec;
}

/** Per-resource capacity thresholds, each in (0, 1]. */
export interface CapacityThresholdConfig {
  readonly disk?: number;
  readonly networkIn?: number;
  readonly networkOut?: number;
}

export const CAPACITY_RESOURCES = ["disk", "networkIn", "networkOut"] as const;
