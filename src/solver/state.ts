/**
 * The working model of the optimizer: the cluster in compact, indexed form (typed arrays, integer
 * indices), with every aggregate the goals read (replica counts, preferred leaders, disk, per-topic
 * counts) kept up to date incrementally. It changes only through `apply` (one door), so no goal can
 * leave a sum stale.
 *
 * Brokers are indexed in ascending id order, racks and hosts in ascending name order, partitions in
 * ascending (topic name, partition number) order: ties broken by index are ties broken by id, and the
 * order of topics in the input file does not matter.
 */
import { internalError } from "../model/errors.js";
import type { Cluster, Partition } from "../model/types.js";
import { grown } from "./arrays.js";

export type Action =
  /** Replace the replica at `slot` of partition `p` by broker `to`. */
  | { readonly kind: "move"; readonly p: number; readonly slot: number; readonly to: number }
  /** Exchange the brokers of replica (`p`, `slot`) and replica (`q`, `qSlot`). */
  | { readonly kind: "swap"; readonly p: number; readonly slot: number; readonly q: number; readonly qSlot: number }
  /** Make the replica at `slot` of `p` the preferred leader (exchanges it with slot 0; no data moves). */
  | { readonly kind: "lead"; readonly p: number; readonly slot: number }
  /**
   * Two (or three) leadership changes at once: `p`'s leadership to its replica at `slot` and `q`'s
   * to its replica at `qSlot` (no data moves). Two brokers trading leaderships this way keep their
   * leader counts while leader-carried load (network out, leader bytes) moves between them.
   */
  | {
      readonly kind: "trade";
      readonly p: number;
      readonly slot: number;
      readonly q: number;
      readonly qSlot: number;
      /**
       * A third leadership change closing a ring of three brokers: `r`'s leadership to its replica at
       * `rSlot`. b hands p to x, x hands r to v, v hands q to b: every leader count stays.
       */
      readonly r?: number;
      readonly rSlot?: number;
    };

/** A change of preferred leader: partition p's leadership from broker `from` to broker `to`. */
export interface LeaderChange {
  readonly p: number;
  readonly from: number;
  readonly to: number;
}

/** One replica changing broker, as an action implies it. */
export interface ReplicaChange {
  readonly p: number;
  readonly slot: number;
  readonly from: number;
  readonly to: number;
}

export interface StateOptions {
  readonly excludeBrokers: ReadonlySet<number>;
  /** Returns true for topics whose partitions must not move (unless forced off an ineligible broker). */
  readonly isFrozenTopic: (topic: string) => boolean;
}

/** Moves `amount` of a per-broker sum from index `from` to index `to`. */
function shift(sums: Float64Array, from: number, to: number, amount: number): void {
  sums[from] = sums[from]! - amount;
  sums[to] = sums[to]! + amount;
}

/** Moves one from the count at index `from` to the count at index `to`. */
function shiftCount(counts: Int32Array, from: number, to: number): void {
  counts[from] = counts[from]! - 1;
  counts[to] = counts[to]! + 1;
}

/** Separator in internal host keys; brokers without a host are each their own host. */
const IMPLICIT_HOST = "\u0000";

export class PlacementState {
  readonly brokerCount: number;
  readonly brokerIds: Int32Array;
  readonly rackNames: readonly string[];
  readonly rackOf: Int32Array;
  /** True when the snapshot names racks; otherwise every broker is its own rack. */
  readonly hasRacks: boolean;
  /** Internal host keys (a host is scoped to its rack). */
  readonly hostNames: readonly string[];
  /** Each broker's host as the snapshot names it ("" when none). */
  readonly hostLabels: readonly string[];
  readonly hostOf: Int32Array;
  readonly dead: Uint8Array;
  readonly excluded: Uint8Array;
  readonly eligible: Uint8Array;
  readonly eligibleCount: number;
  /** Disk capacity in bytes; 0 when unknown. */
  readonly diskCapacity: Float64Array;
  /** True when every eligible broker has a disk capacity. */
  readonly hasDiskCapacity: boolean;
  /** Network capacities in bytes/s; 0 when unknown. */
  readonly netInCapacity: Float64Array;
  readonly netOutCapacity: Float64Array;
  /** True when every eligible broker has that network capacity. */
  readonly hasNetInCapacity: boolean;
  readonly hasNetOutCapacity: boolean;

