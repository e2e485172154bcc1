/**
 * Synthetic clusters for tests, demos and benchmarks. Pure: every random choice comes from the `Rng`
 * passed in, so the same options and seed always give a deep-equal cluster.
 *
 * Brokers get consecutive ids; the first `brokers` of them hold the replicas, the `newBrokers`
 * appended after them hold none (a scale-out). Placement works on broker indexes and small typed
 * arrays; the only per-replica allocation is each partition's own replica list.
 *
 * Loads come from one of two models: the simple one (sizes drawn, traffic derived from size or drawn
 * on its own) or, with `load`, a realistic one (heavy-tailed topic traffic, key skew, hot partitions,
 * sizes from traffic × retention, capacities sized to a target utilisation).
 */
import { BallastError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { MAX_INT32 } from "./names.js";
import type { Rng } from "./random.js";
import { shuffleInPlace } from "./random.js";
import type { Broker, Capacity, Cluster, Partition, Topic } from "./types.js";

/** An inclusive integer range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** A distribution of non-negative values (bytes or bytes/s), described by its mean. */
export type Distribution =
  | { readonly kind: "fixed"; readonly mean: number }
  /** Uniform on mean × [1 − spread, 1 + spread]; spread in [0, 1], default 0.5. */
  | { readonly kind: "uniform"; readonly mean: number; readonly spread?: number }
  /** Log-normal; sigma is the σ of the underlying normal (default 1: a long right tail). */
  | { readonly kind: "lognormal"; readonly mean: number; readonly sigma?: number }
  /**
   * The value is k × unit with k in 1..levels drawn with probability ∝ k^−exponent: most values are
   * small, a few are up to `levels` times the smallest. Defaults: exponent 1.2, levels 1000.
   */
  | { readonly kind: "zipf"; readonly mean: number; readonly exponent?: number; readonly levels?: number };

/**
 * - `balanced`: what kafka-topics' rack-alternating round robin aims at, made even across topics too:
 *   every partition spread over the racks, replica counts within 1 inside each rack (across all brokers
 *   when racks are even), preferred-leader counts within 1 wherever the replica sets allow it.
 * - `random`: a uniform random valid placement, rack-aware when there are racks.
 * - `skewed`: brokers weighted by a power law (rank^−skew over a random ranking), so most replicas sit
 *   on a few brokers; replicas of a partition stay on distinct brokers but the rack rule may break.
 * - `skewed-racked`: rack-aware but skewed. Each partition is spread over the racks as `random` does
 *   (distinct racks while rf ≤ racks), but within each rack brokers are weighted by the same power law
 *   (rank^−skew over a random ranking of the rack's brokers), so replica counts, leader counts and
 *   load are badly unbalanced inside every rack while the rack rule holds.
 */
export type Placement = "balanced" | "random" | "skewed" | "skewed-racked";

/** Every placement, in the order the docs list them. */
export const PLACEMENTS = ["balanced", "random", "skewed", "skewed-racked"] as const satisfies readonly Placement[];

export interface TrafficOptions {
  /** Own distribution for bytesIn (bytes/s). Absent: bytesIn = size / retentionSeconds × noise. */
  readonly bytesIn?: Distribution;
  /** Seconds of produce traffic a partition's size holds, when bytesIn is derived (default 7 days). */
  readonly retentionSeconds?: number;
  /** Relative noise on derived bytesIn: × [1 − noise, 1 + noise] (default 0.25). */
  readonly noise?: number;
  /** Consumer fan-out per topic, an integer range: bytesOut = bytesIn × fan-out (default 1..4). */
  readonly fanOut?: Range;
}

/** The resources a broker has a capacity for. */
export interface ResourceFractions {
  readonly disk?: number;
  readonly networkIn?: number;
  readonly networkOut?: number;
}

const RESOURCES = ["disk", "networkIn", "networkOut"] as const;

/** The resources `fractions` names, in RESOURCES order. */
function named(fractions: ResourceFractions): (typeof RESOURCES)[number][] {
  return RESOURCES.filter((key) => fractions[key] !== undefined);
}

/**
 * The realistic load model: traffic first, sizes from it. A topic's produce rate comes from a heavy
 * tail, its partitions share it unevenly (key skew), a few partitions can be made hot, sizes follow
 * traffic × retention, and capacities can be set so that the cluster runs at a given utilisation.
 * Network load is counted as the planner counts it (docs/load-and-capacity.md): network in of a broker
 * is the bytesIn of every replica it holds; network out, for each partition it leads, bytesOut +
 * bytesIn × (rf − 1).
 */
export interface RealisticLoad {
  /** Each topic's total produce rate, bytes/s (default lognormal, mean 2 MiB/s, sigma 2: a few topics carry most bytes). */
  readonly topicRate?: Distribution;
  /** Zipf-like exponent of partition shares inside a topic (key skew): share of partition i ∝ (i+1)^-keySkew over a random permutation; 0 = even (default 0.6). */
  readonly keySkew?: number;
  /**
   * Hot partitions: `count` partitions whose produce rate is raised so that their leader's network
   * out alone is `factor` × the mean per-broker network out of the cluster (over the alive brokers,
   * hot partitions included; default none). factor > 1 exceeds a broker's fair share. They are drawn
   * from the busiest topics (the busiest candidate of each topic, busiest topic first, then a second
   * from each, …), candidates being partitions whose leader carries less than that before: a heavy
   * tail can make some partitions busier still, and those stay. Needs count × factor below the alive brokers.
   */
  readonly hot?: { readonly count: number; readonly factor: number };
  /** Seconds of traffic a partition keeps on disk: size = bytesIn × retention × noise (default 3 days; noise ±25% as the simple model's). */
  readonly retentionSeconds?: number;
  /** Consumer fan-out per topic, integer range: bytesOut = bytesIn × fan-out (default 0..5). */
  readonly fanOut?: Range;
  /**
   * Mean utilisation to aim each resource at: per resource, a fraction of capacity. Every broker's
   * capacity (holding, new or dead) is set so that the total load over the total capacity of the alive
   * brokers is that fraction (with mixedCapacity, the double-size brokers get twice the capacity).
   * E.g. { networkIn: 0.87 } with the default 0.8 threshold is a cluster over its threshold. Resources
   * not named get no capacity unless `capacity` gives one; naming one that `capacity` also gives is an error.
   */
  readonly utilisation?: ResourceFractions;
}

export interface GenerateOptions {
  /** Cluster name (default: none). */
  readonly name?: string;
  /** Brokers that hold replicas (default 12). */
  readonly brokers?: number;
  /** Racks (default 3); 0 writes no rack at all. */
  readonly racks?: number;
  /** Relative rack sizes, one per rack (racks defaults to their count): brokers are apportioned by these weights. Default: round robin. */
  readonly rackWeights?: readonly number[];
  /** Rack naming: "rack" gives rack-a, rack-b, …; "zone" gives zone-1, zone-2, … (default "rack"). Names sort in rack order. */
  readonly rackNames?: "rack" | "zone";
  /** Brokers of one rack sharing a host (default 1: no host written). Hosts are named host-001, …. */
  readonly brokersPerHost?: number;
  /** Id of the first broker; ids are consecutive (default 1). */
  readonly firstBrokerId?: number;
  /** Topics (default 10), named topic-000, …. */
  readonly topics?: number;
  /** Partitions per topic (default 6..24). */
  readonly partitions?: Range;
  /** Replication factor, fixed or a range drawn per topic (default 3). */
  readonly replicationFactor?: number | Range;
  /** Bytes on disk per partition replica (default log-normal, mean 1 GiB, σ 1). Not with `load`. */
  readonly size?: Distribution;
  /** Produce and consume rates. Not with `load`. */
  readonly traffic?: TrafficOptions;
  /** The realistic load model instead of `size` and `traffic` (default: none, the simple model). */
  readonly load?: RealisticLoad;
  /** Replica placement (default "random"). */
  readonly placement?: Placement;
  /** Power-law exponent of `skewed` and `skewed-racked` placement (default 1). */
  readonly skew?: number;
  /** Extra brokers appended with no replicas, over the racks in round robin (default 0). */
  readonly newBrokers?: number;
  /** Brokers among those holding replicas that are marked dead; they keep their replicas (default 0). */
  readonly deadBrokers?: number;
  /** Capacity of every broker (default: none). */
  readonly capacity?: Capacity;
  /** Give every other broker of each rack twice `capacity` (needs `capacity` or `load.utilisation`; default false). */
  readonly mixedCapacity?: boolean;
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const DAY_SECONDS = 24 * 3600;
const WEEK_SECONDS = 7 * DAY_SECONDS;

/** The defaults of every option that has one. */
export const DEFAULT_GENERATE_OPTIONS = {
  brokers: 12,
  racks: 3,
  rackNames: "rack",
  brokersPerHost: 1,
  firstBrokerId: 1,
  topics: 10,
  partitions: { min: 6, max: 24 },
  replicationFactor: 3,
  size: { kind: "lognormal", mean: GIB, sigma: 1 },
  traffic: { retentionSeconds: WEEK_SECONDS, noise: 0.25, fanOut: { min: 1, max: 4 } },
  placement: "random",
  skew: 1,
  newBrokers: 0,
  deadBrokers: 0,
  mixedCapacity: false,
} as const satisfies GenerateOptions;

/** The defaults of the realistic load model (`load`); no hot partitions and no utilisation unless asked. */
export const DEFAULT_REALISTIC_LOAD = {
  topicRate: { kind: "lognormal", mean: 2 * MIB, sigma: 2 },
  keySkew: 0.6,
  retentionSeconds: 3 * DAY_SECONDS,
  fanOut: { min: 0, max: 5 },
} as const satisfies RealisticLoad;

/** Builds a valid synthetic cluster. Throws a USAGE BallastError when the options cannot be met. */
export function generateCluster(opts: GenerateOptions, rng: Rng): Cluster {
  const o = resolve(opts);
  // Independent streams, so that changing one aspect (say sizes) leaves the others (placement) alone.
  const shapeRng = rng.fork();
  const loadRng = rng.fork();
  const placeRng = rng.fork();
  const deadRng = rng.fork();
  // Forked after the others, so that the simple model's streams are the same with or without it.
  const realisticRng = rng.fork();

  const layout = buildLayout(o);
  const shapes = drawTopicShapes(o, shapeRng);
  const replicaLists = placeReplicas(shapes, o, layout.holding, placeRng);
  const dead = chooseDead(replicaLists, o.brokers, o.deadBrokers, deadRng);
  let topics: Topic[];
  let capacities: Capacity[];
  if (o.load === undefined) {
    const loads = createLoads(o);
    topics = shapes.map((shape, t) => buildTopic(shape, replicaLists[t] as number[][], o.firstBrokerId, loads, loadRng));
    capacities = layout.capacityFactors.map((f) => (o.capacity === undefined ? {} : scaleCapacity(o.capacity, f)));
  } else {
    const alive = o.brokers + o.newBrokers - dead.size;
    const traffic = realisticTraffic(shapes, o.load, alive, realisticRng);
    topics = shapes.map((shape, t) => buildRealisticTopic(shape, replicaLists[t] as number[][], o.firstBrokerId, traffic[t] as TopicTraffic));
    capacities = sizedCapacities(o, o.load.utilisation, layout.capacityFactors, dead, loadTotals(shapes, traffic));
  }
  const brokers = buildBrokers(o, layout, capacities, dead);
  return o.name === undefined
    ? { version: 1, brokers, topics }
    : { version: 1, name: o.name, brokers, topics };
}

// ---------------------------------------------------------------------------------------------
// Options

interface Resolved {
  readonly name: string | undefined;
  readonly brokers: number;
  readonly racks: number;
  readonly rackWeights: readonly number[] | undefined;
  readonly rackNames: "rack" | "zone";
  readonly brokersPerHost: number;
  readonly firstBrokerId: number;
  readonly topics: number;
  readonly partitions: Range;
  readonly replicationFactor: Range;
  readonly size: Distribution;
  readonly bytesIn: Distribution | undefined;
  readonly retentionSeconds: number;
  readonly noise: number;
  readonly fanOut: Range;
  readonly placement: Placement;
  readonly skew: number;
  readonly newBrokers: number;
  readonly deadBrokers: number;
  readonly capacity: Capacity | undefined;
  readonly mixedCapacity: boolean;
  readonly load: ResolvedLoad | undefined;
}

interface ResolvedLoad {
  readonly topicRate: Distribution;
  readonly keySkew: number;
  readonly hot: { readonly count: number; readonly factor: number };
  readonly retentionSeconds: number;
  readonly noise: number;
  readonly fanOut: Range;
  readonly utilisation: ResourceFractions;
}

function usage(message: string, path: string): BallastError {
  return new BallastError("USAGE", message, { path });
}

function checkInt(value: number, path: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw usage(`${path} must be an integer of at least ${min}, got ${value}`, path);
  }
  return value;
}

function checkNumber(value: number, path: string, min: number, max = Infinity): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    const bound = max === Infinity ? `at least ${min}` : `between ${min} and ${max}`;
    throw usage(`${path} must be a number ${bound}, got ${value}`, path);
  }
  return value;
}

