/**
 * The disk band a broker can reach. A broker holding a replica larger than the top of its disk band
 * cannot get inside the band, whatever else it holds: that replica is a floor under its disk use.
 * Squeezing such a broker towards the floor fills it with the smallest replicas in the cluster, which
 * usually come from a handful of tiny topics, and topic spread can never undo that without adding
 * disk back. So the disk goal holds the broker to its reachable band instead: up to FLOOR_SLACK above
 * its largest replica. Inside that, the broker's other replicas are free for the goals after disk.
 */
import type { PlacementState } from "../state.js";
import { BrokerBand } from "../load-targets.js";
import type { Targets } from "../targets.js";

/** How far above its largest replica a broker held by that floor may go (the planner's quality target). */
export const FLOOR_SLACK = 0.02;
/**
 * How far above its largest replica the disk goal brings a broker it finds above FLOOR_SLACK: half
 * way, so that the goals after disk have room to choose the rest of its replicas (for topic spread
 * above all) without crossing the band's top.
 */
export const FLOOR_AIM = FLOOR_SLACK / 2;

/**
 * The disk band with each broker's top raised to its floor (largest replica × (1 + FLOOR_SLACK)) where
 * that is higher. Only partitions that could raise some broker's top are watched (few: they are
 * larger than a band); a broker's top is worked out again when its replicas have changed since.
 * One per placement and targets serves every reader (`of`).
 */
export class DiskFloors extends BrokerBand {
  private static readonly byState = new WeakMap<PlacementState, DiskFloors>();

  /** Partitions larger than the lowest band top ÷ (1 + FLOOR_SLACK), largest first (ties: index). */
  private readonly large: Int32Array;
  /** Per broker, state.membersChangedAt when its top was worked out (−1: never). */
  private readonly seen: Float64Array;
  /** Per broker, where the disk goal brings it when it is above its top (worked out with the top). */
  private readonly aim: Float64Array;
  /** The band with each broker's top at its aim: what the disk goal weighs its own actions by. */
  readonly aims: BrokerBand;

  private constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
  ) {
    super(targets.diskIdeal, targets.diskLow, Float64Array.from(targets.diskHigh));
    const B = state.brokerCount;
    let lowestTop = Infinity;
    for (let b = 0; b < B; b++) if (state.eligible[b]) lowestTop = Math.min(lowestTop, targets.diskHighOf(b));
    const large: number[] = [];
    for (let p = 0; p < state.partitionCount; p++) if (state.sizeOf(p) * (1 + FLOOR_SLACK) > lowestTop) large.push(p);
    large.sort((x, y) => state.sizeOf(y) - state.sizeOf(x) || x - y);
    this.large = Int32Array.from(large);
    this.seen = new Float64Array(B).fill(-1);
    this.aim = Float64Array.from(targets.diskHigh);
    const floors = this;
    this.aims = new (class extends BrokerBand {
      override highOf(b: number): number {
        return floors.aimOf(b);
      }
      override deviationOf(b: number, value: number): number {
        floors.highOf(b);
        return super.deviationOf(b, value);
      }
    })(targets.diskIdeal, targets.diskLow, this.aim);
  }

  static of(state: PlacementState, targets: Targets): DiskFloors {
    let floors = DiskFloors.byState.get(state);
    if (floors === undefined || floors.targets !== targets) {
      floors = new DiskFloors(state, targets);
      DiskFloors.byState.set(state, floors);
    }
    return floors;
  }

  /** The top of broker b's reachable band. */
  override highOf(b: number): number {
    const at = this.state.membersChangedAt[b]!;
    if (this.seen[b] !== at) {
      this.seen[b] = at;
      const band = this.targets.diskHighOf(b);
      let largest = 0;
      for (const p of this.large) {
        if (this.state.slotOf(p, b) < 0) continue;
        largest = this.state.sizeOf(p);
        break;
      }
      this.high[b] = Math.max(band, largest * (1 + FLOOR_SLACK));
      this.aim[b] = Math.max(band, largest * (1 + FLOOR_AIM));
    }
    return this.high[b]!;
  }

  /** Where the disk goal brings broker b when b is above its top: below the top when b is held by its largest replica. */
  aimOf(b: number): number {
    this.highOf(b);
    return this.aim[b]!;
  }

  /** The tops of the brokers an action touches, brought up to date first: read only at those brokers. */
  highsAt(b1: number, b2: number): Float64Array {
    this.highOf(b1);
    this.highOf(b2);
    return this.high;
  }

  override deviationOf(b: number, value: number): number {
    this.highOf(b);
    return super.deviationOf(b, value);
  }
}
