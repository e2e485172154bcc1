/**
 * The balance options, declared once. Each has one name — its key in the config file, its field in
 * the solver's PlanOptions — a kind (which says its type, how the config parser reads it and how
 * its flag's text is parsed), a default, a one-line doc and, when it has one, a flag. The config
 * parser (config-parse.ts), the commander flags and their help (cli/options.ts) and PlanOptions
 * (solver/types.ts) follow from this table: adding an option means adding an entry here and using
 * its value where it matters.
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

/** Per-resource capacity thresholds, each in (0, 1]; absent ones keep their default. */
export interface CapacityThresholdConfig {
  readonly disk?: number;
  readonly networkIn?: number;
  readonly networkOut?: number;
}

export const CAPACITY_RESOURCES = ["disk", "networkIn", "networkOut"] as const;

export interface ReplicationFactorChange {
  /** A topic pattern (topic-pattern.ts: over the whole topic name); a plain name matches that topic. */
  readonly topics: string;
  readonly replicationFactor: number;
}

export interface BrokerReplacement {
  readonly from: number;
  readonly to: number;
}

/** The type of each kind of option value. */
export interface OptionKinds {
  /** Broker ids: a YAML list, or `5,17` on the command line. */
  readonly brokerIds: readonly number[];
  /** Goal names in priority order. */
  readonly goals: readonly GoalName[];
  /** Topic patterns; a flag of this kind may be repeated. */
  readonly topicPatterns: readonly string[];
  /** A whole number of at least 0. */
  readonly count: number;
  /** A size in bytes: a number, or `50GiB`. */
  readonly size: number;
  /** A fraction in (0, 1]. */
  readonly fraction: number;
  /** A fraction in (0, 1] per resource: `{disk: 0.85}`, or `disk=0.85,network-in=0.8`. */
  readonly resourceFractions: CapacityThresholdConfig;
  /** true or false; a flag of this kind takes no value. */
  readonly switch: boolean;
  /** New replication factors: `{pattern: rf}`, or `--replication-factor pattern=rf` repeated. */
  readonly replicationFactors: readonly ReplicationFactorChange[];
  /** `OLD=NEW` broker id pairs. */
  readonly replacements: readonly BrokerReplacement[];
  /** Broker capacities, as in a capacity file. */
  readonly capacity: CapacitySpec;
}
export type OptionKind = keyof OptionKinds;

/** The commands whose flags an option has. */
export type BalanceCommand = "plan" | "describe" | "report";

export interface OptionFlag {
  /** Commander's flag text: `--max-bytes <size>`. */
  readonly flags: string;
  /** The help line, when it says more than the doc line (what the flag does to the config's value). */
  readonly help?: string;
  readonly commands: readonly BalanceCommand[];
}

/**
 * How a flag and the config's value combine: the flag wins (`flag`), both apply (`union` of broker
 * ids), or the flag's resources over the config's (`merge`).
 */
export type Combine = "flag" | "union" | "merge";

export interface OptionSpec<K extends OptionKind = OptionKind> {
  readonly kind: K;
  /** One line: what the option does. */
  readonly doc: string;
  /** The value when neither the config nor a flag gives one (absent: the option is off). */
  readonly default?: OptionKinds[K];
  /** Whether the config file takes it, under the option's name. */
  readonly config: boolean;
  readonly flag?: OptionFlag;
  /** How the flag and the config combine (default "flag"). */
  readonly combine?: Combine;
  /** For a fraction: what it is a fraction of, in the config error's words. */
  readonly range?: string;
}

/** Checks an entry against its kind (its default's type), keeping its literal types. */
const spec = <K extends OptionKind, S extends OptionSpec<K>>(s: S & OptionSpec<K>): S => s;

/** The commands that assess a cluster: plan, describe and report (which takes describe's options). */
const BOTH: readonly BalanceCommand[] = ["plan", "describe", "report"];
const PLAN: readonly BalanceCommand[] = ["plan"];