/** The documented size limits (limits.ts): a typo must not run for hours. */
function checkLimits(o: Resolved): void {
  const over = (value: number, limit: number, noun: string, path: string): void => {
    if (value > limit) throw usage(`${value} ${noun} is above Ballast's limit of ${limit} (see Limits in docs/cli.md)`, path);
  };
  over(o.brokers + o.newBrokers, LIMITS.brokers, "brokers (with new brokers)", o.brokers > o.newBrokers ? "brokers" : "newBrokers");
  over(o.topics, LIMITS.topics, "topics", "topics");
  over(o.partitions.max, LIMITS.partitionsPerTopic, "partitions per topic", "partitions");
  over(o.topics * o.partitions.max * o.replicationFactor.max, LIMITS.replicas, "replicas (topics × partitions × replication factor, at most)", "topics");
  over(o.firstBrokerId + o.brokers + o.newBrokers, MAX_INT32, "as the largest broker id", "firstBrokerId");
}

/** Guards options that arrive from untyped input (a CLI flag, a config file). */
function checkChoice<T extends string>(value: T, choices: readonly T[], path: string): T {
  if (!choices.includes(value)) throw usage(`${path} must be one of ${choices.join(", ")}, got ${String(value)}`, path);
  return value;
}

function checkRange(range: Range, path: string, min: number): Range {
  checkInt(range.min, `${path}.min`, min);
  checkInt(range.max, `${path}.max`, range.min);
  return range;
}