  readonly partitionCount: number;
  readonly topicNames: readonly string[];
  readonly topicOf: Int32Array;
  /** Partitions of topic t are the indices topicStart[t] .. topicStart[t + 1] - 1. */
  readonly topicStart: Int32Array;
  readonly partitionNumber: Int32Array;
  /** The snapshot's partition objects, by partition index. */
  readonly source: readonly Partition[];
  readonly rf: Int32Array;
  readonly offset: Int32Array;
  readonly replicas: Int32Array;
  readonly original: Int32Array;
  readonly size: Float64Array;
  /** Produce rate and consume rate per partition, bytes/s. */
  readonly bytesIn: Float64Array;
  readonly bytesOut: Float64Array;
  /** Per partition: what its leader sends (consumers plus one copy of bytesIn per follower). */
  readonly leaderOut: Float64Array;
  /** Per-partition CPU figure (0 when the snapshot gives none); counted on the leader. */
  readonly cpuLoad: Float64Array;
  /** True when some partition has a CPU figure. */
  readonly hasCpu: boolean;
  readonly frozen: Uint8Array;
  readonly maxRf: number;

  readonly count: Int32Array;
  readonly leaders: Int32Array;
  readonly disk: Float64Array;
  /** topicCount[t * brokerCount + b]: replicas of topic t on broker b. */
  readonly topicCount: Int32Array;
  /** Network in per broker: bytesIn of every replica it holds (produce on leaders, fetch on followers). */
  readonly netIn: Float64Array;
  /** Network out per broker: leaderOut of every partition it leads. */
  readonly netOut: Float64Array;
  /** Leader bytes per broker: bytesIn of every partition it leads. */
  readonly leaderBytes: Float64Array;
  /** CPU per broker: cpuLoad of every partition it leads. */
  readonly cpu: Float64Array;

  /** Replica moves so far (brokers added to a partition's original replica set). */
  moves = 0;
  bytesMoved = 0;

  private readonly brokerIndex: Map<number, number>;
  private readonly parts: Int32Array[];
  private readonly partsLen: Int32Array;
  /** Position of replica slot (offset[p] + slot) in its broker's list. */
  private readonly pos: Int32Array;

