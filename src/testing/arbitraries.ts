/**
 * Shared fast-check arbitraries for the solver's property tests: small synthetic clusters drawn as
 * generator options plus a seed (so a counterexample prints as something one can paste into
 * `ballast generate`), and plan options drawn against a given cluster.
 */
import fc from "fast-check";
import { GOAL_NAMES, type GoalName } from "../model/config.js";
import {
  PLACEMENTS,
  generateCluster,
  type Distribution,
  type GenerateOptions,
  type Placement,
  type Range,
  type RealisticLoad,
} from "../model/generate.js";
import { isBallastError } from "../model/errors.js";
import { createRng, type Rng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import type { PlanOptions } from "../solver/types.js";
import { PlacementState } from "../solver/state.js";
import { Targets } from "../solver/targets.js";

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;

/** A generated cluster together with what generated it. */
export interface ClusterCase {
  readonly options: GenerateOptions;
  readonly seed: number;
  readonly cluster: Cluster;
}

/** Prints a case as its recipe (options and seed), not as the whole cluster. */
function withRecipe(options: GenerateOptions, seed: number): ClusterCase {
  const cluster = generateCluster(options, createRng(seed));
  return {
    options,
    seed,
    cluster,
    [fc.toStringMethod]: () => `generateCluster(${JSON.stringify(options)}, createRng(${String(seed)}))`,
  } as ClusterCase;
}

/** The largest replication factor the options can draw. */
export function maxRf(options: GenerateOptions): number {
  const rf = options.replicationFactor ?? 3;
  return typeof rf === "number" ? rf : rf.max;
}

const placementArb: fc.Arbitrary<Placement> = fc.constantFrom("balanced", "random", "skewed");

const sizeArb: fc.Arbitrary<Distribution> = fc.oneof(
  fc.constant<Distribution>({ kind: "fixed", mean: GIB }),
  fc.constant<Distribution>({ kind: "lognormal", mean: GIB, sigma: 1 }),
);

const rfArb: fc.Arbitrary<number | Range> = fc.oneof(
  fc.integer({ min: 1, max: 3 }),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
    .map(([a, b]): Range => ({ min: Math.min(a, b), max: Math.max(a, b) })),
);

const partitionsArb: fc.Arbitrary<Range> = fc
  .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }))
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

/**
 * Generator options of small clusters: 3..12 brokers holding replicas, 0..4 racks (0: none, never
 * more racks than brokers), optional rack weights, 1..2 brokers per host, 1..4 topics of 1..8
 * partitions at replication factor 1..3, 0..2 new brokers, and a dead broker only when enough
 * brokers stay alive for the largest replication factor.
 */
export const generateOptionsArb: fc.Arbitrary<GenerateOptions> = fc
  .record({
    brokers: fc.integer({ min: 3, max: 12 }),
    racks: fc.integer({ min: 0, max: 4 }),
    weights: fc.option(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }), { nil: undefined }),
    brokersPerHost: fc.integer({ min: 1, max: 2 }),
    topics: fc.integer({ min: 1, max: 4 }),
    partitions: partitionsArb,
    replicationFactor: rfArb,
    placement: placementArb,
    newBrokers: fc.integer({ min: 0, max: 2 }),
    deadBrokers: fc.integer({ min: 0, max: 1 }),
    size: sizeArb,
    capacity: fc.constantFrom<"none" | "even" | "mixed">("none", "none", "even", "mixed"),
  })
  .map(
    (r): GenerateOptions => ({
      ...shapeOf(r),
      brokersPerHost: r.brokersPerHost,
      size: r.size,
      ...(r.capacity === "none" ? {} : { capacity: { disk: 2 * TIB } }),
      ...(r.capacity === "mixed" ? { mixedCapacity: true } : {}),
    }),
  );

/** The drawn figures both option arbitraries share. */
interface DrawnShape {
  readonly brokers: number;
  readonly racks: number;
  readonly weights?: readonly number[] | undefined;
  readonly topics: number;
  readonly partitions: NonNullable<GenerateOptions["partitions"]>;
  readonly replicationFactor: NonNullable<GenerateOptions["replicationFactor"]>;
  readonly placement: Placement;
  readonly newBrokers: number;
  readonly deadBrokers: number;
}

/**
 * Generator options for a drawn shape: racks at most the brokers (rack weights cut to them), and no
 * dead broker where it would leave fewer live brokers than the replication factor.
 */
function shapeOf(r: DrawnShape): GenerateOptions & { readonly deadBrokers: number } {
  const racks = Math.min(r.racks, r.brokers);
  const rf = typeof r.replicationFactor === "number" ? r.replicationFactor : r.replicationFactor.max;
  const deadBrokers = r.brokers + r.newBrokers - r.deadBrokers >= rf ? r.deadBrokers : 0;
  return {
    brokers: r.brokers,
    racks,
    ...(racks > 0 && r.weights !== undefined ? { rackWeights: r.weights.slice(0, racks) } : {}),
    topics: r.topics,
    partitions: r.partitions,
    replicationFactor: r.replicationFactor,
    placement: r.placement,
    newBrokers: r.newBrokers,
    deadBrokers,
  };
}

