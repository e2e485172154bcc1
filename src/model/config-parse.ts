/**
 * Reading the balance configuration (`--config` YAML). Every problem is a CONFIG error with the key's
 * path and line.
 */
import { readCapacitySpec } from "./capacity-file.js";
import { CAPACITY_RESOURCES, GOAL_NAMES, type BalanceConfig, type CapacityThresholdConfig, type GoalName } from "./config.js";
import { loadYaml } from "./parse.js";
import { quote } from "./text.js";
import { PatternProblem, compileTopicPattern } from "./topic-pattern.js";
import { Checker, earlierIndex } from "./validate.js";

type Mapping = Readonly<Record<string, unknown>>;
type MutableConfig = { -readonly [K in keyof BalanceConfig]: BalanceConfig[K] };

const CONFIG_KEYS = [
  "goals",
  "excludeBrokers",
  "excludeTopics",
  "maxMoves",
  "maxBytesMoved",
  "diskBalanceThreshold",
  "networkBalanceThreshold",
  "capacityThreshold",
  "strictCapacity",
  "toBrokers",
  "replicationFactor",
  "capacity",
];

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
  const config: MutableConfig = {};
  if (root["goals"] !== undefined) config.goals = readGoals(root, c);
  if (root["excludeBrokers"] !== undefined) config.excludeBrokers = readExcludeBrokers(root, c);
  if (root["excludeTopics"] !== undefined) config.excludeTopics = readExcludeTopics(root, c);
  if (root["maxMoves"] !== undefined) config.maxMoves = c.integer(root, "maxMoves", [], "maxMoves");
  if (root["maxBytesMoved"] !== undefined) config.maxBytesMoved = c.quantity(root, "maxBytesMoved", [], "size");
  if (root["diskBalanceThreshold"] !== undefined) config.diskBalanceThreshold = readThreshold(root, c);
  if (root["toBrokers"] !== undefined) config.toBrokers = readBrokerList(root, c, "toBrokers");
  if (root["replicationFactor"] !== undefined) config.replicationFactor = readReplicationFactor(root, c);
  if (root["networkBalanceThreshold"] !== undefined) config.networkBalanceThreshold = readFraction(root, "networkBalanceThreshold", [], c, "a fraction of the ideal in (0, 1], e.g. 0.1 for 10%");
  if (root["capacityThreshold"] !== undefined) config.capacityThreshold = readCapacityThreshold(root, c);
  if (root["strictCapacity"] !== undefined) config.strictCapacity = c.boolean(root, "strictCapacity", [], "strictCapacity");
  if (root["capacity"] !== undefined) config.capacity = readCapacitySpec(root["capacity"], ["capacity"], c, locate, source);
  return config;
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

function readExcludeBrokers(root: Mapping, c: Checker): number[] {
  return readBrokerList(root, c, "excludeBrokers");
}

function readBrokerList(root: Mapping, c: Checker, key: string): number[] {
  const list = c.list(root, key, [], `${key} (broker ids)`);
  return list.map((_, i) => c.integer(list, i, [key], "a broker id"));
}

/** `replicationFactor: { orders: 3, "logs-.*": 2 }`: topic patterns (whole-name regular expressions) to factors. */
function readReplicationFactor(root: Mapping, c: Checker): { topics: string; replicationFactor: number }[] {
  const map = c.asMapping(root["replicationFactor"], ["replicationFactor"], "replicationFactor (topic pattern: factor)");
  return Object.keys(map).map((topics) => {
    const compiled = compileTopicPattern(topics, true);
    if (compiled instanceof PatternProblem) c.fail("CONFIG", `topic pattern ${quote(topics)}: ${compiled.message}`, ["replicationFactor", topics], "key");
    const replicationFactor = c.integer(map, topics, ["replicationFactor"], "a replication factor");
    if (replicationFactor < 1) c.fail("CONFIG", `the replication factor of ${quote(topics)} must be at least 1`, ["replicationFactor", topics]);
    return { topics, replicationFactor };
  });
}

/** Topic patterns must compile as JavaScript regular expressions. */
function readExcludeTopics(root: Mapping, c: Checker): string[] {
  const list = c.list(root, "excludeTopics", [], "excludeTopics (regular expressions)");
  return list.map((_, i) => {
    const pattern = c.text(list, i, ["excludeTopics"], "a topic pattern");
    const compiled = compileTopicPattern(pattern);
    if (compiled instanceof PatternProblem) c.fail("CONFIG", `topic pattern ${quote(pattern)}: ${compiled.message}`, ["excludeTopics", i]);
    return pattern;
  });
}

function readThreshold(root: Mapping, c: Checker): number {
  const value = c.number(root, "diskBalanceThreshold", [], "diskBalanceThreshold");
  if (value <= 0 || value > 1) {
    c.fail("CONFIG", `diskBalanceThreshold must be a fraction of the mean in (0, 1], e.g. 0.1 for 10%; found ${value}`, ["diskBalanceThreshold"]);
  }
  return value;
}

/** A number in (0, 1]; `hint` says what it is. */
function readFraction(container: Mapping, key: string, path: string[], c: Checker, hint: string): number {
  const value = c.number(container, key, path, key);
  if (value <= 0 || value > 1) c.fail("CONFIG", `${key} must be ${hint}; found ${value}`, [...path, key]);
  return value;
}

/** `capacityThreshold: {disk: 0.85, networkIn: 0.8, networkOut: 0.8}`, any subset. */
function readCapacityThreshold(root: Mapping, c: Checker): CapacityThresholdConfig {
  const obj = c.mapping(root, "capacityThreshold", [], "capacityThreshold", CAPACITY_RESOURCES);
  const out: { -readonly [K in keyof CapacityThresholdConfig]: number } = {};
  for (const key of CAPACITY_RESOURCES) {
    if (obj[key] !== undefined) out[key] = readFraction(obj, key, ["capacityThreshold"], c, "a fraction of capacity in (0, 1], e.g. 0.8 for 80%");
  }
  return out;
}
