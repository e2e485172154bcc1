/**
 * Copy progress an operator can trust. Counting a partition's bytes only when it finishes shows
 * "0 B/s, ETA –" until the first one does and makes the ETA jump with every finish; instead the
 * brokers are asked (DescribeLogDirs, for the in-flight partitions only) how much each adding
 * replica already holds. Bytes copied = every finished partition's bytes + what the adding replicas
 * hold (each capped at the partition's size). The rate is how fast that figure grew over the last
 * WINDOW_MS, so a throttle change shows within a minute and a finish does not make it jump.
 */
import type { KafkaPort } from "./port.js";
import { partitionKey } from "./port.js";
import type { MoveTask } from "./types.js";
import { added } from "./types.js";

/** Fewest milliseconds between two reads of the adding replicas' sizes (one request per broker). */
export const READ_EVERY_MS = 5000;
/** The rate is measured over this much of the recent past. */
export const WINDOW_MS = 60_000;
/** Two readings closer than this say nothing of a rate: none is given until they span this long. */
const MIN_SPAN_MS = 2000;

interface Sample {
  readonly at: number;
  readonly bytes: number;
}

export class CopyMeter {
  /** `topic-partition@broker` → bytes that adding replica held at the last read. */
  private readonly held = new Map<string, number>();
  private readonly samples: Sample[] = [];
  private lastRead = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly port: KafkaPort,
    private readonly readEveryMs = READ_EVERY_MS,
  ) {}

  /**
   * Reads what the adding replicas of `inFlight` hold, unless the last read was less than
   * readEveryMs before `now` (and not `force`). Returns whether it read. Brokers not in `alive`
   * (when given) are not asked; a failed read keeps the figures of the last one: they only feed
   * the progress report.
   */
  async read(inFlight: readonly MoveTask[], now: number, force = false, alive: ReadonlySet<number> | null = null): Promise<boolean> {
    if (!force && now - this.lastRead < this.readEveryMs) return false;
    this.lastRead = now;
    const current = new Set(inFlight.map((t) => partitionKey(t)));
    for (const key of this.held.keys()) if (!current.has(key.slice(0, key.lastIndexOf("@")))) this.held.delete(key);
    const copying = inFlight.filter((t) => added(t).length > 0);
    if (copying.length === 0) return true;
    const brokers = [...new Set(copying.flatMap((t) => added(t)))].filter((b) => alive === null || alive.has(b)).sort((a, b) => a - b);
    if (brokers.length === 0) return false;
    let dirs: Awaited<ReturnType<KafkaPort["describeLogDirs"]>>;
    try {
      dirs = await this.port.describeLogDirs(
        brokers,
        copying.map((t) => ({ topic: t.topic, partition: t.partition })),
      );
    } catch {
      return false;
    }
    // Broker → the adding replicas it holds (or should), keyed `topic-partition@broker`.
    const wanted = new Map<number, Set<string>>();
    for (const t of copying) {
      const k = partitionKey(t);
      for (const b of added(t)) {
        let keys = wanted.get(b);
        if (!keys) wanted.set(b, (keys = new Set()));
        keys.add(`${k}@${String(b)}`);
      }
    }
    for (const [broker, replicas] of dirs) {
      const keys = wanted.get(broker);
      if (!keys) continue;
      const sizes = new Map<string, number>();
      for (const r of replicas) {
        const key = `${partitionKey(r)}@${String(broker)}`;
        if (keys.has(key)) sizes.set(key, Math.max(sizes.get(key) ?? 0, r.size));
      }
      // A broker that answered without the replica has not made it yet.
      for (const key of keys) this.held.set(key, sizes.get(key) ?? 0);
    }
    return true;
  }

  /** Bytes the adding replicas of `task` held at the last read, at most the bytes it copies. */
  copiedOf(task: MoveTask): number {
    return added(task).reduce((sum, b) => sum + Math.min(task.size, this.held.get(`${partitionKey(task)}@${String(b)}`) ?? 0), 0);
  }

  /** Records the bytes copied so far at `at`; forgets readings older than the window. */
  sample(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - WINDOW_MS) this.samples.shift();
  }

  /** Bytes/s over the window, or null while the readings span too short a time. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < MIN_SPAN_MS) return null;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}