export const seedArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0x7fffffff });

/** Small clusters of every shape the generator makes. */
export const clusterArb: fc.Arbitrary<ClusterCase> = fc
  .tuple(generateOptionsArb, seedArb)
  .map(([options, seed]) => withRecipe(options, seed));

/** The utilisation a realistic cluster is drawn at: 0.56–0.88 of capacity, 70–110% of the default 0.8 network threshold. */
const utilisationArb: fc.Arbitrary<NonNullable<RealisticLoad["utilisation"]>> = fc
  .tuple(fc.constantFrom("disk", "networkIn", "networkOut"), fc.integer({ min: 56, max: 88 }))
  .map(([resource, percent]) => ({ [resource]: percent / 100 }));

const topicRateArb: fc.Arbitrary<Distribution | undefined> = fc.constantFrom<Distribution | undefined>(
  undefined,
  undefined,
  { kind: "zipf", mean: 4 * 1024 * 1024 },
  { kind: "lognormal", mean: 1024 * 1024, sigma: 1 },
);

/**
 * Generator options of small clusters with the realistic load model: 3..12 brokers holding replicas,
 * 0..4 racks with optional uneven weights, any placement (skewed-racked included), 2..6 topics of 1..8
 * partitions at replication factor 1..3, 0..2 new and 0..1 dead brokers, heavy-tailed topic rates,
 * key skew 0..1.5, fan-out 0..5, capacity on one random resource sized to a utilisation of 0.56..0.88
 * (sometimes mixed capacities), and sometimes one or two hot partitions at 1.1..2 × the mean network
 * out per broker. Hot partitions are dropped where the cluster has none to offer (a tiny cluster whose
 * every partition is already that busy), so the printed options always reproduce the case.
 */
export const realisticOptionsArb: fc.Arbitrary<GenerateOptions> = fc
  .record({
    brokers: fc.integer({ min: 3, max: 12 }),
    racks: fc.integer({ min: 0, max: 4 }),
    weights: fc.option(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }), { nil: undefined }),
    topics: fc.integer({ min: 2, max: 6 }),
    partitions: partitionsArb,
    replicationFactor: rfArb,
    placement: fc.constantFrom<Placement>(...PLACEMENTS),
    newBrokers: fc.integer({ min: 0, max: 2 }),
    deadBrokers: fc.integer({ min: 0, max: 1 }),
    topicRate: topicRateArb,
    keySkew: fc.constantFrom(0, 0.6, 1.5),
    utilisation: utilisationArb,
    mixedCapacity: fc.boolean(),
    hot: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: fc.record({ count: fc.integer({ min: 1, max: 2 }), factor: fc.integer({ min: 11, max: 20 }).map((x) => x / 10) }), weight: 1 },
    ),
  })
  .map((r): GenerateOptions => {
    const shape = shapeOf(r);
    const alive = r.brokers + r.newBrokers - shape.deadBrokers;
    const hot = r.hot !== undefined && r.hot.count * r.hot.factor < alive ? r.hot : undefined;
    const load: RealisticLoad = {
      ...(r.topicRate === undefined ? {} : { topicRate: r.topicRate }),
      keySkew: r.keySkew,
      ...(hot === undefined ? {} : { hot }),
      utilisation: r.utilisation,
    };
    return {
      ...shape,
      load,
      ...(r.mixedCapacity ? { mixedCapacity: true } : {}),
    };
  });

/** The case, or the same options without hot partitions when the cluster has none to offer. */
function realisticCase(options: GenerateOptions, seed: number): ClusterCase {
  try {
    return withRecipe(options, seed);
  } catch (err) {
    const load = options.load;
    if (!isBallastError(err) || !(err.place.path ?? "").startsWith("load.hot") || load?.hot === undefined) throw err;
    const { hot: _dropped, ...rest } = load;
    return withRecipe({ ...options, load: rest }, seed);
  }
}

/** Small clusters with realistic load: heavy-tailed, skewed, sometimes hot, near or over their capacity threshold. */
export const realisticClusterArb: fc.Arbitrary<ClusterCase> = fc
  .tuple(realisticOptionsArb, seedArb)
  .map(([options, seed]) => realisticCase(options, seed));

/**
 * Candidates for perfectly balanced clusters: `balanced` placement with fixed sizes, no dead or new
 * brokers, hosts of one or two brokers within a rack, brokers a multiple of the racks, a replication factor no larger than
 * the racks, and partitions per topic a multiple of the brokers (so every topic, every broker's replica
 * count and every broker's leader count can be exactly even). The generator does not promise that
 * every such cluster meets every goal: a property using this must check with `assess` and discard the
 * rest (`fc.pre`).
 */
