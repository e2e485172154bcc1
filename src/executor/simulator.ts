/**
 * An in-memory Kafka cluster behind the KafkaPort, for `ballast execute --simulate` and for testing
 * the runner without Kafka. Time is virtual: a SimClock's sleep(ms) moves time forward at once and
 * runs the simulation for that span. Everything is deterministic (no wall clock, no randomness).
 *
 * Model
 * - A started reassignment adds the target replicas: the replica list becomes target + (original −
 *   target), as in Kafka. Each adding replica copies the partition's size from the current leader.
 * - Copy speed: the leader's outgoing bandwidth and the adding broker's incoming bandwidth are each
 *   shared among the copies using them (max-min fair: progressive filling). A throttle adds one more
 *   shared limit: when a broker has `leader.replication.throttled.rate` (own or cluster default) and
 *   the topic's `leader.replication.throttled.replicas` lists `partition:leader` (or `*`), the copy
 *   counts against that rate on the leader; likewise `follower.replication.throttled.rate` with
 *   `follower.replication.throttled.replicas` listing `partition:adding-broker` on the adding broker.
 *   Client produce/consume traffic is not modelled: replication gets the whole bandwidth.
 * - An adding replica that has caught up joins the ISR. When every target replica is in the ISR the
 *   reassignment completes: the replica list becomes the target, removed replicas are dropped, the
 *   leader stays unless it was removed (then the first target replica leads) and the reassignment
 *   disappears from listPartitionReassignments. Reorder-only and zero-byte moves complete at once.
 * - A killed broker is unregistered, leaves every ISR (except as a partition's last ISR member, as in
 *   Kafka), gives up leadership to the next in-sync replica, and copies to or from it pause. Started
 *   again it rejoins the ISR of partitions it is caught up on (data written meanwhile is not modelled)
 *   and paused copies resume where they stopped. No unclean leader election.
 * - Cancelling (`replicas: null`) reverts to the original replicas and drops the copies. Replacing an
 *   ongoing reassignment keeps the original replicas and the progress of brokers still being added.
 * - Configs: the config store (config-store.ts) holds the dynamic values, as Kafka does.
 * - Time: copies run at constant rates between events (a copy finishing, a call through the port, a
 *   broker killed or started), so the simulation jumps from one event to the next; the rates are
 *   shared anew only at events (fair-share.ts).
 */
import { FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS } from "./throttle.js";
import { BallastError } from "../model/errors.js";
import type { Broker, Cluster, Partition, Topic } from "../model/types.js";
import { SimConfigStore } from "./config-store.js";
import { FairShareNetwork } from "./fair-share.js";
import { copiedAt, FinishQueue } from "./finish-queue.js";
import type { QueuedCopy } from "./finish-queue.js";
import { ACL_OPERATIONS, partitionKey } from "./port.js";
import type {
  LockOutcome,
  AclOperation,
  AuthorizedOperations,
  BrokerNode,
  ClusterDescription,
  KafkaPort,
  OngoingReassignment,
  PartitionMetadata,
  PartitionRef,
  PartitionResult,
  ReplicaLogDir,
  TopicMetadata,
} from "./port.js";
import { added } from "./types.js";
import type { Clock, MoveTask } from "./types.js";

/** Replication bandwidth in and out of a broker when neither the option nor its capacity says. */
export const DEFAULT_SIM_BANDWIDTH = 100 * 1024 * 1024;

/**
 * How often an execution on the simulator reads copy progress (ExecutionContext.progressEveryMs),
 * in simulated ms: the reads feed only the progress report, and a simulation runs through hours of
 * simulated time in seconds.
 */
export const SIMULATED_PROGRESS_EVERY_MS = 60_000;


const LOG_DIR = "/var/lib/kafka/data";

/** Kafka protocol error codes the simulator reports. */
const ERR = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_REPLICA_ASSIGNMENT: 39,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
} as const;
type ErrName = keyof typeof ERR;

// ---------------------------------------------------------------------------------------------------
// Virtual clock

/** A Clock whose time moves only when asked, running the attached simulations as it goes. */
export interface SimClock extends Clock {
  /** Moves time forward by `ms` (synchronously), running every attached simulation. */
  advance(ms: number): void;
  /** Runs `listener(fromMs, toMs)` on every advance; returns a function that detaches it. */
  onAdvance(listener: (fromMs: number, toMs: number) => void): () => void;
}