/** Every balance option, in the order of the config reference and the help. */
export const BALANCE_OPTIONS = {
  goals: spec({
    kind: "goals",
    doc: "goal priority order; goals not listed are off (valid placement is always first and always on)",
    default: DEFAULT_GOALS,
    config: true,
  }),
  excludeBrokers: spec({
    kind: "brokerIds",
    doc: "brokers to drain, e.g. 5,17: they end with no replicas",
    config: true,
    flag: { flags: "--exclude-brokers <ids>", help: "brokers to drain, e.g. 5,17 (added to the config's excludeBrokers)", commands: BOTH },
    combine: "union",
  }),
  excludeTopics: spec({
    kind: "topicPatterns",
    doc: "topics (patterns over the whole name) to leave in place unless they must move",
    config: true,
    flag: { flags: "--exclude-topics <pattern>", help: "topics (a pattern over the whole name) to leave in place unless they must move; repeatable", commands: PLAN },
  }),
  maxMoves: spec({
    kind: "count",
    doc: "at most this many replica moves",
    config: true,
    flag: { flags: "--max-moves <n>", commands: PLAN },
  }),
  maxBytesMoved: spec({
    kind: "size",
    doc: "at most this much data moved, e.g. 50GiB",
    config: true,
    flag: { flags: "--max-bytes <size>", commands: PLAN },
  }),
  diskBalanceThreshold: spec({
    kind: "fraction",
    doc: "disk balance: a broker is balanced when its disk use is within this fraction of the mean",
    default: 0.1,
    config: true,
    range: "a fraction of the mean in (0, 1], e.g. 0.1 for 10%",
  }),
  networkBalanceThreshold: spec({
    kind: "fraction",
    doc: "network-in, network-out and leader-bytes balance: within this fraction of the ideal",
    default: 0.1,
    config: true,
    range: "a fraction of the ideal in (0, 1], e.g. 0.1 for 10%",
  }),
  capacityThreshold: spec({
    kind: "resourceFractions",
    doc: "capacity limits: the fraction of each capacity a broker may use",
    default: { disk: 0.85, networkIn: 0.8, networkOut: 0.8 },
    config: true,
    flag: {
      flags: "--capacity-threshold <resource=fraction,...>",
      help: "capacity limits, e.g. disk=0.85,network-in=0.8,network-out=0.8 (over the config's capacityThreshold)",
      commands: BOTH,
    },
    combine: "merge",
  }),
  strictCapacity: spec({
    kind: "switch",
    doc: "refuse to plan (exit 6) when the capacity limits cannot be met, instead of planning as far under them as the cluster allows",
    default: false,
    config: true,
    flag: { flags: "--strict-capacity", commands: PLAN },
  }),
  toBrokers: spec({
    kind: "brokerIds",
    doc: "only these brokers may receive replicas, e.g. 13,14 (new brokers)",
    config: true,
    flag: { flags: "--to-brokers <ids>", commands: PLAN },
  }),
  replicationFactor: spec({
    kind: "replicationFactors",
    doc: "change topics' replication factors, e.g. orders=3 (topic: a pattern over the whole name)",
    config: true,
    flag: { flags: "--replication-factor <topic=rf>", help: "change topics' replication factors, e.g. orders=3 (topic: a pattern over the whole name); repeatable", commands: PLAN },
  }),
  capacity: spec({
    kind: "capacity",
    doc: "broker capacities, as in a capacity file (--capacity replaces them), applied to the cluster before planning",
    config: true,
  }),
  demoteBrokers: spec({
    kind: "brokerIds",
    doc: "move preferred leadership off these brokers; no data moves (a plan of its own)",
    config: false,
    flag: { flags: "--demote-brokers <ids>", commands: PLAN },
  }),
  replace: spec({
    kind: "replacements",
    doc: "the new, empty broker takes exactly the old one's replicas, e.g. 5=13 (a plan of its own)",
    config: false,
    flag: { flags: "--replace <old=new,...>", commands: PLAN },
  }),
} as const;

export type BalanceOptionName = keyof typeof BALANCE_OPTIONS;

/** The value of each balance option, absent when not given (its default then applies). */
export type BalanceValues = { readonly [N in BalanceOptionName]?: OptionKinds[(typeof BALANCE_OPTIONS)[N]["kind"]] };

/** The options the config file takes. */
export type ConfigOptionName = { [N in BalanceOptionName]: (typeof BALANCE_OPTIONS)[N]["config"] extends true ? N : never }[BalanceOptionName];

/** The balance configuration (the `--config` YAML file), as plain data. */
export type BalanceConfig = Pick<BalanceValues, ConfigOptionName>;

/** The options in declaration order, with their names. */
export function balanceOptions(): ReadonlyArray<readonly [BalanceOptionName, OptionSpec]> {
  return Object.entries(BALANCE_OPTIONS) as Array<[BalanceOptionName, OptionSpec]>;
}

/** The disk balance threshold when none is given. */
export const DEFAULT_DISK_THRESHOLD = BALANCE_OPTIONS.diskBalanceThreshold.default;
/** The network balance threshold when none is given. */
export const DEFAULT_NETWORK_THRESHOLD = BALANCE_OPTIONS.networkBalanceThreshold.default;
/** The capacity thresholds when none are given. */
export const DEFAULT_CAPACITY_THRESHOLDS = BALANCE_OPTIONS.capacityThreshold.default as Required<CapacityThresholdConfig>;
/** The seed `plan` breaks ties with when --seed is not given. */
export const DEFAULT_SEED = 1;
