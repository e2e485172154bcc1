/**
 * Option values: every flag's text is checked here and turned into a typed value, or a USAGE error
 * that names the flag. Commander calls these through `valueOption`.
 */
import { type Command, Option } from "commander";
import { type CapacitySpec, applyCapacities, capacityOverrides } from "../model/capacity-file.js";
import {
  BALANCE_OPTIONS,
  type BalanceCommand,
  type BalanceConfig,
  type BalanceOptionName,
  type CapacityThresholdConfig,
  type Combine,
  GOAL_NAMES,
  type OptionFlag,
  type OptionKind,
  type OptionKinds,
  type OptionSpec,
  balanceOptions,
} from "../model/options-spec.js";
import { BallastError, type ErrorPlace, isBallastError } from "../model/errors.js";
import { parseConfig } from "../model/config-parse.js";
import { loadYaml } from "../model/parse.js";
import type { InputPath } from "../model/validate.js";
import { LIMITS } from "../model/limits.js";
import { hasControl, quote } from "../model/text.js";
import { PatternProblem, exactNamesPatterns, excludedTopics, splitPatternList, topicPattern } from "../model/topic-pattern.js";
import { createRng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import { listIds } from "../model/validate.js";
import { DEFAULT_DISK_THRESHOLD } from "../model/options-spec.js";
import { parseBytes } from "../model/units.js";
import type { BrokerReplacement, PlanOptions, ReplicationFactorChange } from "../solver/types.js";
import { loadCapacityFile, loadCluster, readTextFile, usageError } from "./io.js";
import { type KafkaFlags, addKafkaOptions, checkedSnapshot, withPort } from "./kafka.js";

/** Turns a flag's text into a value, or throws a USAGE error naming `flag`. */
export type ValueParser<T> = (raw: string, flag: string) => T;

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** An option whose value goes through `parse`; the flag's long name appears in its errors. */
export function valueOption<T>(flags: string, description: string, parse: ValueParser<T>): Option {
  const option = new Option(flags, description);
  const flag = option.long ?? option.short ?? flags;
  return option.argParser((raw: string) => parse(raw, flag));
}

/** A whole number from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  return (raw, flag) => {
    const text = raw.trim();
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw usageError(flag, `expected a whole number, got '${raw}'`);
    if (n < min) throw usageError(flag, `must be at least ${min}, got ${n}`);
    if (n > max) throw usageError(flag, `must be at most ${max}, got ${n}`);
    return n;
  };
}

/** Seeds are 32-bit, as the generator takes them. */
export const seedValue = integer(0, 2 ** 32 - 1);

/** A comma-separated list of whole numbers of at least `min`, e.g. `5,17`. */
export function integerList(min: number): ValueParser<number[]> {
  const one = integer(min);
  return (raw, flag) => {
    const items = splitList(raw);
    if (items.length === 0) throw usageError(flag, "expected a comma-separated list of whole numbers, got nothing");
    return items.map((item) => one(item, flag));
  };
}

/** A number of at least 0, e.g. `0.6`. */
export function nonNegativeNumber(raw: string, flag: string): number {
  const text = raw.trim();
  const n = /^\+?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw usageError(flag, `expected a number of at least 0, got '${raw}'`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `3d`, `500ms` or plain seconds, as milliseconds. */
export function duration(raw: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (m === null) throw usageError(flag, `expected a duration such as 30s, 10m, 2h or 3d, got '${raw}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const ms = n * (DURATION_UNITS[unit] ?? 1000);
  if (!(ms > 0)) throw usageError(flag, `must be more than 0, got '${raw}'`);
  return ms;
}

/** A comma-separated list of positive numbers, e.g. `1,1,2`. */
export function positiveNumberList(raw: string, flag: string): number[] {
  const items = splitList(raw);
  if (items.length === 0) throw usageError(flag, "expected a comma-separated list of numbers, got nothing");
  return items.map((item) => {
    const n = /^\+?(\d+\.?\d*|\.\d+)$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) throw usageError(flag, `expected a positive number, got '${item}'`);
    return n;
  });
}

/** `N` or `MIN-MAX`, whole numbers of at least `min`. */
export function integerRange(min: number): ValueParser<IntRange> {
  const one = integer(min);
  return (raw, flag) => {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
    if (match === null) throw usageError(flag, `expected N or MIN-MAX, got '${raw}'`);
    const low = one(match[1] ?? "", flag);
    const high = match[2] === undefined ? low : one(match[2], flag);
    if (high < low) throw usageError(flag, `the range ${low}-${high} is empty`);
    return { min: low, max: high };
  };
}

/**
 * A repeatable flag's values: every item, and the values that held several items separated by
 * commas (the older spelling, kept with a warning).
 */
export interface ListFlag<T> {
  readonly items: readonly T[];
  readonly commaLists: readonly string[];
}

/** An option that may be given several times, each value split at top-level commas into items. */
export function listOption<T>(flags: string, description: string, parse: (item: string, flag: string) => T): Option {
  const option = new Option(flags, description);
  const flag = option.long ?? flags;
  return option.argParser((raw: string, previous: ListFlag<T> | undefined): ListFlag<T> => {
    const parts = splitPatternList(raw);
    if (parts.length === 0) throw usageError(flag, "expected a value, got nothing");
    return {
      items: [...(previous?.items ?? []), ...parts.map((part) => parse(part, flag))],
      commaLists: [...(previous?.commaLists ?? []), ...(parts.length > 1 ? [raw] : [])],
    };
  });
}

/** The warning for values of a repeatable flag given as a comma-separated list. */
export function commaListWarning(flag: string, list: ListFlag<unknown> | undefined): string | undefined {
  const first = list?.commaLists[0];
  if (first === undefined) return undefined;
  return `warning: ${flag}: ${quote(first)} was split at its commas (outside (), [] and {}); repeat ${flag} once per pattern instead, as the comma form may go`;
}

/** A topic pattern (topic-pattern.ts: over the whole name): it must compile and run in linear time. */
export function topicPatternValue(raw: string, flag: string): string {
  const compiled = topicPattern(raw);
  if (compiled instanceof PatternProblem) throw usageError(flag, `${quote(raw)}: ${compiled.message}`);
  return raw;
}

/** Text that ends up in a snapshot and on terminals: not empty, no control characters, at most 249 characters. */
export function plainText(raw: string, flag: string): string {
  if (raw === "" || raw.length > 249 || hasControl(raw)) throw usageError(flag, `expected 1 to 249 characters without control characters, got ${quote(raw)}`);
  return raw;
}

/** One of a fixed set of words. */
export function choice<T extends string>(values: readonly T[]): ValueParser<T> {
  return (raw, flag) => {
    const found = values.find((v) => v === raw.trim());
    if (found === undefined) throw usageError(flag, `expected one of ${values.join(", ")}, got '${raw}'`);
    return found;
  };
}

/**
 * Wraps a model parser (units such as `50GiB`) so that its error becomes a USAGE error naming the
 * flag instead of a path in a file.
 */
export function fromModel<T>(parse: (raw: string, path: string) => T): ValueParser<T> {
  return (raw, flag) => {
    try {
      return parse(raw, flag);
    } catch (err) {
      if (isBallastError(err)) throw usageError(flag, err.message);
      throw err;
    }
  };
}

/** `OLD=NEW` broker id pairs, comma-separated: `5=13,6=14`. */
export function replacementList(raw: string, flag: string): BrokerReplacement[] {
  const items = splitList(raw);
  if (items.length === 0) throw usageError(flag, "expected OLD=NEW broker id pairs, e.g. 5=13, got nothing");
  const id = integer(0);
  return items.map((item) => {
    const match = /^([^=]+)=([^=]+)$/.exec(item);
    if (match === null) throw usageError(flag, `expected OLD=NEW broker ids, e.g. 5=13, got '${item}'`);
    return { from: id(match[1]!, flag), to: id(match[2]!, flag) };
  });
}

/** `TOPIC=RF`; TOPIC is a topic pattern over the whole topic name. */
export function replicationFactorItem(item: string, flag: string): ReplicationFactorChange {
  const at = item.lastIndexOf("=");
  if (at <= 0) throw usageError(flag, `expected TOPIC=RF, e.g. orders=3, got ${quote(item)}`);
  const topics = topicPatternValue(item.slice(0, at).trim(), flag);
  return { topics, replicationFactor: integer(1, LIMITS.brokers)(item.slice(at + 1), flag) };
}

const CAPACITY_FLAG_KEYS = { disk: "disk", "network-in": "networkIn", "network-out": "networkOut" } as const;

/** A fraction per resource, keyed as the model keys them. */
type ResourceFractions = { -readonly [K in keyof CapacityThresholdConfig]: number };

/** `disk=0.85,network-in=0.8`: capacity thresholds per resource, each a fraction in (0, 1]. */
export function capacityThresholdList(raw: string, flag: string): CapacityThresholdConfig {
  return resourceFractionList(raw, flag, { example: "disk=0.85,network-in=0.8", accepts: (n) => n <= 1, range: "in (0, 1], e.g. 0.8" });
}

/** `network-in=0.87,disk=0.7`: mean utilisation per resource, each a fraction of capacity above 0. */
export function utilisationList(raw: string, flag: string): CapacityThresholdConfig {
  return resourceFractionList(raw, flag, { example: "network-in=0.87,disk=0.7", accepts: () => true, range: "above 0, e.g. 0.87" });
}

interface FractionRule {
  readonly example: string;
  /** Whether a positive fraction is in range. */
  readonly accepts: (n: number) => boolean;
  readonly range: string;
}

function resourceFractionList(raw: string, flag: string, rule: FractionRule): ResourceFractions {
  const items = splitList(raw);
  if (items.length === 0) throw usageError(flag, `expected resource=fraction pairs, e.g. ${rule.example}`);
  const out: ResourceFractions = {};
  for (const item of items) {
    const match = /^([a-z-]+)\s*=\s*(\S+)$/.exec(item);
    const key = match === null ? undefined : Object.entries(CAPACITY_FLAG_KEYS).find(([name]) => name === match[1])?.[1];
    if (match === null || key === undefined) {
      throw usageError(flag, `expected resource=fraction with resource one of ${Object.keys(CAPACITY_FLAG_KEYS).join(", ")}; got '${item}'`);
    }
    const n = /^\+?(\d+\.?\d*|\.\d+)$/.test(match[2] ?? "") ? Number(match[2]) : Number.NaN;
    if (!(n > 0 && rule.accepts(n))) throw usageError(flag, `${match[1] ?? ""} must be a fraction of capacity ${rule.range}; got '${match[2] ?? ""}'`);
    if (out[key] !== undefined) throw usageError(flag, `${match[1] ?? ""} is given twice`);
    out[key] = n;
  }
  return out;
}

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

// ---- the balance inputs shared by plan and describe ----------------------------------------

/** How a flag's text becomes each kind of value (options-spec.ts); "switch" flags take none. */
const FLAG_PARSERS: { readonly [K in OptionKind]: ValueParser<OptionKinds[K]> | "switch" | undefined } = {
  goals: (raw, flag) => splitList(raw).map((goal) => choice(GOAL_NAMES)(goal, flag)),
  brokerIds: integerList(0),
  topicPatterns: (raw, flag) => [topicPatternValue(raw, flag)],
  count: integer(0),
  size: fromModel(parseBytes),
  fraction: (raw, flag) => {
    const n = nonNegativeNumber(raw, flag);
    if (!(n > 0 && n <= 1)) throw usageError(flag, `expected a fraction in (0, 1], got '${raw}'`);
    return n;
  },
  resourceFractions: capacityThresholdList,
  switch: "switch",
  replicationFactors: (raw, flag) => [replicationFactorItem(raw, flag)],
  replacements: replacementList,
  capacity: undefined,
};

/** Kinds whose flag may be given several times, each value one item (split at top-level commas). */
const REPEATABLE: ReadonlySet<OptionKind> = new Set(["topicPatterns", "replicationFactors"]);

/** The commander option of a spec'd flag. */
function specOption(name: BalanceOptionName, spec: OptionSpec, flag: OptionFlag): Option {
  const help = flag.help ?? spec.doc;
  const parse = FLAG_PARSERS[spec.kind] as ValueParser<unknown> | "switch" | undefined;
  if (parse === undefined) throw new Error(`option ${name}: a ${spec.kind} value has no flag form`);
  if (parse === "switch") return new Option(flag.flags, help);
  if (REPEATABLE.has(spec.kind)) return listOption(flag.flags, help, (item, f) => (parse(item, f) as unknown[])[0]);
  return valueOption(flag.flags, help, parse);
}

/** The spec'd options that have a flag on `command`, with the flag's long name and commander's key for it. */
function flaggedOptions(command: BalanceCommand): ReadonlyArray<{ name: BalanceOptionName; spec: OptionSpec; flag: OptionFlag; long: string; key: string }> {
  return balanceOptions().flatMap(([name, spec]) => {
    const flag = spec.flag;
    if (flag === undefined || !flag.commands.includes(command)) return [];
    const option = new Option(flag.flags);
    return [{ name, spec, flag, long: option.long ?? flag.flags, key: option.attributeName() }];
  });
}

/** Flags that shape a balance (commander's camel-cased option values), the spec'd ones by their flag's key. */
export interface BalanceFlags extends KafkaFlags {
  /** A snapshot file; or, with --bootstrap-server, the live cluster. */
  readonly cluster?: string;
  readonly config?: string;
  /** A capacity file, applied over the snapshot's capacities. */
  readonly capacity?: string;
  readonly seed?: number;
  readonly exact?: boolean;
  readonly explain?: boolean;
  readonly [flagKey: string]: unknown;
}

/** The values of the spec'd flags given on the command line, by option name. */
type FlagValues = Map<BalanceOptionName, unknown>;

function flagValues(flags: BalanceFlags, command: BalanceCommand): { values: FlagValues; flagOf: ReadonlyMap<BalanceOptionName, string> } {
  const values: FlagValues = new Map();
  const flagOf = new Map<BalanceOptionName, string>();
  for (const { name, long, key } of flaggedOptions(command)) {
    flagOf.set(name, long);
    const raw = Object.hasOwn(flags, key) ? flags[key] : undefined;
    if (raw !== undefined) values.set(name, isListFlag(raw) ? raw.items : raw);
  }
  return { values, flagOf };
}

function isListFlag(value: unknown): value is ListFlag<unknown> {
  return typeof value === "object" && value !== null && "commaLists" in value && "items" in value;
}

/** The warnings for repeatable flags given as comma-separated lists. */
export function commaListWarnings(flags: BalanceFlags, command: BalanceCommand): string[] {
  return flaggedOptions(command).flatMap(({ long, key }) => {
    const value = Object.hasOwn(flags, key) ? flags[key] : undefined;
    const warning = isListFlag(value) ? commaListWarning(long, value) : undefined;
    return warning === undefined ? [] : [warning];
  });
}

export interface BalanceInputs {
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  /** What the inputs changed that the user may not expect (capacities a capacity file replaced). */
  readonly notes: readonly string[];
  /** Warnings about inputs written for an earlier rule (topic patterns matching part of a name). */
  readonly warnings: readonly string[];
  /** Runs the planner, turning its errors about an option into errors that name the flag or config key the user typed. */
  readonly placed: <T>(run: () => T) => T;
}

/** The `--capacity <file>` option of snapshot, plan and describe. */
export const CAPACITY_OPTION_HELP = "broker capacities (YAML): a default, per rack, per broker id; over the snapshot's";

/**
 * --cluster, --capacity and --config, which every balance command takes, and the flags of the
 * balance options (options-spec.ts) that `command` has.
 */
export function addBalanceOptions(command: Command, which: BalanceCommand): Command {
  addKafkaOptions(command.option("--cluster <snapshot>", "cluster snapshot (.yaml, .yml or .json); or --bootstrap-server for the live cluster"))
    .option("--capacity <file>", `${CAPACITY_OPTION_HELP} (replaces the config's capacity)`)
    .option("--config <file>", "balance config (YAML): goals, excludeBrokers, excludeTopics, budgets");
  for (const { name, spec, flag } of flaggedOptions(which)) command.addOption(specOption(name, spec, flag));
  return command;
}

/**
 * Reads the snapshot, the config and the capacities (--capacity, else the config's `capacity`), merges
 * the config with the flags and applies the capacities to the cluster. Files are read before the
 * live cluster, so that a bad file fails without a connection.
 */
export async function loadBalanceInputs(flags: BalanceFlags, command: BalanceCommand): Promise<BalanceInputs> {
  if (flags.cluster !== undefined && flags.bootstrapServer !== undefined) {
    throw usageError("--cluster", `give --cluster <snapshot> or --bootstrap-server <brokers>, not both`);
  }
  if (flags.cluster === undefined && flags.bootstrapServer === undefined) {
    throw usageError("--cluster", `'ballast ${command}' needs either --cluster <snapshot> or --bootstrap-server <brokers>`);
  }
  if (flags.cluster !== undefined && flags.commandConfig !== undefined) {
    throw usageError("--command-config", "only goes with --bootstrap-server (a snapshot file needs no connection)");
  }
  const configText = flags.config === undefined ? undefined : readTextFile(flags.config, "config file");
  const config = flags.config === undefined || configText === undefined ? {} : parseConfig(configText, flags.config);
  const capacity = flags.capacity === undefined ? config.capacity : loadCapacityFile(flags.capacity);
  const cluster = flags.cluster !== undefined ? loadCluster(flags.cluster) : await withPort(flags, command, (port) => checkedSnapshot(port));
  const locate = flags.config === undefined || configText === undefined ? undefined : loadYaml(configText, flags.config).locate;
  // A list item is found by its value, a mapping entry by its key.
  const configPlace = (path: InputPath): ErrorPlace =>
    locate === undefined ? { path: path.join(".") } : locate(path, typeof path[path.length - 1] === "number" ? "value" : "key");
  const given = flagValues(flags, command);
  checkBrokerIds(cluster, given, config, configPlace);
  const placed = placeErrors(given, config, configPlace);
  const options = planOptions(given.values, config, flags);
  const excluded = options.excludeTopics === undefined ? undefined : resolveTopicPatterns(options.excludeTopics, cluster);
  const resolved = excluded === undefined ? options : { ...options, excludeTopics: excluded.patterns };
  const warnings = excluded?.warnings ?? [];
  // A pattern that matches nothing is most likely a typo: the topics it meant are not excluded.
  const unmatched = (excluded?.unmatched ?? []).map((p) => `excluded-topic pattern ${quote(p)} matches no topic of the cluster, so it excludes nothing`);
  if (capacity === undefined) return { cluster, options: resolved, placed, notes: unmatched, warnings };
  return { cluster: applyCapacities(cluster, capacity), options: resolved, placed, notes: [...unmatched, ...overrideNotes(cluster, capacity)], warnings };
}

/** The value an option gets from the config file, when the config takes it. */
function configValue(config: BalanceConfig, name: BalanceOptionName): unknown {
  return Object.hasOwn(config, name) ? (config as Readonly<Record<string, unknown>>)[name] : undefined;
}

/** Broker ids of the flags and the config that the snapshot lacks (the planner would say so without naming where). */
function checkBrokerIds(cluster: Cluster, given: ReturnType<typeof flagValues>, config: BalanceConfig, configPlace: (path: InputPath) => ErrorPlace): void {
  const ids = new Set(cluster.brokers.map((b) => b.id));
  const lists: Array<readonly [readonly number[] | undefined, string]> = [];
  for (const [name, spec] of balanceOptions()) {
    if (spec.kind !== "brokerIds") continue;
    const fromFlag = given.values.get(name) as readonly number[] | undefined;
    lists.push([fromFlag, given.flagOf.get(name) ?? name]);
    if (spec.config && (fromFlag === undefined || spec.combine === "union")) lists.push([configValue(config, name) as readonly number[] | undefined, name]);
  }
  for (const [list, where] of lists) {
    const missing = (list ?? []).find((id) => !ids.has(id));
    if (missing === undefined) continue;
    const message = `broker ${String(missing)} is not in the cluster`;
    if (where.startsWith("--")) throw usageError(where, message);
    throw new BallastError("CONFIG", message, configPlace([where, (list ?? []).indexOf(missing)]));
  }
}

/**
 * The planner reports a bad option by its name (`replace`, `toBrokers`, `replicationFactor[0]`); the
 * user typed a flag or a config key. Errors without a source get the flag, or the config file with
 * the key's path and line.
 */
function placeErrors(given: ReturnType<typeof flagValues>, config: BalanceConfig, configPlace: (path: InputPath) => ErrorPlace): <T>(run: () => T) => T {
  const rewrite = (err: BallastError): BallastError => {
    const match = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(err.place.path ?? "");
    const root = match?.[1];
    const spec = root === undefined || !Object.hasOwn(BALANCE_OPTIONS, root) ? undefined : BALANCE_OPTIONS[root as BalanceOptionName];
    if (root === undefined || spec === undefined) return err;
    const name = root as BalanceOptionName;
    const flag = given.flagOf.get(name);
    if (flag !== undefined && (given.values.has(name) || !spec.config)) return usageError(flag, err.message);
    if (!spec.config) return err;
    const index = match?.[2] === undefined ? undefined : Number(match[2]);
    const item = index === undefined ? undefined : (configValue(config, name) as readonly unknown[] | undefined)?.[index];
    const key = spec.kind === "replicationFactors" ? (item as ReplicationFactorChange | undefined)?.topics : undefined;
    return new BallastError(err.code, err.message, configPlace(key === undefined ? [name] : [name, key]));
  };
  return (run) => {
    try {
      return run();
    } catch (err) {
      if (isBallastError(err) && err.place.source === undefined && err.place.path !== undefined) throw rewrite(err);
      throw err;
    }
  };
}

/**
 * The excluded-topic patterns as the planner takes them: matched here against the cluster's topics
 * with the linear-time matcher, and handed on as exact-name expressions (exactNamesPatterns), so the
 * planner's JavaScript RegExp never backtracks over a user's pattern. A pattern that matches only
 * part of some names (the earlier rule) still excludes them, with a warning.
 */
export function resolveTopicPatterns(patterns: readonly string[], cluster: Cluster): { patterns: string[]; warnings: string[]; unmatched: string[] } {
  const { names, partial, unmatched } = excludedTopics(patterns, cluster.topics.map((t) => t.name));
  const warnings = partial.map(
    ({ pattern, names: matched }) =>
      `warning: excluded topic pattern ${quote(pattern)} matches only part of ${listNames(matched)}; topic patterns now match the whole name, and this one is applied anywhere in the name for now: write ${quote(`.*${pattern}.*`)} to keep excluding them, or ${quote(`^${pattern}$`)} for whole names only`,
  );
  return { patterns: exactNamesPatterns(names), warnings, unmatched };
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((name) => quote(name)).join(", ");
  return names.length > 3 ? `${shown} and ${String(names.length - 3)} more` : shown;
}

const RESOURCE_LABEL = { disk: "disk", networkIn: "network in", networkOut: "network out" } as const;

/** One note naming the snapshot capacities the spec replaced with other values, or none. */
export function overrideNotes(cluster: Cluster, spec: CapacitySpec): string[] {
  const overrides = capacityOverrides(cluster, spec);
  if (overrides.length === 0) return [];
  const what = overrides.map((o) => `${RESOURCE_LABEL[o.resource]} of broker${o.brokers.length === 1 ? "" : "s"} ${listIds(o.brokers)}`);
  const from = spec.source === undefined ? "the capacities given" : `capacities from ${spec.source}`;
  return [`${from} replace the snapshot's: ${what.join("; ")}`];
}


/**
 * The plan options from the config and the flags, as each option's spec says they combine: the
 * flag over the config, both (`union`), or the flag's resources over the config's (`merge`).
 */
export function planOptions(values: FlagValues, config: BalanceConfig, flags: Pick<BalanceFlags, "seed" | "exact" | "explain">): PlanOptions {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of balanceOptions()) {
    if (name === "capacity") continue;
    const fromFlag = values.get(name);
    const fromConfig = spec.config ? configValue(config, name) : undefined;
    const value = combine(spec.combine ?? "flag", fromFlag, fromConfig);
    if (value !== undefined) out[name] = value;
  }
  if (flags.exact !== undefined) out["exact"] = flags.exact;
  if (flags.explain !== undefined) out["explain"] = flags.explain;
  if (flags.seed !== undefined) out["rng"] = createRng(flags.seed);
  return out as PlanOptions;
}

function combine(how: Combine, fromFlag: unknown, fromConfig: unknown): unknown {
  if (fromFlag === undefined || fromConfig === undefined) return fromFlag ?? fromConfig;
  if (how === "union") return [...new Set([...(fromConfig as number[]), ...(fromFlag as number[])])].sort((x, y) => x - y);
  if (how === "merge") return { ...(fromConfig as object), ...(fromFlag as object) };
  return fromFlag;
}

/** The disk balance threshold in effect, for showing the target band. */
export function diskThreshold(options: PlanOptions): number {
  return options.diskBalanceThreshold ?? DEFAULT_DISK_THRESHOLD;
}