function checkDistribution(dist: Distribution, path: string): Distribution {
  checkNumber(dist.mean, `${path}.mean`, 0);
  switch (dist.kind) {
    case "fixed":
      break;
    case "uniform":
      if (dist.spread !== undefined) checkNumber(dist.spread, `${path}.spread`, 0, 1);
      break;
    case "lognormal":
      if (dist.sigma !== undefined) checkNumber(dist.sigma, `${path}.sigma`, 0);
      break;
    case "zipf":
      if (dist.exponent !== undefined) checkNumber(dist.exponent, `${path}.exponent`, 0);
      if (dist.levels !== undefined) checkInt(dist.levels, `${path}.levels`, 1);
      break;
    default:
      throw usage(`${path}.kind must be fixed, uniform, lognormal or zipf`, `${path}.kind`);
  }
  return dist;
}

function resolve(opts: GenerateOptions): Resolved {
  const d = DEFAULT_GENERATE_OPTIONS;
  const traffic = opts.traffic ?? {};
  const rf = opts.replicationFactor ?? d.replicationFactor;
  const placement = checkChoice(opts.placement ?? d.placement, PLACEMENTS, "placement");
  const rackNames = checkChoice(opts.rackNames ?? d.rackNames, ["rack", "zone"], "rackNames");
  const o: Resolved = {
    name: opts.name,
    brokers: checkInt(opts.brokers ?? d.brokers, "brokers", 0),
    racks: checkInt(opts.racks ?? opts.rackWeights?.length ?? d.racks, "racks", 0),
    rackWeights: opts.rackWeights,
    rackNames,
    brokersPerHost: checkInt(opts.brokersPerHost ?? d.brokersPerHost, "brokersPerHost", 1),
    firstBrokerId: checkInt(opts.firstBrokerId ?? d.firstBrokerId, "firstBrokerId", 0),
    topics: checkInt(opts.topics ?? d.topics, "topics", 0),
    partitions: checkRange(opts.partitions ?? d.partitions, "partitions", 1),
    replicationFactor: checkRange(typeof rf === "number" ? { min: rf, max: rf } : rf, "replicationFactor", 1),
    size: checkDistribution(opts.size ?? d.size, "size"),
    bytesIn: traffic.bytesIn === undefined ? undefined : checkDistribution(traffic.bytesIn, "traffic.bytesIn"),
    retentionSeconds: checkNumber(traffic.retentionSeconds ?? d.traffic.retentionSeconds, "traffic.retentionSeconds", 1),
    noise: checkNumber(traffic.noise ?? d.traffic.noise, "traffic.noise", 0, 1),
    fanOut: checkRange(traffic.fanOut ?? d.traffic.fanOut, "traffic.fanOut", 0),
    load: opts.load === undefined ? undefined : resolveLoad(opts.load),
    placement,
    skew: checkNumber(opts.skew ?? d.skew, "skew", 0),
    newBrokers: checkInt(opts.newBrokers ?? d.newBrokers, "newBrokers", 0),
    deadBrokers: checkInt(opts.deadBrokers ?? d.deadBrokers, "deadBrokers", 0),
    capacity: opts.capacity,
    mixedCapacity: opts.mixedCapacity ?? d.mixedCapacity,
  };
  if (o.load !== undefined) {
    if (opts.size !== undefined) throw usage("size does not apply with load: sizes follow traffic × retention", "size");
    if (opts.traffic !== undefined) throw usage("traffic does not apply with load, which sets the traffic itself", "traffic");
  }
  checkCombination(o);
  return o;
}

function resolveLoad(load: RealisticLoad): ResolvedLoad {
  const d = DEFAULT_REALISTIC_LOAD;
  const hot = load.hot ?? { count: 0, factor: 1 };
  const utilisation = load.utilisation ?? {};
  for (const key of named(utilisation)) {
    const u = utilisation[key] as number;
    if (!(Number.isFinite(u) && u > 0)) {
      throw usage(`load.utilisation.${key} must be a fraction of capacity above 0 (e.g. 0.87), got ${u}`, `load.utilisation.${key}`);
    }
  }
  return {
    topicRate: checkDistribution(load.topicRate ?? d.topicRate, "load.topicRate"),
    keySkew: checkNumber(load.keySkew ?? d.keySkew, "load.keySkew", 0),
    hot: { count: checkInt(hot.count, "load.hot.count", 0), factor: checkNumber(hot.factor, "load.hot.factor", 0) },
    retentionSeconds: checkNumber(load.retentionSeconds ?? d.retentionSeconds, "load.retentionSeconds", 1),
    noise: DEFAULT_GENERATE_OPTIONS.traffic.noise,
    fanOut: checkRange(load.fanOut ?? d.fanOut, "load.fanOut", 0),
    utilisation,
  };
}

