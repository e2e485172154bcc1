/**
 * Option values: every flag's text is checked here and turned into a typed value, or a USAGE error
 * that names the flag. Commander calls these through `valueOption`.
 */
import { type Command, Option } from "commander";
import { type CapacitySpec, applyCapacities, capacityOverrides } from "../model/capacity-file.js";
import type { BalanceConfig, CapacityThresholdConfig } from "../model/config.js";
import { BallastError, type ErrorPlace, isBallastError } from "../model/errors.js";
import { parseConfig } from "../model/config-parse.js";
import { loadYaml } from "../model/parse.js";
import type { InputPath } from "../model/validate.js";
import { LIMITS } from "../model/limits.js";
import { hasControl, quote } from "../model/text.js";
import { PatternProblem, compileTopicPattern, exactNamesPatterns, splitPatternList } from "../model/topic-pattern.js";
import { createRng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import { listIds } from "../model/validate.js";
import { DEFAULT_DISK_THRESHOLD } from "../solver/index.js";
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

/** A topic pattern (topic-pattern.ts): it must compile and run in linear time; `whole` anchors it. */
export function topicPattern(whole: boolean): ValueParser<string> {
  return (raw, flag) => {
    const compiled = compileTopicPattern(raw, whole);
    if (compiled instanceof PatternProblem) throw usageError(flag, `${quote(raw)}: ${compiled.message}`);
    return raw;
  };
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
  const topics = topicPattern(true)(item.slice(0, at).trim(), flag);
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

/** Flags that shape a balance (commander's camel-cased option values). */
export interface BalanceFlags extends KafkaFlags {
  /** A snapshot file; or, with --bootstrap-server, the live cluster. */
  readonly cluster?: string;
  readonly config?: string;
  /** A capacity file, applied over the snapshot's capacities. */
  readonly capacity?: string;
  readonly excludeBrokers?: readonly number[];
  readonly excludeTopics?: ListFlag<string>;
  readonly maxMoves?: number;
  readonly maxBytes?: number;
  readonly seed?: number;
  readonly toBrokers?: readonly number[];
  readonly demoteBrokers?: readonly number[];
  readonly replace?: readonly BrokerReplacement[];
  readonly replicationFactor?: ListFlag<ReplicationFactorChange>;
  readonly capacityThreshold?: CapacityThresholdConfig;
  readonly strictCapacity?: boolean;
  readonly exact?: boolean;
  readonly explain?: boolean;
}

export interface BalanceInputs {
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  /** What the inputs changed that the user may not expect (capacities a capacity file replaced). */
  readonly notes: readonly string[];
  /** Runs the planner, turning its errors about an option into errors that name the flag or config key the user typed. */
  readonly placed: <T>(run: () => T) => T;
}

/** The `--capacity <file>` option of snapshot, plan and describe. */
export const CAPACITY_OPTION_HELP = "broker capacities (YAML): a default, per rack, per broker id; over the snapshot's";

/** --cluster, --capacity, --exclude-brokers and --config, which every balance command takes. */
export function addBalanceOptions(command: Command): Command {
  return addKafkaOptions(command.option("--cluster <snapshot>", "cluster snapshot (.yaml, .yml or .json); or --bootstrap-server for the live cluster"))
    .option("--capacity <file>", `${CAPACITY_OPTION_HELP} (replaces the config's capacity)`)
    .addOption(valueOption("--exclude-brokers <ids>", "brokers to drain, e.g. 5,17 (added to the config's excludeBrokers)", integerList(0)))
    .addOption(
      valueOption(
        "--capacity-threshold <resource=fraction,...>",
        "capacity limits, e.g. disk=0.85,network-in=0.8,network-out=0.8 (over the config's capacityThreshold)",
        capacityThresholdList,
      ),
    )
    .option("--config <file>", "balance config (YAML): goals, excludeBrokers, excludeTopics, budgets");
}

/**
 * Reads the snapshot, the config and the capacities (--capacity, else the config's `capacity`), merges
 * the config with the flags and applies the capacities to the cluster. Files are read before the
 * live cluster, so that a bad file fails without a connection.
 */
export async function loadBalanceInputs(flags: BalanceFlags, command: string): Promise<BalanceInputs> {
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
  checkBrokerIds(cluster, flags, config, configPlace);
  const placed = placeErrors(flags, config, configPlace);
  const options = planOptions(flags, config);
  const topics = matchTopicPatterns(options.excludeTopics ?? [], cluster);
  const resolved = options.excludeTopics === undefined ? options : { ...options, excludeTopics: exactNamesPatterns(topics.matched) };
  // A pattern that matches nothing is most likely a typo: the topics it meant are not excluded.
  const unmatched = topics.unmatched.map((p) => `excluded-topic pattern ${quote(p)} matches no topic of the cluster, so it excludes nothing`);
  if (capacity === undefined) return { cluster, options: resolved, placed, notes: unmatched };
  return { cluster: applyCapacities(cluster, capacity), options: resolved, placed, notes: [...unmatched, ...overrideNotes(cluster, capacity)] };
}

/** Broker ids of the flags and the config that the snapshot lacks (the planner would say so without naming where). */
function checkBrokerIds(cluster: Cluster, flags: BalanceFlags, config: BalanceConfig, configPlace: (path: InputPath) => ErrorPlace): void {
  const ids = new Set(cluster.brokers.map((b) => b.id));
  const lists: ReadonlyArray<readonly [readonly number[] | undefined, string]> = [
    [flags.excludeBrokers, "--exclude-brokers"],
    [config.excludeBrokers, "excludeBrokers"],
    [flags.toBrokers, "--to-brokers"],
    [flags.toBrokers === undefined ? config.toBrokers : undefined, "toBrokers"],
    [flags.demoteBrokers, "--demote-brokers"],
  ];
  for (const [list, where] of lists) {
    const missing = (list ?? []).find((id) => !ids.has(id));
    if (missing === undefined) continue;
    const message = `broker ${String(missing)} is not in the cluster`;
    if (where.startsWith("--")) throw usageError(where, message);
    throw new BallastError("CONFIG", message, configPlace([where, (list ?? []).indexOf(missing)]));
  }
}

/**
 * The planner reports a bad option by its PlanOptions name (`replace`, `toBrokers`,
 * `replicationFactors[0]`); the user typed a flag or a config key. Errors without a source get the
 * flag, or the config file with the key's path and line.
 */
function placeErrors(flags: BalanceFlags, config: BalanceConfig, configPlace: (path: InputPath) => ErrorPlace): <T>(run: () => T) => T {
  const fromConfig = (path: InputPath, message: string, code: BallastError["code"]): BallastError => new BallastError(code, message, configPlace(path));
  const rewrite = (err: BallastError): BallastError => {
    const match = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(err.place.path ?? "");
    const root = match?.[1];
    const index = match?.[2] === undefined ? undefined : Number(match[2]);
    switch (root) {
      case "replace":
        return usageError("--replace", err.message);
      case "demoteBrokers":
        return usageError("--demote-brokers", err.message);
      case "excludeBrokers":
        return flags.excludeBrokers !== undefined ? usageError("--exclude-brokers", err.message) : fromConfig(["excludeBrokers"], err.message, err.code);
      case "toBrokers":
        return flags.toBrokers !== undefined ? usageError("--to-brokers", err.message) : fromConfig(["toBrokers"], err.message, err.code);
      case "replicationFactors": {
        if (flags.replicationFactor !== undefined) return usageError("--replication-factor", err.message);
        const key = index === undefined ? undefined : config.replicationFactor?.[index]?.topics;
        return fromConfig(key === undefined ? ["replicationFactor"] : ["replicationFactor", key], err.message, err.code);
      }
      default:
        return err;
    }
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
 * The excluded-topic patterns matched against the cluster's topics with the linear-time matcher:
 * the topics some pattern matches (handed to the planner as exact-name expressions, exactNamesPatterns,
 * so its JavaScript RegExp never backtracks over a user's pattern), and the patterns that match none.
 */
function matchTopicPatterns(patterns: readonly string[], cluster: Cluster): { matched: string[]; unmatched: string[] } {
  const compiled = patterns.map((source) => ({ source, pattern: compileTopicPattern(source) }));
  const names = cluster.topics.map((t) => t.name);
  const hits = (p: (typeof compiled)[number]["pattern"], name: string): boolean => !(p instanceof PatternProblem) && p.test(name);
  return {
    matched: names.filter((name) => compiled.some((c) => hits(c.pattern, name))),
    unmatched: compiled.filter((c) => !(c.pattern instanceof PatternProblem) && !names.some((name) => hits(c.pattern, name))).map((c) => c.source),
  };
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


/** Flags override the config, except excluded brokers, which come from both. */
export function planOptions(flags: BalanceFlags, config: BalanceConfig): PlanOptions {
  return compact<PlanOptions>({
    goals: config.goals,
    excludeBrokers: unite(config.excludeBrokers, flags.excludeBrokers),
    excludeTopics: flags.excludeTopics?.items ?? config.excludeTopics,
    maxMoves: flags.maxMoves ?? config.maxMoves,
    maxBytesMoved: flags.maxBytes ?? config.maxBytesMoved,
    diskBalanceThreshold: config.diskBalanceThreshold,
    networkBalanceThreshold: config.networkBalanceThreshold,
    capacityThreshold:
      config.capacityThreshold === undefined && flags.capacityThreshold === undefined
        ? undefined
        : { ...config.capacityThreshold, ...flags.capacityThreshold },
    strictCapacity: flags.strictCapacity ?? config.strictCapacity,
    exact: flags.exact,
    exactSolver: undefined,
    integerSearch: undefined,
    explain: flags.explain,
    rng: flags.seed === undefined ? undefined : createRng(flags.seed),
    toBrokers: flags.toBrokers ?? config.toBrokers,
    demoteBrokers: flags.demoteBrokers,
    replace: flags.replace,
    replicationFactors: flags.replicationFactor?.items ?? config.replicationFactor,
  });
}

/** The disk balance threshold in effect, for showing the target band. */
export function diskThreshold(options: PlanOptions): number {
  return options.diskBalanceThreshold ?? DEFAULT_DISK_THRESHOLD;
}

function unite(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] | undefined {
  if (a === undefined && b === undefined) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])].sort((x, y) => x - y);
}

/** Every property of T, each possibly undefined. */
type Loose<T> = { [K in keyof T]-?: T[K] | undefined };

/** Drops undefined properties, so optional ones are absent rather than undefined. */
function compact<T extends object>(loose: Loose<T>): T {
  return Object.fromEntries(Object.entries(loose).filter(([, v]) => v !== undefined)) as T;
}
