/**
 * Copy progress an operator can trust. Counting a partition's bytes only when it finishes shows
 * "0 B/s, ETA –" until the first one does and makes the ETA jump with every finish; instead the
 * brokers are asked (DescribeLogDirs, for the in-flight partitions only) how much each adding
 * replica already holds. Bytes copied = every finished partition's bytes + what the adding replicas
 * hold (each capped at the partition's size). The rate is how fast that figure grew over the last
 * WINDOW_MS, so a throttle change shows within a minute and a finish does not make it jump.
 */
import type { KafkaPort } from "./port.js";
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

/** What the adding replicas of one task held at the last read, by its added brokers. */
interface Held {
  readonly adds: readonly number[];
  /** Bytes per added broker, in the order of `adds` (undefined: not read yet). */
  readonly bytes: Array<number | undefined>;
}

export class CopyMeter {
  /** Per task in flight, what its adding replicas held at the last read. */
  private readonly held = new Map<MoveTask, Held>();
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
    const current = new Set(inFlight);
    for (const t of this.held.keys()) if (!current.has(t)) this.held.delete(t);
    const copying: MoveTask[] = [];
    const brokerSet = new Set<number>();
    for (const t of inFlight) {
      let h = this.held.get(t);
      if (h === undefined) {
        const adds = added(t);
        if (adds.length === 0) continue;
        h = { adds, bytes: adds.map(() => undefined) };
        this.held.set(t, h);
      }
      copying.push(t);
      for (const b of h.adds) if (alive === null || alive.has(b)) brokerSet.add(b);
    }
    if (copying.length === 0) return true;
    const brokers = [...brokerSet].sort((a, b) => a - b);
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
    // Topic → partition → the task copying it, to find each replica's task without a key string.
    const tasks = new Map<string, Map<number, MoveTask>>();
    for (const t of copying) {
      let parts = tasks.get(t.topic);
      if (!parts) tasks.set(t.topic, (parts = new Map()));
      parts.set(t.partition, t);
    }
    // A broker that answered without an adding replica it should hold has not made it yet: 0.
    for (const h of this.held.values()) {
      for (let i = 0; i < h.adds.length; i++) if (dirs.has(h.adds[i]!)) h.bytes[i] = 0;
    }
    for (const [broker, replicas] of dirs) {
      for (const r of replicas) {
        const t = tasks.get(r.topic)?.get(r.partition);
        const h = t === undefined ? undefined : this.held.get(t);
        const i = h === undefined ? -1 : h.adds.indexOf(broker);
        if (h !== undefined && i !== -1) h.bytes[i] = Math.max(h.bytes[i] ?? 0, r.size);
      }
    }
    return true;
  }

  /** Bytes the adding replicas of `task` held at the last read, at most the bytes it copies. */
  copiedOf(task: MoveTask): number {
    const h = this.held.get(task);
    if (h === undefined) return 0;
    let sum = 0;
    for (const b of h.bytes) sum += Math.min(task.size, b ?? 0);
    return sum;
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
