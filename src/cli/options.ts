/**
 * Option values: every flag's text is checked here and turned into a typed value, or a USAGE error
 * that names the flag. Commander calls these through `valueOption`.
 */
import { type Command, Option } from "commander";
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
import { DEFAULT_DISK_THRESHOLD } from "../solver/index.js";
import type { BrokerReplacement, PlanOptions, ReplicationFactorChange } from "../solver/types.js";
import { loadCluster, readTextFile, usageError } from "./io.js";
import { type KafkaFlags, addKafkaOptions, withPort } from "./kafka.js";
import { liveSnapshot } from "../executor/snapshot.js";

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

/** `disk=0.85,network-in=0.8`: capacity thresholds per resource, each a fraction in (0, 1]. */
export function capacityThresholdList(raw: string, flag: string): CapacityThresholdConfig {
  const items = splitList(raw);
  if (items.length === 0) throw usageError(flag, "expected resource=fraction pairs, e.g. disk=0.85,network-in=0.8");
  const out: { -readonly [K in keyof CapacityThresholdConfig]: number } = {};
  for (const item of items) {
    const match = /^([a-z-]+)\s*=\s*(\S+)$/.exec(item);
    const key = match === null ? undefined : Object.entries(CAPACITY_FLAG_KEYS).find(([name]) => name === match[1])?.[1];
    if (match === null || key === undefined) {
      throw usageError(flag, `expected resource=fraction with resource one of ${Object.keys(CAPACITY_FLAG_KEYS).join(", ")}; got '${item}'`);
    }
    const n = /^\+?(\d+\.?\d*|\.\d+)$/.test(match[2] ?? "") ? Number(match[2]) : Number.NaN;
    if (!(n > 0 && n <= 1)) throw usageError(flag, `${match[1] ?? ""} must be a fraction of capacity in (0, 1], e.g. 0.8; got '${match[2] ?? ""}'`);
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
  readonly exact?: boolean;
  readonly explain?: boolean;
}

export interface BalanceInputs {
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  /** Runs the planner, turning its errors about an option into errors that name the flag or config key the user typed. */
  readonly placed: <T>(run: () => T) => T;
}

/** --cluster, --exclude-brokers and --config, which every balance command takes. */
export function addBalanceOptions(command: Command): Command {
  return addKafkaOptions(command.option("--cluster <snapshot>", "cluster snapshot (.yaml, .yml or .json); or --bootstrap-server for the live cluster"))
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

/** Reads the snapshot and the config, and merges the config with the flags. */
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
  const cluster = flags.cluster !== undefined ? loadCluster(flags.cluster) : await withPort(flags, command, (port) => liveSnapshot(port));
  const locate = flags.config === undefined || configText === undefined ? undefined : loadYaml(configText, flags.config).locate;
  // A list item is found by its value, a mapping entry by its key.
  const configPlace = (path: InputPath): ErrorPlace =>
    locate === undefined ? { path: path.join(".") } : locate(path, typeof path[path.length - 1] === "number" ? "value" : "key");
  checkBrokerIds(cluster, flags, config, configPlace);
  const placed = placeErrors(flags, config, configPlace);
  const options = planOptions(flags, config);
  const resolved = options.excludeTopics === undefined ? options : { ...options, excludeTopics: resolveTopicPatterns(options.excludeTopics, cluster) };
  return { cluster, options: resolved, placed };
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
 * The excluded-topic patterns as the planner takes them: matched here against the cluster's topics
 * with the linear-time matcher, and handed on as exact-name expressions (exactNamesPatterns), so the
 * planner's JavaScript RegExp never backtracks over a user's pattern.
 */
export function resolveTopicPatterns(patterns: readonly string[], cluster: Cluster): string[] {
  const compiled = patterns.map((source) => compileTopicPattern(source));
  const matched = cluster.topics.map((t) => t.name).filter((name) => compiled.some((p) => !(p instanceof PatternProblem) && p.test(name)));
  return exactNamesPatterns(matched);
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