export function createSimClock(startMs = 0): SimClock {
  let now = startMs;
  const listeners: Array<(fromMs: number, toMs: number) => void> = [];
  const advance = (ms: number): void => {
    if (!Number.isFinite(ms)) throw new RangeError(`cannot advance a simulated clock by ${String(ms)} ms`);
    if (ms <= 0) return;
    const from = now;
    const to = now + ms;
    for (const listener of [...listeners]) listener(from, to);
    now = to;
  };
  return {
    now: () => now,
    sleep: (ms) => {
      advance(ms);
      return Promise.resolve();
    },
    advance,
    onAdvance: (listener) => {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Lower bound

/** What the bandwidth lower bound assumes, for every place that prints it. */
export const BOUND_ASSUMPTIONS =
  "the busiest broker's bytes to send or receive ÷ the throttle. It assumes each broker sends and receives " +
  "replication at the throttle at most (sending and receiving apart), each added replica copies the whole " +
  "partition once from its leader (taken to be the first current replica that is up), and sizes and leaders hold still " +
  "during the move; it leaves out the moves-per-broker cap, the poll interval and the order. No schedule " +
  "under those assumptions finishes sooner";

/**
 * Seconds no schedule can beat when every broker moves `rate` bytes/s in and out: the busiest
 * broker's bytes to send (as leader of a moving partition, once per added replica; the leader is taken
 * to be the first current replica not in `down`: a broker that is down leads nothing) or to receive
 * (as an adding broker), divided by `rate`. The assumptions behind it: BOUND_ASSUMPTIONS.
 */
export function bandwidthLowerBound(tasks: readonly MoveTask[], rate: number, down: ReadonlySet<number> = new Set()): number {
  if (!(rate > 0)) throw new BallastError("USAGE", `bandwidth must be more than 0, not ${String(rate)}`);
  const bytesIn = new Map<number, number>();
  const bytesOut = new Map<number, number>();
  for (const t of tasks) {
    const adds = added(t);
    const leader = t.from.find((b) => !down.has(b)) ?? t.from[0];
    if (adds.length === 0 || leader === undefined) continue;
    bytesOut.set(leader, (bytesOut.get(leader) ?? 0) + t.size * adds.length);
    for (const b of adds) bytesIn.set(b, (bytesIn.get(b) ?? 0) + t.size);
  }
  let busiest = 0;
  for (const v of bytesIn.values()) busiest = Math.max(busiest, v);
  for (const v of bytesOut.values()) busiest = Math.max(busiest, v);
  return busiest / rate;
}

// ---------------------------------------------------------------------------------------------------
// Simulated cluster

export interface SimulatedClusterOptions {
  readonly clock: SimClock;
  /**
   * Replication bandwidth in and out of every broker, bytes/s. Default: each broker's capacity
   * networkIn / networkOut, or DEFAULT_SIM_BANDWIDTH where the snapshot gives none.
   */
  readonly bandwidth?: number;
  /**
   * Sleeping on the returned `clock` skips polls at which nothing would be seen to change: a sleep
   * of `ms` lasts a whole number of `ms` spans, ending at the first span end after a copy finished
   * (or at once when no copy runs), or at the first span end at or after the `wakeBy` the sleeper
   * gives (its next time-out). A poller wakes at the same instants as with fixed sleeps when
   * something happened or a time-out is due, and not in between, so a long simulation takes as
   * many polls as events, and a time-out is noticed at the poll a fixed-sleep poller would notice
   * it at. Default false.
   */
  readonly skipQuietPolls?: boolean;
  /**
   * With skipQuietPolls, a sleep still ends after at most this many ms of quiet (rounded up to whole
   * spans), for a poller that gives no `wakeBy`. Default: no limit.
   */
  readonly quietAtMostMs?: number;
  /** The operations the client may do (default: all), as an authorizer with ACLs would report them. */
  readonly allowed?: { readonly cluster: readonly AclOperation[]; readonly topics: readonly AclOperation[] };
}

export interface SimulatedCluster {
  readonly port: KafkaPort;
  /** The clock to run the executor on: the one given, or with skipQuietPolls one that skips them. */
  readonly clock: SimClock;
  /** Stops a broker: it leaves the registered brokers and every ISR; its copies pause. */
  killBroker(id: number): void;
  /** Starts a stopped broker again: it rejoins ISRs it is caught up on; its copies resume. */
  startBroker(id: number): void;
  /** Deletes a topic: its reassignments vanish, describeTopics omits it, its configs go. */
  deleteTopic(name: string): void;
  /** Takes the execution lock away from its holder (its session lapsed); its onLost is called. */
  loseLock(): void;
  /** Virtual seconds from the first reassignment started to the last one completed (0 before). */
  makespan(): number;
  /** The cluster as it is now, in the snapshot format (an ongoing move shows its full replica set). */
  snapshot(): Cluster;
}

interface SimBroker {
  readonly spec: Broker;
  alive: boolean;
  readonly bandwidthIn: number;
  readonly bandwidthOut: number;
}

interface SimMove {
  readonly original: readonly number[];
  readonly target: readonly number[];
  /** Bytes copied so far by each adding broker. */
  readonly copied: Map<number, number>;
  /** How listPartitionReassignments shows it (the replicas stay as they are while it runs). */
  listed: OngoingReassignment | undefined;
}

interface SimPartition {
  readonly spec: Partition;
  readonly topic: string;
  readonly partition: number;
  /** Where it is in its topic's partitions. */
  readonly at: number;
  readonly size: number;
  replicas: number[];
  isr: number[];
  /** -1 when offline. */
  leader: number;
  move: SimMove | undefined;
  /** Its metadata as last described; undefined once it changed (see forget). */
  described: PartitionMetadata | undefined;
  /** Log dir entries of its replicas that hold the whole partition, by broker (made once). */
  wholeDirs: Map<number, ReplicaLogDir> | undefined;
}

interface SimTopic {
  readonly name: string;
  readonly partitions: readonly SimPartition[];
  readonly byNumber: ReadonlyMap<number, SimPartition>;
  /** Its metadata as last described (undefined: not yet, or a broker stopped or started; see forget). */
  described: TopicMetadata | undefined;
  /** Its partitions that changed since it was last described. */
  readonly changed: SimPartition[];
}

/** One copy in progress: an adding broker fetching a partition from its leader. */
interface Flow extends QueuedCopy {
  readonly p: SimPartition;
  readonly move: SimMove;
  readonly from: number;
  readonly to: number;
  /** The shared links it crosses (link ids: see linkBase). */
  readonly links: readonly number[];
  /** Its slot in the fair-share network (-1 before it joins). */
  slot: number;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function fail(ref: PartitionRef, name: ErrName, message: string): PartitionResult {
  return { topic: ref.topic, partition: ref.partition, errorCode: ERR[name], errorName: name, message };
}

function ok(ref: PartitionRef): PartitionResult {
  return { topic: ref.topic, partition: ref.partition, errorCode: 0 };
}

export function createSimulatedCluster(cluster: Cluster, opts: SimulatedClusterOptions): SimulatedCluster {
  const { clock } = opts;
  if (opts.bandwidth !== undefined && !(opts.bandwidth > 0)) {
    throw new BallastError("USAGE", `simulated bandwidth must be more than 0 bytes/s, not ${String(opts.bandwidth)}`);
  }
  const brokers = new Map<number, SimBroker>();
  for (const b of cluster.brokers) {
    brokers.set(b.id, {
      spec: b,
      alive: b.status === "alive",
      bandwidthIn: opts.bandwidth ?? b.capacity.networkIn ?? DEFAULT_SIM_BANDWIDTH,
      bandwidthOut: opts.bandwidth ?? b.capacity.networkOut ?? DEFAULT_SIM_BANDWIDTH,
    });
  }
  const alive = (id: number): boolean => brokers.get(id)?.alive ?? false;

  const topics = new Map<string, SimTopic>();
  for (const t of cluster.topics) {
    const partitions = t.partitions.map((spec, at): SimPartition => {
      const live = spec.replicas.filter(alive);
      const leader = alive(spec.leader) ? spec.leader : (live[0] ?? -1);
      return {
        spec,
        topic: t.name,
        partition: spec.partition,
        at,
        size: spec.size,
        replicas: [...spec.replicas],
        // With every replica down, the last leader stays the ISR's only member, as in Kafka.
        isr: live.length > 0 ? live : [spec.leader],
        leader,
        move: undefined,
        described: undefined,
        wholeDirs: undefined,
      };
    });
    topics.set(t.name, { name: t.name, partitions, byNumber: new Map(partitions.map((p) => [p.partition, p])), described: undefined, changed: [] });
  }

  /** Ongoing reassignments, in the order they started. */
  const moves = new Map<SimPartition, SimMove>();
  const configs = new SimConfigStore((name) => topics.has(name));
  let firstStart: number | undefined;
  /** Copies finished and reassignments completed so far, and copies running after the last step. */
  let events = 0;
  let copying = 0;
  let lastDone: number | undefined;
  let closed = false;

  const findPartition = (ref: PartitionRef): SimPartition | undefined => topics.get(ref.topic)?.byNumber.get(ref.partition);

  const caughtUp = (p: SimPartition, b: number): boolean => {
    const copied = p.move?.copied.get(b);
    return copied === undefined || copied >= p.size;
  };

  /**
   * Metadata as last described, kept on each topic and partition: a partition's (and its topic's) is
   * dropped when the partition changes (every change goes through refresh or an election) and all
   * of them when a broker stops or starts, so an executor polling thousands of unchanged partitions
   * costs little.
   */
  const forget = (p: SimPartition): void => {
    if (p.described === undefined) return;
    p.described = undefined;
    const t = topics.get(p.topic);
    if (t?.described !== undefined) t.changed.push(p);
  };
  const forgetAll = (): void => {
    for (const t of topics.values()) {
      t.described = undefined;
      t.changed.length = 0;
      for (const p of t.partitions) p.described = undefined;
    }
  };

  /** Elects a leader if there is none (from the ISR only) and, with a leader, recomputes the ISR. */
  const refresh = (p: SimPartition): void => {
    forget(p);
    touch(p);
    elect(p);
  };

  /**
   * refresh for a partition that may not have changed since it was last refreshed: its metadata is
   * forgotten and its copies looked at again only when its leader or ISR changes (every other change
   * to a partition refreshes it where it happens). Completing reassignments checks every ongoing
   * one after each call through the port; most are as they were.
   */
  const recheck = (p: SimPartition): void => {
    const { leader, isr } = p;
    elect(p);
    if (p.leader === leader && same(p.isr, isr)) return;
    forget(p);
    touch(p);
  };

  const elect = (p: SimPartition): void => {
    if (p.leader !== -1 && !alive(p.leader)) p.leader = -1;
    if (p.leader === -1) {
      const candidate = p.replicas.find((r) => alive(r) && p.isr.includes(r) && caughtUp(p, r));
      if (candidate !== undefined) p.leader = candidate;
    }
    // The ISR array is replaced only when it changes (most partitions are rechecked unchanged).
    if (p.leader !== -1) {
      let n = 0;
      let unchanged = true;
      for (const r of p.replicas) if (alive(r) && caughtUp(p, r)) unchanged &&= p.isr[n++] === r;
      if (!unchanged || n !== p.isr.length) p.isr = p.replicas.filter((r) => alive(r) && caughtUp(p, r));
    } else if (!p.isr.every((r) => p.replicas.includes(r))) p.isr = p.isr.filter((r) => p.replicas.includes(r));
  };

  /** Whether every target replica of a move is in the partition's ISR. */
  const targetInSync = (p: SimPartition, move: SimMove): boolean => {
    for (const r of move.target) if (!p.isr.includes(r)) return false;
    return true;
  };

  /** Completes every reassignment (of `only`, when given) whose target replicas are all in sync. */
  const settle = (atMs: number, only?: Iterable<SimPartition>): void => {
    // Completing deletes only the move at hand, which a walk of the map allows.
    for (const p of only ?? moves.keys()) {
      const move = moves.get(p);
      if (!move) continue;
      recheck(p);
      if (p.leader === -1 || !targetInSync(p, move)) continue;
      p.replicas = [...move.target];
      p.move = undefined;
      moves.delete(p);
      if (!p.replicas.includes(p.leader)) p.leader = -1;
      refresh(p);
      lastDone = atMs;
      events++;
    }
  };

  // --- copy progress ---
  //
  // The copies running are kept from event to event rather than found again at each: a copy is
  // looked at again when its partition changes (every change goes through refresh or an election),
  // all of them when a broker stops or starts or a config changes. Each copy's progress is kept as
  // bytes at a time and a rate (moved forward when the rate changes), and written to its move's
  // `copied` when it stops and at the end of each span the clock runs, where the port reads it.
  // The fair shares live in a FairShareNetwork, which shares anew after copies only finished among
  // those whose rate could change.

  const linkBase = new Map([...brokers.keys()].map((id, i) => [id, 4 * i]));
  const LINK = { out: 0, in: 1, leaderThrottle: 2, followerThrottle: 3 } as const;
  const network = new FairShareNetwork();
  for (const base of linkBase.values()) {
    network.cover(base + LINK.out, base + LINK.leaderThrottle);
    network.cover(base + LINK.in, base + LINK.followerThrottle);
  }
  /** Copies running, by partition; all of them by slot in `running`. */
  const flowsOf = new Map<SimPartition, readonly Flow[]>();
  const running = new Map<number, Flow>();
  /** The running copies by when they finish; `started` numbers them in the order they started. */
  const finishing = new FinishQueue<Flow>();
  let started = 0;
  const changed = new Set<SimPartition>();
  let allChanged = true;
  let configVersion = -1;

  /** The partition's copies have to be looked at again (it changed). */
  const touch = (p: SimPartition): void => {
    changed.add(p);
  };

  /** The links of a copy of `p` from `from` to `to`: `was` itself when they are the same (no new array). */
  const linksOf = (p: SimPartition, from: number, to: number, was?: readonly number[]): readonly number[] => {
    const out = linkBase.get(from)!;
    const into = linkBase.get(to)!;
    const leaderThrottled = configs.brokerRate(from, LEADER_RATE) !== undefined && configs.topicListed(p.topic, LEADER_REPLICAS, p.partition, from);
    const followerThrottled = configs.brokerRate(to, FOLLOWER_RATE) !== undefined && configs.topicListed(p.topic, FOLLOWER_REPLICAS, p.partition, to);
    const ls = [out + LINK.out, into + LINK.in];
    if (leaderThrottled) ls.push(out + LINK.leaderThrottle);
    if (followerThrottled) ls.push(into + LINK.followerThrottle);
    return was !== undefined && same(was, ls) ? was : ls;
  };

  const stopCopy = (f: Flow, t: number): void => {
    network.remove(f.slot);
    running.delete(f.slot);
    finishing.remove(f);
    const copied = f.move.copied.get(f.to);
    if (copied !== undefined) f.move.copied.set(f.to, Math.max(copied, copiedAt(f, t)));
  };

  /**
   * The copies partition `p` runs now. Those in `old` that go on (same leader, adding broker and
   * links) are kept with their progress; the others stop.
   */
  const copiesOf = (p: SimPartition, old: readonly Flow[], t: number, configsChanged: boolean): readonly Flow[] => {
    const move = moves.get(p);
    const out: Flow[] = [];
    const kept: Flow[] = [];
    if (move !== undefined && p.leader !== -1) {
      for (const [b, copied] of move.copied) {
        if (!(copied < p.size) || !alive(b)) continue;
        // A copy's links change only with the configs (then every partition is looked at again).
        const leader = p.leader;
        const was = old.find((f) => f.to === b && f.from === leader && f.move === move);
        const links = was !== undefined && !configsChanged ? was.links : linksOf(p, leader, b, was?.links);
        const going = was !== undefined && same(was.links, links) ? was : undefined;
        if (going !== undefined) {
          kept.push(going);
          out.push(going);
        } else {
          out.push({ p, move, from: leader, to: b, links, slot: -1, size: p.size, rate: 0, base: copied, baseAt: t, order: started++, queued: 0 });
        }
      }
    }
    // Every copy going on as it was (the usual case when a topic's throttle lists change): the same array.
    if (kept.length === old.length && out.length === old.length && out.every((f, i) => f === old[i])) return old;
    for (const f of old) if (!kept.includes(f)) stopCopy(f, t);
    for (const f of out) {
      if (f.slot !== -1) continue;
      f.slot = network.add(f.links);
      running.set(f.slot, f);
    }
    return out;
  };

  /** Link capacities: bandwidths, and throttle rates where set. */
  const readCapacities = (only?: ReadonlySet<number>): void => {
    for (const [id, base] of linkBase) {
      if (only !== undefined && !only.has(id)) continue;
      const b = brokers.get(id)!;
      network.setCapacity(base + LINK.out, b.bandwidthOut);
      network.setCapacity(base + LINK.in, b.bandwidthIn);
      network.setCapacity(base + LINK.leaderThrottle, configs.brokerRate(id, LEADER_RATE) ?? Number.POSITIVE_INFINITY);
      network.setCapacity(base + LINK.followerThrottle, configs.brokerRate(id, FOLLOWER_RATE) ?? Number.POSITIVE_INFINITY);
    }
  };

  /** The partitions with copies running, then those moving without (as a new Set of both would list them). */
  const runningOrMoving = (): SimPartition[] => {
    const out = [...flowsOf.keys()];
    moves.forEach((_, p) => {
      if (!flowsOf.has(p)) out.push(p);
    });
    return out;
  };

  /** Brings the running copies and their rates up to date at `t`, after the changes since the last call. */
  const update = (t: number): void => {
    const configsChanged = configVersion !== configs.version;
    if (!allChanged && !configsChanged && changed.size === 0) return;
    // A config change concerns the copies from or to the brokers it names, or of the topics it
    // names (every copy for a cluster default); a broker stopped or started, every copy.
    const changes = configsChanged ? configs.takeChanged() : undefined;
    const everything = allChanged || changes?.everyBroker === true;
    if (everything) readCapacities();
    else if (changes !== undefined) readCapacities(changes.brokers);
    const relink = (p: SimPartition): boolean =>
      everything ||
      (changes !== undefined && (changes.topics.has(p.topic) || (flowsOf.get(p) ?? []).some((f) => changes.brokers.has(f.from) || changes.brokers.has(f.to))));
    // Partitions are looked at in the same order whatever changed, so copies join the network in
    // the same order (and rates come out the same to the bit).
    for (const p of everything || changes !== undefined ? runningOrMoving() : changed) {
      const relinked = relink(p);
      if (!relinked && !changed.has(p)) continue;
      const now = copiesOf(p, flowsOf.get(p) ?? [], t, relinked);
      if (now.length > 0) flowsOf.set(p, now);
      else flowsOf.delete(p);
    }
    changed.clear();
    allChanged = false;
    configVersion = configs.version;
    for (const slot of network.reshare()) {
      const f = running.get(slot)!;
      f.base = copiedAt(f, t);
      f.baseAt = t;
      f.rate = network.rate(slot);
      finishing.update(f);
    }
  };

  /**
   * Runs the copies from `fromMs` to `toMs`, event by event: rates hold until the next copy
   * finishes, when finished reassignments complete and the rates are shared anew.
   */
  const run = (fromMs: number, toMs: number): void => {
    let t = fromMs;
    update(t);
    while (t < toMs) {
      copying = finishing.active;
      const next = finishing.next(t, toMs);
      if (next === undefined) break;
      const { step } = next;
      const finished = new Set<SimPartition>();
      for (const f of next.finished) {
        f.move.copied.set(f.to, f.p.size);
        f.base = f.p.size;
        f.baseAt = t + step;
        finished.add(f.p);
      }
      t = step === toMs - t ? toMs : t + step;
      events += finished.size;
      settle(t, finished);
      for (const p of finished) touch(p);
      update(t);
    }
    // The port reads progress from the moves.
    for (const f of running.values()) f.move.copied.set(f.to, copiedAt(f, toMs));
    for (const f of running.values()) {
      f.base = f.move.copied.get(f.to)!;
      f.baseAt = toMs;
    }
  };
  clock.onAdvance(run);

  // --- the port ---

  const guard = async <T>(body: () => T): Promise<T> => {
    if (closed) throw new BallastError("KAFKA", "the connection to the simulated cluster is closed");
    return Promise.resolve(body());
  };

  const brokerNode = (b: SimBroker): BrokerNode => ({
    id: b.spec.id,
    host: b.spec.host ?? `broker-${String(b.spec.id)}`,
    port: 9092,
    ...(b.spec.rack !== undefined ? { rack: b.spec.rack } : {}),
  });

  /** The cluster as last described; undefined once a broker stopped or started. */
  let describedCluster: ClusterDescription | undefined;
  const describeCluster = (): ClusterDescription => {
    if (describedCluster !== undefined) return describedCluster;
    const live = [...brokers.values()].filter((b) => b.alive).sort((a, b) => a.spec.id - b.spec.id);
    describedCluster = {
      clusterId: cluster.name !== undefined ? `sim-${cluster.name}` : "ballast-sim",
      controllerId: live[0]?.spec.id ?? -1,
      brokers: live.map(brokerNode),
    };
    return describedCluster;
  };

  const describePartition = (p: SimPartition): PartitionMetadata => {
    let md = p.described;
    if (md === undefined) {
      md = {
        topic: p.topic,
        partition: p.partition,
        replicas: [...p.replicas],
        isr: [...p.isr],
        leader: p.leader,
        offline: p.replicas.filter((r) => !alive(r)),
      };
      p.described = md;
    }
    return md;
  };

  /** A topic's metadata: made anew when a broker stopped or started, else the last with the changed partitions replaced. */
  const describeTopic = (t: SimTopic): TopicMetadata => {
    let md = t.described;
    if (md === undefined) {
      md = { name: t.name, internal: t.name.startsWith("__"), partitions: t.partitions.map(describePartition) };
    } else if (t.changed.length > 0) {
      const partitions = md.partitions.slice();
      for (const p of t.changed) partitions[p.at] = describePartition(p);
      md = { ...md, partitions };
    } else return md;
    t.changed.length = 0;
    t.described = md;
    return md;
  };

  const describeTopics = (names?: readonly string[]): TopicMetadata[] => {
    const wanted = names ? new Set(names) : undefined;
    const out: TopicMetadata[] = [];
    for (const t of topics.values()) if (!wanted || wanted.has(t.name)) out.push(describeTopic(t));
    return out;
  };

  /** Every partition, or those of `refs` (each once, in the order asked; unknown ones left out). */
  function* partitionsOf(refs: readonly PartitionRef[] | undefined): Iterable<SimPartition> {
    if (refs === undefined) {
      for (const t of topics.values()) yield* t.partitions;
      return;
    }
    const seen = new Set<SimPartition>();
    for (const ref of refs) {
      const p = findPartition(ref);
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      yield p;
    }
  }

  const describeLogDirs = (ids: readonly number[], refs?: readonly PartitionRef[]): Map<number, ReplicaLogDir[]> => {
    const result = new Map<number, ReplicaLogDir[]>();
    for (const id of ids) if (alive(id)) result.set(id, []);
    for (const p of partitionsOf(refs)) {
      for (const r of p.replicas) {
        const dirs = result.get(r);
        if (!dirs) continue;
        const copied = p.move?.copied.get(r);
        if (copied !== undefined && copied < p.size) {
          dirs.push({ topic: p.topic, partition: p.partition, logDir: LOG_DIR, size: Math.floor(copied), isFuture: true });
          continue;
        }
        p.wholeDirs ??= new Map();
        let whole = p.wholeDirs.get(r);
        if (whole === undefined) {
          whole = { topic: p.topic, partition: p.partition, logDir: LOG_DIR, size: p.size, isFuture: false };
          p.wholeDirs.set(r, whole);
        }
        dirs.push(whole);
      }
    }
    return result;
  };

  const listPartitionReassignments = (): OngoingReassignment[] => {
    const out: OngoingReassignment[] = [];
    moves.forEach((m, p) => {
      m.listed ??= {
        topic: p.topic,
        partition: p.partition,
        replicas: [...p.replicas],
        addingReplicas: m.target.filter((r) => !m.original.includes(r)),
        removingReplicas: m.original.filter((r) => !m.target.includes(r)),
      };
      out.push(m.listed);
    });
    return out;
  };

  const cancel = (p: SimPartition, move: SimMove): void => {
    p.replicas = [...move.original];
    p.move = undefined;
    moves.delete(p);
    if (!p.replicas.includes(p.leader)) p.leader = -1;
    refresh(p);
  };

  const reassign = (entry: PartitionRef & { readonly replicas: readonly number[] | null }): PartitionResult => {
    const p = findPartition(entry);
    if (!p) return fail(entry, "UNKNOWN_TOPIC_OR_PARTITION", `no partition ${entry.topic}-${String(entry.partition)}`);
    const current = p.move;
    const target = entry.replicas;
    if (target === null) {
      if (!current) return fail(entry, "NO_REASSIGNMENT_IN_PROGRESS", "no reassignment in progress to cancel");
      cancel(p, current);
      return ok(entry);
    }
    if (target.length === 0) return fail(entry, "INVALID_REPLICA_ASSIGNMENT", "empty replica list");
    if (new Set(target).size !== target.length) {
      return fail(entry, "INVALID_REPLICA_ASSIGNMENT", `duplicate replicas in [${target.join(",")}]`);
    }
    const unknown = target.find((r) => !brokers.has(r));
    if (unknown !== undefined) {
      return fail(entry, "INVALID_REPLICA_ASSIGNMENT", `broker ${String(unknown)} is not registered`);
    }
    const original = current?.original ?? [...p.replicas];
    if (same(target, original)) {
      if (current) cancel(p, current);
      return ok(entry);
    }
    const copied = new Map<number, number>();
    for (const r of target) if (!original.includes(r)) copied.set(r, current?.copied.get(r) ?? 0);
    const move: SimMove = { original, target: [...target], copied, listed: undefined };
    p.move = move;
    moves.delete(p);
    moves.set(p, move);
    p.replicas = [...target, ...original.filter((r) => !target.includes(r))];
    if (!p.replicas.includes(p.leader)) p.leader = -1;
    refresh(p);
    firstStart ??= clock.now();
    return ok(entry);
  };

  const alterPartitionReassignments = (
    entries: ReadonlyArray<PartitionRef & { readonly replicas: readonly number[] | null }>,
  ): PartitionResult[] => {
    const results = entries.map(reassign);
    settle(clock.now());
    return results;
  };

  const electPreferredLeaders = (partitions: readonly PartitionRef[]): PartitionResult[] =>
    partitions.map((ref) => {
      const p = findPartition(ref);
      if (!p) return fail(ref, "UNKNOWN_TOPIC_OR_PARTITION", `no partition ${ref.topic}-${String(ref.partition)}`);
      const preferred = p.replicas[0];
      if (preferred === undefined) return fail(ref, "PREFERRED_LEADER_NOT_AVAILABLE", "no replicas");
      if (p.leader === preferred) return ok(ref); // ELECTION_NOT_NEEDED
      if (!alive(preferred) || !p.isr.includes(preferred)) {
        return fail(ref, "PREFERRED_LEADER_NOT_AVAILABLE", `preferred leader ${String(preferred)} is not alive and in sync`);
      }
      p.leader = preferred;
      forget(p);
      touch(p);
      return ok(ref);
    });

  /** The execution lock, in memory: the owner holding it, or null. */
  let lockHolder: { owner: string; onLost: (() => void) | undefined } | null = null;
  const acquireExecutionLock = (owner: string, onLost?: () => void): LockOutcome => {
    if (lockHolder !== null) return { status: "locked", holder: lockHolder.owner };
    const mine = { owner, onLost };
    lockHolder = mine;
    return {
      status: "acquired",
      release: () => {
        if (lockHolder === mine) lockHolder = null;
        return Promise.resolve();
      },
    };
  };
  /** Takes the lock away from its holder, as a lapsed session does. */
  const loseLock = (): void => {
    const was = lockHolder;
    lockHolder = null;
    was?.onLost?.();
  };

  /** The balance job's memory, as the compacted topic would keep it. */
  let jobMemory: string | null = null;

  const authorizedOperations = (topics: readonly string[]): AuthorizedOperations => {
    const all = ACL_OPERATIONS.filter((op) => op !== "UNKNOWN" && op !== "ANY" && op !== "ALL");
    const cluster = new Set<AclOperation>(opts.allowed?.cluster ?? all);
    const perTopic = new Set<AclOperation>(opts.allowed?.topics ?? all);
    return { principal: null, cluster, topics: new Map(topics.map((t) => [t, perTopic])) };
  };

  const port: KafkaPort = {
    authorizedOperations: (topics) => guard(() => authorizedOperations(topics)),
    // The simulation has no produce or consume traffic: every log stays where it is.
    logOffsets: (partitions) => guard(() => new Map(partitions.map((p) => [partitionKey(p), { start: 0, end: 0 }]))),
    committedOffsets: () => guard(() => new Map()),
    acquireExecutionLock: (owner, onLost) => guard(() => acquireExecutionLock(owner, onLost)),
    readJobMemory: () => guard(() => jobMemory),
    writeJobMemory: (text) =>
      guard(() => {
        jobMemory = text;
      }),
    describeCluster: () => guard(describeCluster),
    describeTopics: (names) => guard(() => describeTopics(names)),
    describeLogDirs: (ids, partitions) => guard(() => describeLogDirs(ids, partitions)),
    listPartitionReassignments: () => guard(listPartitionReassignments),
    alterPartitionReassignments: (entries) => guard(() => alterPartitionReassignments(entries)),
    describeConfigs: (resources) => guard(() => configs.describe(resources)),
    incrementalAlterConfigs: (changes) => guard(() => changes.map((c) => configs.alter(c.resource, c.ops))),
    electPreferredLeaders: (partitions) => guard(() => electPreferredLeaders(partitions)),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };

  // --- controls ---

  const brokerOrThrow = (id: number): SimBroker => {
    const b = brokers.get(id);
    if (!b) throw new Error(`the simulated cluster has no broker ${String(id)}`);
    return b;
  };

  const killBroker = (id: number): void => {
    const b = brokerOrThrow(id);
    if (!b.alive) return;
    b.alive = false;
    describedCluster = undefined;
    forgetAll();
    allChanged = true;
    for (const t of topics.values()) {
      for (const p of t.partitions) {
        if (!p.replicas.includes(id)) continue;
        const rest = p.isr.filter((r) => r !== id);
        // The last in-sync replica stays in the ISR (no unclean election); the leader goes.
        if (rest.length > 0) p.isr = rest;
        if (p.leader === id) p.leader = -1;
        refresh(p);
      }
    }
    settle(clock.now());
  };

  const startBroker = (id: number): void => {
    const b = brokerOrThrow(id);
    if (b.alive) return;
    b.alive = true;
    describedCluster = undefined;
    forgetAll();
    allChanged = true;
    for (const t of topics.values()) for (const p of t.partitions) if (p.replicas.includes(id)) refresh(p);
    settle(clock.now());
  };

  const deleteTopic = (name: string): void => {
    const t = topics.get(name);
    if (!t) throw new Error(`the simulated cluster has no topic ${name}`);
    for (const p of t.partitions) {
      moves.delete(p);
      touch(p);
    }
    topics.delete(name);
    for (const p of t.partitions) forget(p);
    configs.deleteTopic(name);
  };

  const snapshot = (): Cluster => {
    const out: Topic[] = [...topics.values()].map((t) => ({
      name: t.name,
      partitions: t.partitions.map(
        (p): Partition => ({
          ...p.spec,
          replicas: [...p.replicas],
          leader: p.leader !== -1 ? p.leader : (p.replicas[0] ?? p.spec.leader),
        }),
      ),
    }));
    return {
      ...cluster,
      brokers: [...brokers.values()].map((b) => ({ ...b.spec, status: b.alive ? "alive" : "dead" })),
      topics: out,
    };
  };

  const quietAtMost = opts.quietAtMostMs ?? Number.POSITIVE_INFINITY;
  const skippingClock: SimClock = {
    ...clock,
    sleep: (ms, wakeBy = Number.POSITIVE_INFINITY) => {
      const start = clock.now();
      for (;;) {
        const before = events;
        clock.advance(ms);
        const now = clock.now();
        if (events !== before || copying === 0 || !(ms > 0) || now - start >= quietAtMost || now >= wakeBy) return Promise.resolve();
      }
    },
  };

  return {
    port,
    clock: opts.skipQuietPolls === true ? skippingClock : clock,
    killBroker,
    startBroker,
    deleteTopic,
    loseLock,
    makespan: () => (firstStart !== undefined && lastDone !== undefined ? Math.max(0, lastDone - firstStart) / 1000 : 0),
    snapshot,
  };
}
