/**
 * Balance configuration (the `--config` YAML file), as plain data. Parsing lives in config-parse.ts.
 */

/** The goals a user can order, in default priority order. Valid placement always comes first. */
export const GOAL_NAMES = ["rack-spread", "replica-count", "disk", "topic-spread", "leader"] as const;
export type GoalName = (typeof GOAL_NAMES)[number];
export const DEFAULT_GOALS: readonly GoalName[] = GOAL_NAMES;

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
}
