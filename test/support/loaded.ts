/**
 * Small generated clusters with realistic load and capacities (every resource limited), and random
 * replica moves on a placement: for properties of the capacity and load code over under- and
 * over-loaded placements.
 */
import { BallastError } from "../../src/model/errors.js";
import { generateCluster } from "../../src/model/generate.js";
import { type Rng, createRng } from "../../src/model/random.js";
import type { Cluster } from "../../src/model/types.js";
import type { PlacementState } from "../../src/solver/state.js";

export interface LoadedShape {
  readonly brokers: number;
  readonly racks: number;
  readonly topics: number;
  readonly rf: number;
  readonly seed: number;
  /** Utilisation of disk, network in and network out, percent. */
  readonly use: readonly [number, number, number];
  /** Hot partitions at 1.6 × the mean network out (default none). */
  readonly hot?: number;
}

/** The generated cluster, or null when its hot partitions would carry more than the cluster can. */
export function loadedCluster(c: LoadedShape): Cluster | null {
  try {
    return generateCluster(
      {
        brokers: c.brokers,
        racks: Math.min(c.racks, c.brokers),
        placement: "skewed",
        topics: c.topics,
        partitions: { min: 2, max: 12 },
        replicationFactor: Math.min(c.rf, c.brokers),
        load: {
          topicRate: { kind: "lognormal", mean: 1024 * 1024, sigma: 2 },
          keySkew: 0.6,
          fanOut: { min: 0, max: 3 },
          ...(c.hot !== undefined && c.hot > 0 ? { hot: { count: c.hot, factor: 1.6 } } : {}),
          utilisation: { disk: c.use[0] / 100, networkIn: c.use[1] / 100, networkOut: c.use[2] / 100 },
        },
      },
      createRng(c.seed),
    );
  } catch (e) {
    if (e instanceof BallastError) return null;
    throw e;
  }
}

/** Moves `count` random replicas to random brokers that hold none of their partition. */
export function randomMoves(state: PlacementState, rng: Rng, count: number): void {
  for (let i = 0; i < count; i++) {
    const p = Math.floor(rng.next() * state.partitionCount);
    const slot = Math.floor(rng.next() * state.rf[p]!);
    const to = Math.floor(rng.next() * state.brokerCount);
    if (state.slotOf(p, to) < 0) state.apply({ kind: "move", p, slot, to });
  }
}