export const balancedCandidateArb: fc.Arbitrary<ClusterCase> = fc
  .record({
    racks: fc.integer({ min: 0, max: 3 }),
    perRack: fc.integer({ min: 1, max: 3 }),
    topics: fc.integer({ min: 1, max: 3 }),
    multiple: fc.integer({ min: 1, max: 2 }),
    rf: fc.integer({ min: 1, max: 3 }),
    pairs: fc.boolean(),
    seed: seedArb,
  })
  .map((r) => {
    const brokers = r.racks === 0 ? Math.max(3, r.perRack * 2) : r.racks * r.perRack;
    const rf = r.racks === 0 ? r.rf : Math.min(r.rf, r.racks, brokers);
    const partitions = brokers * r.multiple;
    const options: GenerateOptions = {
      brokers,
      racks: r.racks,
      // Two brokers per host only where every host of a rack can hold two.
      brokersPerHost: r.pairs && r.racks > 0 && r.perRack % 2 === 0 ? 2 : 1,
      topics: r.topics,
      partitions: { min: partitions, max: partitions },
      replicationFactor: rf,
      placement: "balanced",
      size: { kind: "fixed", mean: GIB },
    };
    return withRecipe(options, r.seed);
  });

/** Broker ids of a cluster, ascending. */
export function brokerIds(cluster: Cluster): number[] {
  return cluster.brokers.map((b) => b.id).sort((a, b) => a - b);
}

/** Alive brokers that hold at least one replica or none, ascending. */
export function aliveIds(cluster: Cluster): number[] {
  return cluster.brokers
    .filter((b) => b.status === "alive")
    .map((b) => b.id)
    .sort((a, b) => a - b);
}

/** The largest replication factor in the cluster (0 without partitions). */
export function largestRf(cluster: Cluster): number {
  let rf = 0;
  for (const t of cluster.topics) for (const p of t.partitions) rf = Math.max(rf, p.replicas.length);
  return rf;
}

/**
 * Brokers to exclude: a subset of the alive brokers (possibly empty) that leaves at least `keep`
 * alive brokers eligible.
 */
export function excludeArb(cluster: Cluster, keep: number): fc.Arbitrary<number[]> {
  const alive = aliveIds(cluster);
  const most = Math.max(0, alive.length - keep);
  return fc.subarray(alive, { minLength: 0, maxLength: Math.min(most, 2) }).map((ids) => [...ids].sort((a, b) => a - b));
}

/** Goal lists: any order of any non-empty subset of the goals. */
export const goalsArb: fc.Arbitrary<GoalName[]> = fc.shuffledSubarray([...GOAL_NAMES], { minLength: 1 });

/** Excluded-topic patterns over the generator's topic names (topic-000 …). */
export const excludeTopicsArb: fc.Arbitrary<string[]> = fc.subarray(["^topic-000$", "-001$", "topic-00[23]"], { minLength: 1 });

/** A cluster with plan options for it: excluded brokers (feasible), goals, excluded topics, rng seed. */
export interface PlanCase {
  readonly c: ClusterCase;
  readonly options: PlanOptions;
}

export interface PlanCaseShape {
  /** Draw a goal list (default: the default goals). */
  readonly goals?: boolean;
  /** Draw excluded topics (default: none). */
  readonly excludeTopics?: boolean;
  /** Draw excluded brokers (default: yes). */
  readonly excludeBrokers?: boolean;
}

/** A cluster and plan options; excluded brokers always leave enough eligible brokers for every partition. */
export function planCaseArb(shape: PlanCaseShape = {}): fc.Arbitrary<PlanCase> {
  return clusterArb.chain((c) =>
    fc
      .record({
        excludeBrokers: shape.excludeBrokers === false ? fc.constant<number[]>([]) : excludeArb(c.cluster, largestRf(c.cluster)),
        goals: shape.goals === true ? fc.option(goalsArb, { nil: undefined }) : fc.constant(undefined),
        excludeTopics: shape.excludeTopics === true ? excludeTopicsArb : fc.constant<string[]>([]),
      })
      .map(({ excludeBrokers, goals, excludeTopics }): PlanCase => {
        const options: PlanOptions = {
          ...(excludeBrokers.length > 0 ? { excludeBrokers } : {}),
          ...(goals !== undefined ? { goals } : {}),
          ...(excludeTopics.length > 0 ? { excludeTopics } : {}),
        };
        return { c, options };
      }),
  );
}

/** A generated cluster's placement state and targets (rack rule on, 10% disk band), with a seeded generator for drawing actions. */
export interface StateCase {
  readonly state: PlacementState;
  readonly targets: Targets;
  readonly rng: Rng;
}

export const stateCaseArb: fc.Arbitrary<StateCase> = fc.tuple(clusterArb, fc.integer({ min: 0, max: 2 ** 31 - 1 })).map(([c, seed]) => {
  const state = new PlacementState(c.cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  return { state, targets: new Targets(state, { rackSpread: true, diskThreshold: 0.1 }), rng: createRng(seed) };
});