function checkCombination(o: Resolved): void {
  checkLimits(o);
  if (o.topics > 0 && o.replicationFactor.max > o.brokers) {
    throw usage(
      `replication factor ${o.replicationFactor.max} needs at least ${o.replicationFactor.max} brokers holding replicas, but there are ${o.brokers}`,
      "replicationFactor",
    );
  }
  if (o.racks > o.brokers) throw usage(`${o.racks} racks need at least ${o.racks} brokers, got ${o.brokers}`, "racks");
  if (o.rackWeights !== undefined) {
    if (o.rackWeights.length !== o.racks) {
      throw usage(`rackWeights needs one weight per rack (${o.racks}), got ${o.rackWeights.length}`, "rackWeights");
    }
    o.rackWeights.forEach((w, i) => checkNumber(w, `rackWeights[${i}]`, Number.MIN_VALUE));
  }
  const sized = named(o.load?.utilisation ?? {});
  if (o.mixedCapacity && o.capacity === undefined && sized.length === 0) throw usage("mixedCapacity needs a capacity to double", "mixedCapacity");
  for (const [key, value] of Object.entries(o.capacity ?? {})) {
    if (!(typeof value === "number" && value > 0)) throw usage(`capacity.${key} must be more than 0 (leave it out for no capacity), got ${String(value)}`, "capacity");
  }
  for (const key of sized) {
    if (o.capacity?.[key] !== undefined) {
      throw usage(`load.utilisation.${key} sets the ${key} capacity, which capacity.${key} also gives; give one of them`, `load.utilisation.${key}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Brokers, racks and hosts

/** Where the brokers that hold replicas sit: rack groups of broker indexes (one group when there are no racks). */
interface Holding {
  readonly count: number;
  /** Broker indexes of each group, ascending. */
  readonly members: readonly Int32Array[];
}

interface Layout {
  readonly holding: Holding;
  /** Rack name of every broker (holding ones, then new ones); empty when there are no racks. */
  readonly rackNames: readonly string[];
  /** Host name of every broker; empty when brokersPerHost is 1. */
  readonly hosts: readonly string[];
  /** Capacity multiple of every broker: 2 for every other broker of each rack with mixedCapacity, else 1. */
  readonly capacityFactors: readonly number[];
}

function buildLayout(o: Resolved): Layout {
  const groups = Math.max(1, o.racks);
  const names = rackNameList(o.racks, o.rackNames);
  const counts = apportion(o.brokers, o.racks > 0 && o.rackWeights ? o.rackWeights : new Array<number>(groups).fill(1));
  const rackOf = interleave(counts);
  const total = o.brokers + o.newBrokers;
  const allRacks = Int32Array.from({ length: total }, (_, i) => (i < o.brokers ? (rackOf[i] as number) : (i - o.brokers) % groups));
  return {
    holding: { count: o.brokers, members: groupMembers(rackOf, groups) },
    rackNames: o.racks === 0 ? [] : Array.from(allRacks, (r) => names[r] as string),
    hosts: o.brokersPerHost === 1 ? [] : hostNames(allRacks, o.brokers, o.brokersPerHost),
    capacityFactors: capacityFactors(allRacks, o.mixedCapacity),
  };
}

/**
 * Largest-remainder apportionment of `total` items by `weights` (ties go to the earlier entry). When
 * there are enough items, every entry gets at least one, taken from the largest.
 */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  const remainder = exact.map((x) => x - Math.floor(x));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = weights.map((_, i) => i).sort((a, b) => remainder[b]! - remainder[a]! || a - b);
  for (const i of byRemainder) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] as number) + 1;
  }
  for (let i = 0; i < counts.length && total >= counts.length; i++) {
    if (counts[i] !== 0) continue;
    counts[counts.indexOf(Math.max(...counts))]! -= 1;
    counts[i] = 1;
  }
  return counts;
}

/**
 * Orders items of several groups so that every group is spread evenly (smooth weighted round robin):
 * equal counts give plain round robin a, b, c, a, b, c, ….
 */
function interleave(counts: readonly number[]): Int32Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const current = new Array<number>(counts.length).fill(0);
  const out = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    let best = 0;
    for (let g = 0; g < counts.length; g++) {
      current[g] = (current[g] as number) + (counts[g] as number);
      if ((current[g] as number) > (current[best] as number)) best = g;
    }
    current[best] = (current[best] as number) - total;
    out[i] = best;
  }
  return out;
}

function groupMembers(rackOf: Int32Array, groups: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: groups }, () => []);
  rackOf.forEach((r, b) => lists[r]?.push(b));
  return lists.map((l) => Int32Array.from(l));
}

/** Rack names that sort in rack order: rack-a … rack-z (rack-aa … when more than 26), or zone-1 … (zero-padded). */
function rackNameList(racks: number, style: "rack" | "zone"): string[] {
  if (style === "zone") {
    const width = String(racks).length;
    return Array.from({ length: racks }, (_, i) => `zone-${String(i + 1).padStart(width, "0")}`);
  }
  let letters = 1;
  while (26 ** letters < racks) letters++;
  return Array.from({ length: racks }, (_, i) => {
    let s = "";
    for (let k = 0, n = i; k < letters; k++, n = Math.floor(n / 26)) s = String.fromCharCode(97 + (n % 26)) + s;
    return `rack-${s}`;
  });
}

/**
 * Host names host-001, …: brokers of one rack, in id order, fill hosts of `perHost`. New brokers (from
 * index `holding` on) get hosts of their own, as machines added in a scale-out would.
 */
function hostNames(rackOf: Int32Array, holding: number, perHost: number): string[] {
  const width = Math.max(3, String(rackOf.length).length);
  const open = new Map<number, { host: number; used: number }>();
  let next = 1;
  return Array.from(rackOf, (r, i) => {
    if (i === holding) open.clear();
    let slot = open.get(r);
    if (slot === undefined || slot.used === perHost) {
      slot = { host: next++, used: 0 };
      open.set(r, slot);
    }
    slot.used++;
    return `host-${String(slot.host).padStart(width, "0")}`;
  });
}

/** Every broker gets the capacity once; with `mixed`, every other broker of each rack gets it twice. */
function capacityFactors(rackOf: Int32Array, mixed: boolean): number[] {
  const seen = new Map<number, number>();
  return Array.from(rackOf, (r) => {
    const nth = seen.get(r) ?? 0;
    seen.set(r, nth + 1);
    return mixed && nth % 2 === 1 ? 2 : 1;
  });
}

function scaleCapacity(c: Capacity, factor: number): Capacity {
  const out: { disk?: number; networkIn?: number; networkOut?: number } = {};
  if (c.disk !== undefined) out.disk = c.disk * factor;
  if (c.networkIn !== undefined) out.networkIn = c.networkIn * factor;
  if (c.networkOut !== undefined) out.networkOut = c.networkOut * factor;
  return out;
}

function buildBrokers(o: Resolved, layout: Layout, capacities: readonly Capacity[], dead: ReadonlySet<number>): Broker[] {
  return capacities.map((capacity, i) => {
    const rack = layout.rackNames[i];
    const host = layout.hosts[i];
    return {
      id: o.firstBrokerId + i,
      ...(rack === undefined ? {} : { rack }),
      ...(host === undefined ? {} : { host }),
      status: dead.has(i) ? "dead" : "alive",
      capacity,
    };
  });
}

/** `count` broker indexes among those holding replicas (in `replicaLists`), chosen by `rng`. */
function chooseDead(replicaLists: readonly (readonly number[][])[], brokers: number, count: number, rng: Rng): Set<number> {
  const holds = new Uint8Array(brokers);
  for (const lists of replicaLists) for (const list of lists) for (const b of list) holds[b] = 1;
  const candidates: number[] = [];
  holds.forEach((h, b) => {
    if (h === 1) candidates.push(b);
  });
  if (count > candidates.length) {
    throw usage(`deadBrokers (${count}) exceeds the ${candidates.length} brokers holding replicas`, "deadBrokers");
  }
  return new Set(shuffleInPlace(candidates, rng).slice(0, count));
}

// ---------------------------------------------------------------------------------------------
// Topics, sizes and traffic

interface TopicShape {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly fanOut: number;
}

function drawInt(range: Range, rng: Rng): number {
  return range.min + rng.int(range.max - range.min + 1);
}

/** One draw of each per topic, whatever the load model: the fan-out's range changes, not the stream. */
function drawTopicShapes(o: Resolved, rng: Rng): TopicShape[] {
  const width = Math.max(3, String(o.topics - 1).length);
  const fanOut = o.load?.fanOut ?? o.fanOut;
  return Array.from({ length: o.topics }, (_, i) => ({
    name: `topic-${String(i).padStart(width, "0")}`,
    partitions: drawInt(o.partitions, rng),
    replicationFactor: drawInt(o.replicationFactor, rng),
    fanOut: drawInt(fanOut, rng),
  }));
}

type Sampler = (rng: Rng) => number;

function sampler(dist: Distribution): Sampler {
  switch (dist.kind) {
    case "fixed":
      return () => dist.mean;
    case "uniform": {
      const spread = dist.spread ?? 0.5;
      return (rng) => dist.mean * (1 - spread + 2 * spread * rng.next());
    }
    case "lognormal": {
      const sigma = dist.sigma ?? 1;
      const mu = Math.log(dist.mean) - (sigma * sigma) / 2;
      return (rng) => Math.exp(mu + sigma * standardNormal(rng));
    }
    case "zipf":
      return zipfSampler(dist.mean, dist.exponent ?? 1.2, dist.levels ?? 1000);
  }
}

/** Box–Muller; 1 − next() keeps the logarithm's argument in (0, 1]. */
function standardNormal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function zipfSampler(mean: number, exponent: number, levels: number): Sampler {
  const cumulative = new Float64Array(levels);
  let total = 0;
  let moment = 0;
  for (let k = 1; k <= levels; k++) {
    const w = k ** -exponent;
    total += w;
    moment += k * w;
    cumulative[k - 1] = total;
  }
  const unit = mean / (moment / total);
  return (rng) => unit * (1 + firstAbove(cumulative, rng.next() * total));
}

/** First index whose value exceeds `x` (binary search over ascending values); clamps to the last index. */
function firstAbove(ascending: Float64Array, x: number): number {
  let lo = 0;
  let hi = ascending.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ascending[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Loads {
  readonly size: Sampler;
  readonly bytesIn: (size: number, rng: Rng) => number;
}

function createLoads(o: Resolved): Loads {
  const own = o.bytesIn === undefined ? undefined : sampler(o.bytesIn);
  return {
    size: sampler(o.size),
    bytesIn: own ? (_, rng) => own(rng) : (size, rng) => (size / o.retentionSeconds) * (1 - o.noise + 2 * o.noise * rng.next()),
  };
}

/** Sizes one topic's partitions; turns its replica lists from broker indexes into broker ids, in place. */
function buildTopic(shape: TopicShape, lists: number[][], firstBrokerId: number, loads: Loads, rng: Rng): Topic {
  const partitions: Partition[] = new Array<Partition>(shape.partitions);
  for (let p = 0; p < shape.partitions; p++) {
    const replicas = lists[p] as number[];
    for (let i = 0; i < replicas.length; i++) replicas[i] = (replicas[i] as number) + firstBrokerId;
    const size = Math.round(loads.size(rng));
    const bytesIn = Math.round(loads.bytesIn(size, rng));
    partitions[p] = {
      topic: shape.name,
      partition: p,
      replicas,
      leader: replicas[0] as number,
      size,
      bytesIn,
      bytesOut: bytesIn * shape.fanOut,
    };
  }
  return { name: shape.name, partitions };
}

// ---------------------------------------------------------------------------------------------
// Realistic load

/** One topic's partitions' produce rates and sizes, whole bytes (per second). */
interface TopicTraffic {
  readonly bytesIn: Float64Array;
  readonly size: Float64Array;
}

/**
 * Every topic's traffic under the realistic model. Topic rates, key-skew permutations and size noise
 * come from streams of their own, so that changing one (say the key skew) leaves the others alone.
 */
function realisticTraffic(shapes: readonly TopicShape[], load: ResolvedLoad, alive: number, rng: Rng): TopicTraffic[] {
  const rateRng = rng.fork();
  const keyRng = rng.fork();
  const sizeRng = rng.fork();
  const topicRate = sampler(load.topicRate);
  const rates = shapes.map(() => topicRate(rateRng));
  const bytesIn = shapes.map((shape, t) => splitByKeys(rates[t] as number, shape.partitions, load.keySkew, keyRng));
  if (load.hot.count > 0) makeHot(shapes, rates, bytesIn, load.hot, alive);
  const { retentionSeconds, noise } = load;
  return bytesIn.map((partitionRates) => ({
    bytesIn: partitionRates,
    size: partitionRates.map((rate) => Math.round(rate * retentionSeconds * (1 - noise + 2 * noise * sizeRng.next()))),
  }));
}

/** A topic's rate shared by its partitions ∝ (rank + 1)^−skew, ranks a random permutation; rounded to whole bytes/s. */
function splitByKeys(rate: number, partitions: number, skew: number, rng: Rng): Float64Array {
  const rank = shuffleInPlace(Array.from({ length: partitions }, (_, p) => p), rng);
  let total = 0;
  for (let i = 0; i < partitions; i++) total += (i + 1) ** -skew;
  const out = new Float64Array(partitions);
  rank.forEach((p, i) => {
    out[p] = Math.round((rate * (i + 1) ** -skew) / total);
  });
  return out;
}

/** Network out a partition's leader carries per byte/s produced: consumers plus one fetch per follower. */
function leaderOutPerByte(shape: TopicShape): number {
  return shape.fanOut + shape.replicationFactor - 1;
}

/**
 * Raises the rate of `hot.count` partitions so that each one's leader network out is `hot.factor` ×
 * the mean per-broker network out over the `alive` brokers, the hot partitions included. With T the
 * other partitions' network out, k hot partitions and N alive brokers, each hot leader's L solves
 * L = factor × (T + k·L) ÷ N, so L = factor × T ÷ (N − factor × k). Only partitions whose leader
 * carries less than factor × the mean before the change are candidates, which makes L larger than
 * each one's old leader network out: a heavy tail can already make partitions that busy, and they
 * stay as they are.
 */
function makeHot(shapes: readonly TopicShape[], rates: readonly number[], bytesIn: readonly Float64Array[], hot: ResolvedLoad["hot"], alive: number): void {
  if (alive - hot.factor * hot.count <= 0) {
    throw usage(
      `load.hot: ${hot.count} hot partitions at ${hot.factor} × the mean network out would carry more than the whole cluster's network out over ${alive} alive brokers; ask for fewer or a smaller factor`,
      "load.hot",
    );
  }
  let total = 0;
  shapes.forEach((shape, t) => {
    const w = leaderOutPerByte(shape);
    for (const rate of bytesIn[t] as Float64Array) total += rate * w;
  });
  const below = (hot.factor * total) / alive;
  const chosen = hotPartitions(shapes, rates, bytesIn, hot.count, below);
  let others = total;
  for (const [t, p] of chosen) others -= ((bytesIn[t] as Float64Array)[p] as number) * leaderOutPerByte(shapes[t] as TopicShape);
  const leaderOut = (hot.factor * others) / (alive - hot.factor * hot.count);
  for (const [t, p] of chosen) (bytesIn[t] as Float64Array)[p] = Math.round(leaderOut / leaderOutPerByte(shapes[t] as TopicShape));
}

/**
 * `count` [topic, partition] pairs among partitions whose leader network out is below `below` (and
 * above 0 per byte: fan-out or followers): topics by rate, busiest first (ties by index), the busiest
 * such partition of each in turn, then the second busiest of each, and so on.
 */
function hotPartitions(shapes: readonly TopicShape[], rates: readonly number[], bytesIn: readonly Float64Array[], count: number, below: number): [number, number][] {
  const topics = shapes.map((_, t) => t).filter((t) => leaderOutPerByte(shapes[t] as TopicShape) > 0);
  topics.sort((a, b) => (rates[b] as number) - (rates[a] as number) || a - b);
  const candidates = topics.map((t) => {
    const rate = bytesIn[t] as Float64Array;
    const w = leaderOutPerByte(shapes[t] as TopicShape);
    return Array.from(rate.keys())
      .filter((p) => (rate[p] as number) * w < below)
      .sort((a, b) => (rate[b] as number) - (rate[a] as number) || a - b);
  });
  const eligible = candidates.reduce((n, parts) => n + parts.length, 0);
  if (count > eligible) {
    throw usage(`load.hot.count (${count}) exceeds the ${eligible} partitions that can be made hot (a leader with network out, below the target)`, "load.hot.count");
  }
  const out: [number, number][] = [];
  for (let lap = 0; out.length < count; lap++) {
    topics.forEach((t, i) => {
      const p = (candidates[i] as number[])[lap];
      if (p !== undefined && out.length < count) out.push([t, p]);
    });
  }
  return out;
}

/** Like buildTopic, with the rates and sizes already drawn. */
function buildRealisticTopic(shape: TopicShape, lists: number[][], firstBrokerId: number, traffic: TopicTraffic): Topic {
  const partitions: Partition[] = new Array<Partition>(shape.partitions);
  for (let p = 0; p < shape.partitions; p++) {
    const replicas = lists[p] as number[];
    for (let i = 0; i < replicas.length; i++) replicas[i] = (replicas[i] as number) + firstBrokerId;
    const bytesIn = traffic.bytesIn[p] as number;
    partitions[p] = {
      topic: shape.name,
      partition: p,
      replicas,
      leader: replicas[0] as number,
      size: traffic.size[p] as number,
      bytesIn,
      bytesOut: bytesIn * shape.fanOut,
    };
  }
  return { name: shape.name, partitions };
}

/** The cluster's total disk, network in and network out load; none depends on where replicas sit. */
function loadTotals(shapes: readonly TopicShape[], traffic: readonly TopicTraffic[]): Required<ResourceFractions> {
  let disk = 0;
  let networkIn = 0;
  let networkOut = 0;
  shapes.forEach((shape, t) => {
    const { bytesIn, size } = traffic[t] as TopicTraffic;
    for (let p = 0; p < shape.partitions; p++) {
      disk += (size[p] as number) * shape.replicationFactor;
      networkIn += (bytesIn[p] as number) * shape.replicationFactor;
      networkOut += (bytesIn[p] as number) * leaderOutPerByte(shape);
    }
  });
  return { disk, networkIn, networkOut };
}

/**
 * Capacities under the realistic model: `capacity` (scaled by each broker's factor) for resources
 * without a utilisation, and for each one with a utilisation u a unit c with total ÷ (c × Σ factors of
 * the alive brokers) = u; each broker gets c × its factor, rounded, at least 1.
 */
function sizedCapacities(o: Resolved, utilisation: ResourceFractions, factors: readonly number[], dead: ReadonlySet<number>, totals: Required<ResourceFractions>): Capacity[] {
  let aliveUnits = 0;
  factors.forEach((f, b) => {
    if (!dead.has(b)) aliveUnits += f;
  });
  const sized = named(utilisation);
  if (sized.length > 0 && aliveUnits === 0) throw usage("load.utilisation needs an alive broker to size capacities by", "load.utilisation");
  const unit = (key: keyof ResourceFractions): number => totals[key] / ((utilisation[key] as number) * aliveUnits);
  return factors.map((f) => {
    const base = o.capacity === undefined ? {} : scaleCapacity(o.capacity, f);
    const out: { disk?: number; networkIn?: number; networkOut?: number } = {};
    for (const key of RESOURCES) {
      const value = sized.includes(key) ? Math.max(1, Math.round(unit(key) * f)) : base[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Placement

/** Places one partition: returns `rf` distinct broker indexes, preferred leader first. */
interface Placer {
  place(rf: number): number[];
}

/** Replica lists (broker indexes) of every partition, per topic. */
function placeReplicas(shapes: readonly TopicShape[], o: Resolved, holding: Holding, rng: Rng): number[][][] {
  const placer = createPlacer(o.placement, holding, rng, o.skew);
  const lists = shapes.map((shape) => Array.from({ length: shape.partitions }, () => placer.place(shape.replicationFactor)));
  if (o.placement === "balanced") balanceLeaders(lists.flat(), holding.count);
  return lists;
}

function createPlacer(kind: Placement, holding: Holding, rng: Rng, skew: number): Placer {
  switch (kind) {
    case "balanced":
      return balancedPlacer(holding, rng);
    case "random":
      return randomPlacer(holding, rng);
    case "skewed":
      return skewedPlacer(holding, rng, skew);
    case "skewed-racked":
      return skewedRackedPlacer(holding, rng, skew);
  }
}

/**
 * The partition being placed: which brokers hold one of its replicas (mark[b] === stamp) and how many
 * of its replicas each group (rack) holds.
 */
class PartitionMarks {
  private readonly mark: Int32Array;
  private readonly perGroup: Int32Array;
  private stamp = 0;

  constructor(
    brokers: number,
    private readonly groupSizes: Int32Array,
  ) {
    this.mark = new Int32Array(brokers);
    this.perGroup = new Int32Array(groupSizes.length);
  }

  start(): void {
    this.stamp++;
    this.perGroup.fill(0);
  }

  has(b: number): boolean {
    return this.mark[b] === this.stamp;
  }

  /** Records a replica on broker `b` of group `group`. */
  add(b: number, group: number): void {
    this.mark[b] = this.stamp;
    this.perGroup[group]! += 1;
  }

  /** The fewest replicas of the partition in any group that still has a free broker. */
  spreadLevel(): number {
    let level = Infinity;
    for (let g = 0; g < this.perGroup.length; g++) {
      const used = this.perGroup[g] as number;
      if (used < (this.groupSizes[g] as number) && used < level) level = used;
    }
    return level;
  }

  /**
   * Free brokers of `group` that may take the next replica while keeping the partition spread over the
   * groups: those of a group holding `level` (the spread level) replicas, none for the others.
   */
  freeFor(group: number, level: number): number {
    return this.perGroup[group] === level ? (this.groupSizes[group] as number) - level : 0;
  }
}

function groupSizes(holding: Holding): Int32Array {
  return Int32Array.from(holding.members, (m) => m.length);
}

/** The group of the next replica, uniform over the free brokers of the spread groups: each group weighed by its free brokers. */
function spreadGroup(marks: PartitionMarks, groups: number, rng: Rng): number {
  const level = marks.spreadLevel();
  let free = 0;
  for (let g = 0; g < groups; g++) free += marks.freeFor(g, level);
  let target = rng.int(free);
  let g = 0;
  while (target >= marks.freeFor(g, level)) target -= marks.freeFor(g++, level);
  return g;
}

function randomPlacer(holding: Holding, rng: Rng): Placer {
  const { members } = holding;
  const marks = new PartitionMarks(holding.count, groupSizes(holding));
  return {
    place(rf) {
      marks.start();
      const out: number[] = [];
      for (let slot = 0; slot < rf; slot++) {
        const g = spreadGroup(marks, members.length, rng);
        const group = members[g] as Int32Array;
        let b: number;
        do b = group[rng.int(group.length)] as number;
        while (marks.has(b));
        marks.add(b, g);
        out.push(b);
      }
      return out;
    },
  };
}

const SKEW_TRIES = 64;

/** Brokers drawn with probability ∝ (rank + 1)^−skew, ranks a random permutation of `members`. */
class PowerLaw {
  private readonly byRank: number[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    members: ArrayLike<number>,
    skew: number,
    private readonly rng: Rng,
  ) {
    this.byRank = shuffleInPlace(Array.from(members), rng);
    this.cumulative = new Float64Array(this.byRank.length);
    let total = 0;
    for (let rank = 0; rank < this.byRank.length; rank++) {
      total += (rank + 1) ** -skew;
      this.cumulative[rank] = total;
    }
    this.total = total;
  }

  /** A broker `marks` does not hold yet (there must be one). */
  draw(marks: PartitionMarks): number {
    for (let i = 0; i < SKEW_TRIES; i++) {
      const b = this.byRank[firstAbove(this.cumulative, this.rng.next() * this.total)] as number;
      if (!marks.has(b)) return b;
    }
    // A steep power law can make the last free brokers very unlikely: take the heaviest free one.
    return this.byRank.find((b) => !marks.has(b)) as number;
  }
}

function skewedPlacer(holding: Holding, rng: Rng, skew: number): Placer {
  const weights = new PowerLaw(Array.from({ length: holding.count }, (_, i) => i), skew, rng);
  const marks = new PartitionMarks(holding.count, Int32Array.of(holding.count));
  return {
    place(rf) {
      marks.start();
      const out: number[] = [];
      for (let slot = 0; slot < rf; slot++) {
        const b = weights.draw(marks);
        marks.add(b, 0);
        out.push(b);
      }
      return out;
    },
  };
}

/**
 * Rack-aware and skewed: the rack of each replica is chosen as `random` chooses it (uniform over the
 * free brokers of the racks the partition is spread least over), the broker within it by the rack's
 * own power law.
 */
function skewedRackedPlacer(holding: Holding, rng: Rng, skew: number): Placer {
  const { members } = holding;
  const weights = members.map((group) => new PowerLaw(group, skew, rng));
  const marks = new PartitionMarks(holding.count, groupSizes(holding));
  return {
    place(rf) {
      marks.start();
      const out: number[] = [];
      for (let slot = 0; slot < rf; slot++) {
        const g = spreadGroup(marks, members.length, rng);
        const b = (weights[g] as PowerLaw).draw(marks);
        marks.add(b, g);
        out.push(b);
      }
      return out;
    },
  };
}

/**
 * Hands out the brokers of one group in laps: each lap is a fresh random permutation, so after any
 * number of draws the brokers' counts differ by at most one.
 */
class LapCursor {
  private readonly order: number[];
  private pos: number;

  constructor(
    members: Int32Array,
    private readonly rng: Rng,
  ) {
    this.order = Array.from(members);
    this.pos = this.order.length;
  }

  /** The next broker of the lap that `marks` does not hold yet (swapped forward, so the lap stays a permutation). */
  next(marks: PartitionMarks): number {
    const order = this.order;
    if (this.pos === order.length) {
      shuffleInPlace(order, this.rng);
      this.pos = 0;
    }
    let j = this.pos;
    while (marks.has(order[j] as number)) j++;
    const b = order[j] as number;
    order[j] = order[this.pos] as number;
    order[this.pos++] = b;
    return b;
  }
}

/** Replica sets only: spread over the racks, even within each rack. Leaders are chosen by balanceLeaders. */
function balancedPlacer(holding: Holding, rng: Rng): Placer {
  const { members } = holding;
  const cursors = members.map((m) => new LapCursor(m, rng));
  const groupReplicas = new Float64Array(members.length);
  const sizes = groupSizes(holding);
  const marks = new PartitionMarks(holding.count, sizes);
  // Among the spread groups, the one with the fewest replicas per broker (ties: lowest index).
  const lightestGroup = (): number => {
    const level = marks.spreadLevel();
    let best = -1;
    for (let g = 0; g < sizes.length; g++) {
      if (marks.freeFor(g, level) === 0) continue;
      if (best < 0 || groupReplicas[g]! / sizes[g]! < groupReplicas[best]! / sizes[best]!) best = g;
    }
    return best;
  };
  return {
    place(rf) {
      marks.start();
      const out: number[] = [];
      for (let slot = 0; slot < rf; slot++) {
        const g = lightestGroup();
        const b = (cursors[g] as LapCursor).next(marks);
        marks.add(b, g);
        groupReplicas[g]! += 1;
        out.push(b);
      }
      return out;
    },
  };
}

/**
 * Reorders replica lists so that preferred-leader counts differ by at most one wherever the replica
 * sets allow. A greedy pass gives each partition the replica that leads least so far; then, while some
 * broker leads at least two more than another it can reach, leadership shifts along a chain found breadth-first
 * (u leads p and v is a replica of p: p may pass from u to v), which lowers the first broker's count by
 * one, raises the last one's by one and leaves the brokers between unchanged.
 */
function balanceLeaders(lists: readonly number[][], brokers: number): void {
  const led = new Int32Array(brokers);
  for (const list of lists) {
    let best = 0;
    for (let i = 1; i < list.length; i++) if (led[list[i]!]! < led[list[best]!]!) best = i;
    swap(list, 0, best);
    led[list[0]!]! += 1;
  }
  const chains = new LeaderChains(lists, led);
  const fewest = (): number => led.reduce((a, b) => Math.min(a, b), Infinity);
  for (let moved = true; moved; ) {
    moved = false;
    for (let u = 0; u < brokers; u++) if (led[u]! >= fewest() + 2 && chains.shiftFrom(u)) moved = true;
  }
}

function swap(list: number[], i: number, j: number): void {
  const t = list[i] as number;
  list[i] = list[j] as number;
  list[j] = t;
}

/** The partitions each broker leads, and leadership shifts along chains of them. */
class LeaderChains {
  private readonly ledBy: number[][];
  /** Position of each partition in its leader's ledBy list. */
  private readonly slot: Int32Array;
  private readonly via: Int32Array;
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(
    private readonly lists: readonly number[][],
    private readonly led: Int32Array,
  ) {
    this.ledBy = Array.from({ length: led.length }, () => []);
    this.slot = new Int32Array(lists.length);
    this.via = new Int32Array(led.length);
    this.seen = new Int32Array(led.length);
    lists.forEach((list, p) => {
      const u = list[0] as number;
      const mine = this.ledBy[u] as number[];
      this.slot[p] = mine.length;
      mine.push(p);
    });
  }

  /** Moves one leadership from `start` to a broker leading at least two fewer, if a chain reaches one. */
  shiftFrom(start: number): boolean {
    let end = this.findChain(start);
    if (end < 0) return false;
    while (end !== start) {
      const p = this.via[end] as number;
      const from = (this.lists[p] as number[])[0] as number;
      this.moveLeader(p, end);
      end = from;
    }
    return true;
  }

  private findChain(start: number): number {
    const { lists, led, seen, via } = this;
    const stamp = ++this.stamp;
    const limit = (led[start] as number) - 2;
    seen[start] = stamp;
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      for (const p of this.ledBy[queue[head] as number] as number[]) {
        for (const v of lists[p] as number[]) {
          if (seen[v] === stamp) continue;
          seen[v] = stamp;
          via[v] = p;
          if ((led[v] as number) <= limit) return v;
          queue.push(v);
        }
      }
    }
    return -1;
  }

  private moveLeader(p: number, to: number): void {
    const list = this.lists[p] as number[];
    const from = list[0] as number;
    swap(list, 0, list.indexOf(to));
    const mine = this.ledBy[from] as number[];
    const last = mine.pop() as number;
    if (last !== p) {
      mine[this.slot[p] as number] = last;
      this.slot[last] = this.slot[p] as number;
    }
    const theirs = this.ledBy[to] as number[];
    this.slot[p] = theirs.length;
    theirs.push(p);
    this.led[from]! -= 1;
    this.led[to]! += 1;
  }
}