  constructor(cluster: Cluster, options: StateOptions) {
    const brokers = [...cluster.brokers].sort((a, b) => a.id - b.id);
    const B = brokers.length;
    this.brokerCount = B;
    this.brokerIds = Int32Array.from(brokers.map((b) => b.id));
    this.brokerIndex = new Map(brokers.map((b, i) => [b.id, i]));
    this.hasRacks = brokers.some((b) => b.rack !== undefined);
    // Failure domains: the rack; without racks, the host where one is given (brokers sharing a
    // machine fail together), else the broker itself. Without racks, domains keep broker-id order.
    const rackKeys = brokers.map((b) => b.rack ?? (b.host !== undefined ? `host ${b.host}` : `broker ${String(b.id)}`));
    this.rackNames = this.hasRacks ? [...new Set(rackKeys)].sort() : [...new Set(rackKeys)];
    const rackIndex = new Map(this.rackNames.map((r, i) => [r, i]));
    this.rackOf = Int32Array.from(rackKeys.map((r) => rackIndex.get(r) ?? 0));
    // A host belongs to one rack: the same host name in two racks is two hosts.
    const hostKeys = brokers.map((b, i) =>
      b.host === undefined ? `${IMPLICIT_HOST}${String(b.id)}` : `${String(this.rackOf[i])}${IMPLICIT_HOST}${b.host}`,
    );
    this.hostLabels = brokers.map((b) => b.host ?? "");
    this.hostNames = [...new Set(hostKeys)].sort();
    const hostIndex = new Map(this.hostNames.map((h, i) => [h, i]));
    this.hostOf = Int32Array.from(hostKeys.map((h) => hostIndex.get(h) ?? 0));

    this.dead = Uint8Array.from(brokers.map((b) => (b.status === "dead" ? 1 : 0)));
    this.excluded = Uint8Array.from(brokers.map((b) => (options.excludeBrokers.has(b.id) ? 1 : 0)));
    this.eligible = Uint8Array.from(brokers.map((_, i) => (this.dead[i] || this.excluded[i] ? 0 : 1)));
    this.eligibleCount = this.eligible.reduce((a, e) => a + e, 0);
    this.diskCapacity = Float64Array.from(brokers.map((b) => b.capacity.disk ?? 0));
    this.hasDiskCapacity =
      this.eligibleCount > 0 && brokers.every((b, i) => !this.eligible[i] || (b.capacity.disk ?? 0) > 0);
    this.netInCapacity = Float64Array.from(brokers.map((b) => b.capacity.networkIn ?? 0));
    this.netOutCapacity = Float64Array.from(brokers.map((b) => b.capacity.networkOut ?? 0));
    this.hasNetInCapacity = this.eligibleCount > 0 && this.netInCapacity.every((c, i) => !this.eligible[i] || c > 0);
    this.hasNetOutCapacity = this.eligibleCount > 0 && this.netOutCapacity.every((c, i) => !this.eligible[i] || c > 0);

    const topics = [...cluster.topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.topicNames = topics.map((t) => t.name);
    const source: Partition[] = [];
    const topicOf: number[] = [];
    topics.forEach((t, ti) => {
      const ps = [...t.partitions].sort((a, b) => a.partition - b.partition);
      for (const p of ps) {
        source.push(p);
        topicOf.push(ti);
      }
    });
    const P = source.length;
    this.partitionCount = P;
    this.source = source;
    this.topicOf = Int32Array.from(topicOf);
    this.topicStart = new Int32Array(topics.length + 1);
    for (let p = 0; p < P; p++) this.topicStart[topicOf[p]! + 1] = p + 1;
    for (let t = 0; t < topics.length; t++) this.topicStart[t + 1] = Math.max(this.topicStartOf(t + 1), this.topicStartOf(t));
    this.partitionNumber = Int32Array.from(source.map((p) => p.partition));
    this.rf = Int32Array.from(source.map((p) => p.replicas.length));
    this.offset = new Int32Array(P + 1);
    let maxRf = 0;
    for (let p = 0; p < P; p++) {
      const r = this.rfOf(p);
      this.offset[p + 1] = this.offsetOf(p) + r;
      if (r > maxRf) maxRf = r;
    }
    this.maxRf = maxRf;
    const R = this.offsetOf(P);
    this.replicas = new Int32Array(R);
    for (let p = 0; p < P; p++) {
      const reps = source[p]!.replicas;
      const o = this.offsetOf(p);
      for (let s = 0; s < reps.length; s++) {
        const b = this.brokerIndex.get(reps[s]!);
        if (b === undefined) throw internalError(`replica on unknown broker ${String(reps[s])}`);
        this.replicas[o + s] = b;
      }
    }
    this.original = this.replicas.slice();
    this.size = Float64Array.from(source.map((p) => p.size));
    this.bytesIn = Float64Array.from(source.map((p) => p.bytesIn));
    this.bytesOut = Float64Array.from(source.map((p) => p.bytesOut));
    this.leaderOut = Float64Array.from(source.map((p) => p.bytesOut + (p.replicas.length - 1) * p.bytesIn));
    this.cpuLoad = Float64Array.from(source.map((p) => p.cpu ?? 0));
    this.hasCpu = source.some((p) => p.cpu !== undefined);
    const frozenTopic = this.topicNames.map((n) => (options.isFrozenTopic(n) ? 1 : 0));
    this.frozen = Uint8Array.from(topicOf.map((t) => frozenTopic[t] ?? 0));

    this.count = new Int32Array(B);
    this.leaders = new Int32Array(B);
    this.disk = new Float64Array(B);
    this.topicCount = new Int32Array(this.topicNames.length * B);
    this.netIn = new Float64Array(B);
    this.netOut = new Float64Array(B);
    this.leaderBytes = new Float64Array(B);
    this.cpu = new Float64Array(B);
    for (let p = 0; p < P; p++) {
      const o = this.offsetOf(p);
      const lead = this.replicas[o]!;
      this.leaders[lead]!++;
      this.netOut[lead]! += this.leaderOutOf(p);
      this.leaderBytes[lead]! += this.bytesInOf(p);
      this.cpu[lead]! += this.cpuLoadOf(p);
      for (let s = 0; s < this.rfOf(p); s++) {
        const b = this.replicas[o + s]!;
        this.count[b]!++;
        this.disk[b]! += this.sizeOf(p);
        this.netIn[b]! += this.bytesInOf(p);
        this.topicCount[this.topicIndexOf(p) * B + b]!++;
      }
    }
    this.brokerVersion = new Uint32Array(B);
    this.touchedAt = new Float64Array(B);
    this.membersChangedAt = new Float64Array(B);
    this.partitionChangedAt = new Float64Array(P);
    this.membershipLog = Array.from({ length: B }, () => []);
    this.parts = [];
    this.partsLen = new Int32Array(B);
    this.pos = new Int32Array(R);
    for (let b = 0; b < B; b++) this.parts.push(new Int32Array(Math.max(4, this.countOf(b) + 8)));
    for (let p = 0; p < P; p++) {
      for (let s = 0; s < this.rfOf(p); s++) this.listAdd(this.brokerAt(p, s), p, s);
    }
    this.logging = true;
  }

  // Typed reads of the arrays above: an index the state made is always in range.

  /** Partition p's replication factor. */
  rfOf(p: number): number {
    return this.rf[p]!;
  }

  /** Where partition p's replicas start in `replicas` and `original`. */
  offsetOf(p: number): number {
    return this.offset[p]!;
  }

  /** Partition p's size in bytes. */
  sizeOf(p: number): number {
    return this.size[p]!;
  }

  /** Partition p's produce rate, bytes/s. */
  bytesInOf(p: number): number {
    return this.bytesIn[p]!;
  }

  /** What partition p's leader sends, bytes/s. */
  leaderOutOf(p: number): number {
    return this.leaderOut[p]!;
  }

  /** Partition p's CPU figure. */
  cpuLoadOf(p: number): number {
    return this.cpuLoad[p]!;
  }

  /** The index of partition p's topic. */
  topicIndexOf(p: number): number {
    return this.topicOf[p]!;
  }

  /** The index of topic t's first partition (topicStartOf(t + 1) is one past its last). */
  topicStartOf(t: number): number {
    return this.topicStart[t]!;
  }

  /** Topic t's name. */
  topicNameOf(t: number): string {
    return this.topicNames[t]!;
  }

  /** Broker b's id. */
  idOf(b: number): number {
    return this.brokerIds[b]!;
  }

  /** The index of broker b's rack. */
  rackIndexOf(b: number): number {
    return this.rackOf[b]!;
  }

  /** Rack r's name. */
  rackNameOf(r: number): string {
    return this.rackNames[r]!;
  }

  /** The index of broker b's host. */
  hostIndexOf(b: number): number {
    return this.hostOf[b]!;
  }

  /** Replicas on broker b. */
  countOf(b: number): number {
    return this.count[b]!;
  }

  /** Partitions broker b leads. */
  leadersOf(b: number): number {
    return this.leaders[b]!;
  }

  /** Bytes on broker b's disk. */
  diskOf(b: number): number {
    return this.disk[b]!;
  }

  /** Broker b's network in, bytes/s. */
  netInOf(b: number): number {
    return this.netIn[b]!;
  }

  /** Broker b's network out, bytes/s. */
  netOutOf(b: number): number {
    return this.netOut[b]!;
  }

  /** Bytes/s produced to the partitions broker b leads. */
  leaderBytesOf(b: number): number {
    return this.leaderBytes[b]!;
  }

  /** Broker b's CPU figure. */
  cpuOf(b: number): number {
    return this.cpu[b]!;
  }

  /** Broker b's version: bumped whenever its set of partitions changes (for caches keyed on it). */
  versionOf(b: number): number {
    return this.brokerVersion[b]!;
  }

  /** Replicas of topic t on broker b. */
  topicCountOf(t: number, b: number): number {
    return this.topicCount[t * this.brokerCount + b]!;
  }

  brokerIndexOf(id: number): number | undefined {
    return this.brokerIndex.get(id);
  }

  brokerAt(p: number, slot: number): number {
    return this.replicas[this.offset[p]! + slot]!;
  }

  /** The slot of broker b in partition p, or -1. */
  slotOf(p: number, b: number): number {
    const o = this.offset[p]!;
    const r = this.rf[p]!;
    for (let s = 0; s < r; s++) if (this.replicas[o + s] === b) return s;
    return -1;
  }

  wasOriginally(p: number, b: number): boolean {
    const o = this.offset[p]!;
    const r = this.rf[p]!;
    for (let s = 0; s < r; s++) if (this.original[o + s] === b) return true;
    return false;
  }

  /** Number of replicas on broker b (same as count[b]). */
  partitionsOnCount(b: number): number {
    return this.partsLen[b]!;
  }

  /** A snapshot of the partitions that have a replica on broker b (safe to mutate the state while iterating it). */
  partitionsOn(b: number): Int32Array {
    return this.parts[b]!.slice(0, this.partsLen[b]!);
  }

  /** Where the replica in slot `slot` of partition p sits in its broker's list (see partitionOnAt). */
  positionOf(p: number, slot: number): number {
    return this.pos[this.offset[p]! + slot]!;
  }

  /** The i-th partition on broker b (live view; invalid after the next apply). */
  partitionOnAt(b: number, i: number): number {
    return this.parts[b]![i]!;
  }

  /** Change in the move count if the replica at (p, slot) went to broker `to`. */
  moveDelta(p: number, slot: number, to: number): number {
    const from = this.brokerAt(p, slot);
    return (this.wasOriginally(p, to) ? 0 : 1) - (this.wasOriginally(p, from) ? 0 : 1);
  }

  /** The replica changes an action implies. */
  changes(a: Action): ReplicaChange[] {
    switch (a.kind) {
      case "move":
        return [{ p: a.p, slot: a.slot, from: this.brokerAt(a.p, a.slot), to: a.to }];
      case "swap": {
        const b1 = this.brokerAt(a.p, a.slot);
        const b2 = this.brokerAt(a.q, a.qSlot);
        return [
          { p: a.p, slot: a.slot, from: b1, to: b2 },
          { p: a.q, slot: a.qSlot, from: b2, to: b1 },
        ];
      }
      case "lead":
      case "trade":
        return [];
    }
  }

  /** The leadership changes a "lead" or "trade" action makes (none for moves and swaps). */
  leaderChanges(a: Action): LeaderChange[] {
    if (a.kind !== "lead" && a.kind !== "trade") return [];
    const out: LeaderChange[] = [];
    if (a.slot !== 0) out.push({ p: a.p, from: this.brokerAt(a.p, 0), to: this.brokerAt(a.p, a.slot) });
    if (a.kind === "trade" && a.qSlot !== 0) out.push({ p: a.q, from: this.brokerAt(a.q, 0), to: this.brokerAt(a.q, a.qSlot) });
    if (a.kind === "trade" && a.r !== undefined && a.rSlot !== undefined && a.rSlot !== 0) {
      out.push({ p: a.r, from: this.brokerAt(a.r, 0), to: this.brokerAt(a.r, a.rSlot) });
    }
    return out;
  }

  /** The leaderships an action of any kind hands on: a moved leader replica takes its leadership along. */
  handedLeaderships(a: Action): LeaderChange[] {
    if (a.kind === "lead" || a.kind === "trade") return this.leaderChanges(a);
    return this.changes(a)
      .filter((c) => c.slot === 0)
      .map(({ p, from, to }) => ({ p, from, to }));
  }

  /** Change in moves and bytes moved an action would cause. */
  cost(a: Action): { moves: number; bytes: number } {
    switch (a.kind) {
      case "lead":
      case "trade":
        return { moves: 0, bytes: 0 };
      case "move": {
        const d = this.moveDelta(a.p, a.slot, a.to);
        return { moves: d, bytes: d * this.size[a.p]! };
      }
      case "swap": {
        const b1 = this.brokerAt(a.p, a.slot);
        const b2 = this.brokerAt(a.q, a.qSlot);
        const dp = this.moveDelta(a.p, a.slot, b2);
        const dq = this.moveDelta(a.q, a.qSlot, b1);
        return { moves: dp + dq, bytes: dp * this.size[a.p]! + dq * this.size[a.q]! };
      }
    }
  }

  /** The one door through which the placement changes. */
  apply(a: Action): void {
    switch (a.kind) {
      case "move":
        this.moveReplica(a.p, a.slot, a.to);
        return;
      case "swap": {
        const b1 = this.brokerAt(a.p, a.slot);
        const b2 = this.brokerAt(a.q, a.qSlot);
        this.moveReplica(a.p, a.slot, b2);
        this.moveReplica(a.q, a.qSlot, b1);
        return;
      }
      case "lead":
        this.lead(a.p, a.slot);
        return;
      case "trade":
        this.lead(a.p, a.slot);
        this.lead(a.q, a.qSlot);
        if (a.r !== undefined && a.rSlot !== undefined) this.lead(a.r, a.rSlot);
        return;
    }
  }

  /** The replica at `slot` of p becomes the preferred leader (exchanging places with slot 0). */
  private lead(p: number, slot: number): void {
    if (slot === 0) return;
    const o = this.offset[p]!;
    const oldLeader = this.replicas[o]!;
    const newLeader = this.replicas[o + slot]!;
    const leaderPos = this.pos[o]!;
    this.replicas[o] = newLeader;
    this.replicas[o + slot] = oldLeader;
    this.pos[o] = this.pos[o + slot]!;
    this.pos[o + slot] = leaderPos;
    shiftCount(this.leaders, oldLeader, newLeader);
    this.shiftLeadLoad(p, oldLeader, newLeader);
    this.changeCount++;
    this.partitionChangedAt[p] = this.changeCount;
    this.touch(oldLeader);
    this.touch(newLeader);
  }

  private moveReplica(p: number, slot: number, to: number): void {
    const o = this.offset[p]!;
    const from = this.replicas[o + slot]!;
    if (from === to) return;
    const d = this.moveDelta(p, slot, to);
    this.moves += d;
    this.bytesMoved += d * this.size[p]!;
    this.listRemove(from, p, slot);
    this.replicas[o + slot] = to;
    this.listAdd(to, p, slot);
    const B = this.brokerCount;
    const t = this.topicOf[p]!;
    const sz = this.size[p]!;
    shiftCount(this.count, from, to);
    shift(this.disk, from, to, sz);
    shift(this.netIn, from, to, this.bytesIn[p]!);
    shiftCount(this.topicCount, t * B + from, t * B + to);
    if (slot === 0) {
      shiftCount(this.leaders, from, to);
      this.shiftLeadLoad(p, from, to);
    }
    this.changeCount++;
    this.partitionChangedAt[p] = this.changeCount;
    this.membersChangedAt[from] = this.changeCount;
    this.membersChangedAt[to] = this.changeCount;
    this.touch(from);
    this.touch(to);
  }

  /** Partition p's leader load (network out, leader bytes, CPU) goes from broker `from` to `to`. */
  private shiftLeadLoad(p: number, from: number, to: number): void {
    shift(this.netOut, from, to, this.leaderOut[p]!);
    shift(this.leaderBytes, from, to, this.bytesIn[p]!);
    shift(this.cpu, from, to, this.cpuLoad[p]!);
  }

  /** Bumped whenever a broker's set of partitions changes (for caches keyed on it). */
  readonly brokerVersion: Uint32Array;

  /** Changes applied so far (each replica moved or leadership handed over counts one). */
  changeCount = 0;

  /**
   * Per broker, the changeCount of the last change to anything about it (its partitions, its
   * leaderships, so every count and load): a broker untouched since some moment is as it was then.
   */
  readonly touchedAt: Float64Array;

  /**
   * Per broker, the changeCount of the last change to its set of replicas (not its leaderships): its
   * replica and topic counts, disk and network in are as they were at any later moment.
   */
  readonly membersChangedAt: Float64Array;

  /** Per partition, the changeCount of the last change to its replica list (a move or a new leader). */
  readonly partitionChangedAt: Float64Array;

  private touch(b: number): void {
    this.touchedAt[b] = this.changeCount;
  }

  /**
   * Per broker, every change to its set of partitions since planning began: p + 1 when partition p
   * arrived, −(p + 1) when it left. Caches that keep a broker's partitions in some order replay it
   * instead of rebuilding (`loggedPartition` reads an entry). Its length is the broker's version.
   */
  readonly membershipLog: number[][];

  /** Off while the constructor fills the lists: the log holds changes made by planning only. */
  private logging = false;

  private logChange(b: number, entry: number): void {
    this.brokerVersion[b]!++;
    this.membershipLog[b]!.push(entry);
  }

  private listAdd(b: number, p: number, slot: number): void {
    if (this.logging) this.logChange(b, p + 1);
    let list = this.parts[b]!;
    const n = this.partsLen[b]!;
    if (n === list.length) {
      list = grown(list, list.length * 2);
      this.parts[b] = list;
    }
    list[n] = p;
    this.partsLen[b] = n + 1;
    this.pos[this.offset[p]! + slot] = n;
  }

  private listRemove(b: number, p: number, slot: number): void {
    this.logChange(b, -(p + 1));
    const list = this.parts[b]!;
    const i = this.pos[this.offset[p]! + slot]!;
    const last = this.partsLen[b]! - 1;
    const moved = list[last]!;
    list[i] = moved;
    this.partsLen[b] = last;
    if (moved !== p) this.pos[this.offset[moved]! + this.slotOf(moved, b)] = i;
  }

  /** The placement as a Cluster (the snapshot with the new replica lists; leader = first replica where it changed). */
  toCluster(cluster: Cluster): Cluster {
    const byTopic = new Map<string, Partition[]>();
    for (let p = 0; p < this.partitionCount; p++) {
      const src = this.source[p]!;
      const reps = this.replicaIds(p);
      const changed = reps.some((r, i) => r !== src.replicas[i]);
      const next: Partition = changed ? { ...src, replicas: reps, leader: reps[0]! } : src;
      const list = byTopic.get(src.topic);
      if (list) list.push(next);
      else byTopic.set(src.topic, [next]);
    }
    return {
      ...cluster,
      topics: cluster.topics.map((t) => {
        const ps = byTopic.get(t.name) ?? [];
        const byNumber = new Map(ps.map((p) => [p.partition, p]));
        return { ...t, partitions: t.partitions.map((p) => byNumber.get(p.partition) ?? p) };
      }),
    };
  }

  /** Broker ids of partition p's replicas, in order. */
  replicaIds(p: number): number[] {
    const o = this.offsetOf(p);
    const out: number[] = [];
    for (let s = 0; s < this.rfOf(p); s++) out.push(this.idOf(this.replicas[o + s]!));
    return out;
  }

  originalIds(p: number): number[] {
    const o = this.offsetOf(p);
    const out: number[] = [];
    for (let s = 0; s < this.rfOf(p); s++) out.push(this.idOf(this.original[o + s]!));
    return out;
  }

  /** `topic-partition`, for messages. */
  partitionName(p: number): string {
    return `${this.topicNameOf(this.topicIndexOf(p))}-${String(this.partitionNumber[p])}`;
  }
}

/** The partition a membership-log entry names (it arrived when the entry is positive, else left). */
export function loggedPartition(entry: number): number {
  return entry > 0 ? entry - 1 : -entry - 1;
}
