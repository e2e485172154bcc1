/**
 * Reading the balance configuration (`--config` YAML). Every problem is a CONFIG error with the key's
 * path and line.
 */
import { readCapacitySpec } from "./capacity-file.js";
import { loadYaml } from "./parse.js";
import {
  BALANCE_OPTIONS,
  type BalanceConfig,
  CAPACITY_RESOURCES,
  type CapacityThresholdConfig,
  GOAL_NAMES,
  type GoalName,
  type OptionKind,
  type OptionKinds,
  type OptionSpec,
  type ReplicationFactorChange,
  balanceOptions,
} from "./options-spec.js";
import { quote } from "./text.js";
import { PatternProblem, topicPattern } from "./topic-pattern.js";
import { Checker, type Locator, earlierIndex } from "./validate.js";

type Mapping = Readonly<Record<string, unknown>>;

/** What a config reader gets: the root mapping, the key, the checker, and where the text came from. */
interface ConfigField {
  readonly root: Mapping;
  readonly key: string;
  readonly c: Checker;
  readonly spec: OptionSpec;
  readonly locate: Locator;
  readonly source: string | undefined;
}

/** How the config file spells each kind of value; every problem is a CONFIG error at the key. */
const CONFIG_READERS: { readonly [K in OptionKind]: (field: ConfigField) => OptionKinds[K] } = {
  goals: ({ root, c }) => readGoals(root, c),
  brokerIds: ({ root, c, key }) => readBrokerList(root, c, key),
  topicPatterns: ({ root, c, key }) => readTopicPatterns(root, c, key),
  count: ({ root, c, key }) => c.integer(root, key, [], key),
  size: ({ root, c, key }) => c.quantity(root, key, [], "size"),
  fraction: ({ root, c, key, spec }) => readFraction(root, key, [], c, spec.range ?? "a fraction in (0, 1]"),
  resourceFractions: ({ root, c, key }) => readCapacityThreshold(root, c, key),
  switch: ({ root, c, key }) => c.boolean(root, key, [], key),
  replicationFactors: ({ root, c, key }) => readReplicationFactor(root, c, key),
  replacements: ({ c, key }) => c.fail("CONFIG", `${key} is not a config key`, [key], "key"),
  capacity: ({ root, c, key, locate, source }) => readCapacitySpec(root[key], [key], c, locate, source),
};

const CONFIG_KEYS = balanceOptions()
  .filter(([, option]) => option.config)
  .map(([name]) => name);

/**
 * Parses a balance configuration. An empty file is an empty configuration (all defaults).
 * `otherKeys` are allowed besides the balance keys and left to their own reader (the balance job's).
 */
export function parseConfig(text: string, source?: string, otherKeys: readonly string[] = []): BalanceConfig {
  const { data, locate } = loadYaml(text, source);
  if (data === null || data === undefined) return {};
  const c = new Checker(locate, () => "CONFIG");
  const root = c.asMapping(data, [], "the configuration");
  c.onlyKeys(root, [], [...CONFIG_KEYS, ...otherKeys], "the configuration");
  const config: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (root[key] === undefined) continue;
    const spec: OptionSpec = BALANCE_OPTIONS[key];
    const read = CONFIG_READERS[spec.kind] as (field: ConfigField) => unknown;
    config[key] = read({ root, key, c, spec, locate, source });
  }
  return { ...config } as BalanceConfig;
}

function readGoals(root: Mapping, c: Checker): GoalName[] {
  const list = c.list(root, "goals", [], "goals");
  const goals: GoalName[] = [];
  const seen = new Map<GoalName, number>();
  for (let i = 0; i < list.length; i++) {
    const goal = c.oneOf(list, i, ["goals"], "a goal", GOAL_NAMES);
    const earlier = earlierIndex(seen, goal, i);
    if (earlier !== undefined) c.fail("CONFIG", `goal ${goal} is listed twice, at goals[${earlier}] and goals[${i}]; list each goal once, in priority order`, ["goals", i]);
    goals.push(goal);
  }
  return goals;
}

function readBrokerList(root: Mapping, c: Checker, key: string): number[] {
  const list = c.list(root, key, [], `${key} (broker ids)`);
  return list.map((_, i) => c.integer(list, i, [key], "a broker id"));
}

/** `replicationFactor: { orders: 3, "logs-.*": 2 }`: topic patterns to factors. */
function readReplicationFactor(root: Mapping, c: Checker, key: string): ReplicationFactorChange[] {
  const map = c.asMapping(root[key], [key], `${key} (topic pattern: factor)`);
  return Object.keys(map).map((topics) => {
    const compiled = topicPattern(topics);
    if (compiled instanceof PatternProblem) c.fail("CONFIG", `topic pattern ${quote(topics)}: ${compiled.message}`, [key, topics], "key");
    const replicationFactor = c.integer(map, topics, [key], "a replication factor");
    if (replicationFactor < 1) c.fail("CONFIG", `the replication factor of ${quote(topics)} must be at least 1`, [key, topics]);
    return { topics, replicationFactor };
  });
}

/** A list of topic patterns (topic-pattern.ts), each of which must compile. */
function readTopicPatterns(root: Mapping, c: Checker, key: string): string[] {
  const list = c.list(root, key, [], `${key} (topic patterns)`);
  return list.map((_, i) => {
    const pattern = c.text(list, i, [key], "a topic pattern");
    const compiled = topicPattern(pattern);
    if (compiled instanceof PatternProblem) c.fail("CONFIG", `topic pattern ${quote(pattern)}: ${compiled.message}`, [key, i]);
    return pattern;
  });
}

/** A number in (0, 1]; `hint` says what it is. */
function readFraction(container: Mapping, key: string, path: string[], c: Checker, hint: string): number {
  const value = c.number(container, key, path, key);
  if (value <= 0 || value > 1) c.fail("CONFIG", `${key} must be ${hint}; found ${value}`, [...path, key]);
  return value;
}

/** `capacityThreshold: {disk: 0.85, networkIn: 0.8, networkOut: 0.8}`, any subset. */
function readCapacityThreshold(root: Mapping, c: Checker, key: string): CapacityThresholdConfig {
  const obj = c.mapping(root, key, [], key, CAPACITY_RESOURCES);
  const out: { -readonly [K in keyof CapacityThresholdConfig]: number } = {};
  for (const resource of CAPACITY_RESOURCES) {
    if (obj[resource] !== undefined) out[resource] = readFraction(obj, resource, [key], c, "a fraction of capacity in (0, 1], e.g. 0.8 for 80%");
  }
  return out;
}
