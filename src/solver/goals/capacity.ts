/**
 * Capacity (hard): no eligible broker above threshold × capacity of disk, network in or network out.
 * A resource whose capacity some eligible broker lacks has no limit (the status says so). Load is taken
 * off an overloaded broker by leadership changes first (network out), then by moving or swapping
 * replicas to brokers with room; an action is the goal's own only when it leaves every resource of
 * every broker it touches no further over its aim. A partition whose leader alone is above every
 * network-out aim is a floor on the broker leading it (outAim): that broker may lead it and nothing
 * else. Whether the load can fit at all is checked before planning (capacity-check.ts).
 */
import type { Goal, GoalContext } from "../goal.js";
import { capacityOf } from "../capacity-floor.js";
import { BrokerBand, type LoadTargets, type Resource, RESOURCES, aimUsed, limitedResources, replicaWeight } from "../load-targets.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { partitionsByWeightAscending, partitionsByWeightDescending } from "./by-size.js";
import { DISK, type LoadMeasure, NETWORK_IN, NETWORK_OUT, bandDeviation, ledHeaviestFirst, measureDeltas, optimizeBand } from "./load-balance.js";

const MEASURE: Readonly<Record<Resource, LoadMeasure>> = { disk: DISK, networkIn: NETWORK_IN, networkOut: NETWORK_OUT };

const LABEL: Readonly<Record<Resource, string>> = { disk: "disk", networkIn: "network in", networkOut: "network out" };

/**
 * The band [0, aim] of a resource (the ideal is the aim: brokers are ranked by utilisation of it). The
 * aim is the limit unless the limits cannot be met (load-targets.ts).
 */
function limitBand(targets: Targets, r: Resource): BrokerBand {
  const aim = targets.load.aim[r];
  return new BrokerBand(aim, new Float64Array(aim.length), aim);
}

const bands = new WeakMap<Targets, Record<Resource, BrokerBand>>();

function bandOf(targets: Targets, r: Resource): BrokerBand {
  let all = bands.get(targets);
  if (all === undefined) {
    all = { disk: limitBand(targets, "disk"), networkIn: limitBand(targets, "networkIn"), networkOut: limitBand(targets, "networkOut") };
    bands.set(targets, all);
  }
  return all[r];
}

/**
 * Broker b's network-out aim now: the goal's aim, or the network out of the heaviest heavy partition
 * it leads (Targets.heavyLeads) when that is more. Such a partition alone is a floor on its leader's
 * network out, so the broker is held to it: it may lead that partition and nothing else.
 */
function outAim(state: PlacementState, targets: Targets, b: number): number {
  const aim = targets.load.aim.networkOut[b]!;
  return targets.heavyLeads.length === 0 ? aim : Math.max(aim, targets.heavyLeadOutOf(state, b));
}

/** Broker b's aim of resource r now (outAim for network out). */
function aimNow(state: PlacementState, targets: Targets, r: Resource, b: number): number {
  return r === "networkOut" ? outAim(state, targets, b) : targets.load.aim[r][b]!;
}

/** Broker b's part of the capacity goal's score: how far it is over each aim. */
export function capacityExcessOf(state: PlacementState, targets: Targets, b: number): number {
  let s = 0;
  for (const r of limitedResources(targets.load)) s += Math.max(0, MEASURE[r].load(state)[b]! - aimNow(state, targets, r, b));
  return s;
}

/** Excess of load over the aims, summed over resources and eligible brokers. */
function excess(state: PlacementState, targets: Targets): number {
  let s = 0;
  for (const r of limitedResources(targets.load)) {
    if (r !== "networkOut" || targets.heavyLeads.length === 0) {
      s += bandDeviation(state, MEASURE[r], bandOf(targets, r));
      continue;
    }
    for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) s += Math.max(0, state.netOutOf(b) - outAim(state, targets, b));
  }
  return s;
}

/** Whether adding d to load v takes it further over `limit` (beyond a small tolerance). */
function worse(v: number, d: number, limit: number): boolean {
  return d > 0 && Math.max(0, v + d - limit) > Math.max(0, v - limit) + 1e-6;
}

/**
 * Network out when the action hands on a heavy partition's leadership: the aims of the brokers it
 * touches change with the heavy partitions they lead, so each broker's excess over its aim is
 * worked out before and after (a broker taking one by a replica move gets no higher aim from it, so
 * this may refuse more than the score would, never less); and no broker comes to lead more heavy
 * partitions than one, or than it led already.
 */
function outAcceptsHeavy(action: Action, state: PlacementState, targets: Targets): boolean {
  const handed = state.handedLeaderships(action);
  const leaderAfter = (p: number): number => handed.find((c) => c.p === p)?.to ?? state.brokerAt(p, 0);
  // Only a leadership change raises the aim of the broker that takes a heavy partition: one whose
  // leader replica moves is held to the aim it had, so data never moves where a hand-off would do.
  const raises = action.kind === "lead" || action.kind === "trade";
  for (const [b, d] of measureDeltas(state, action, MEASURE.networkOut)) {
    if (!state.eligible[b]) continue;
    // Two heavy partitions are not led by one broker where they were not: each is a floor of its own.
    if (targets.heavyLedAfter(state, b, handed) > Math.max(1, targets.heavyLedBy(state, b))) return false;
    let aimAfter = targets.load.aim.networkOut[b]!;
    for (const p of targets.heavyLeads) {
      if (leaderAfter(p) === b && (raises || state.brokerAt(p, 0) === b)) aimAfter = Math.max(aimAfter, state.leaderOutOf(p));
    }
    const v = state.netOutOf(b);
    if (Math.max(0, v + d - aimAfter) > Math.max(0, v - outAim(state, targets, b)) + 1e-6) return false;
  }
  return true;
}

/**
 * No broker the action touches ends further over any aim. Written out per action kind (no
 * allocation): every later goal's proposals pass through here.
 */
function accepts(action: Action, state: PlacementState, targets: Targets): boolean {
  const limitedBy = targets.load.limited;
  if (!limitedBy.disk && !limitedBy.networkIn && !limitedBy.networkOut) return true;
  const limit = targets.load.aim;
  const limitsOut = limitedBy.networkOut;
  // Handing on a heavy partition changes the network-out aims themselves: worked out in full (rare).
  const heavy = limitsOut && targets.heavyLeads.length > 0 && targets.handsOnHeavyLead(action);
  if (heavy && !outAcceptsHeavy(action, state, targets)) return false;
  if (action.kind === "lead") {
    if (heavy || action.slot === 0 || !limitsOut) return true;
    const to = state.brokerAt(action.p, action.slot);
    return !worse(state.netOutOf(to), state.leaderOutOf(action.p), outAim(state, targets, to));
  }
  if (action.kind === "trade") {
    if (heavy || !limitsOut) return true;
    return measureDeltas(state, action, MEASURE.networkOut).every(([b, d]) => !worse(state.netOutOf(b), d, outAim(state, targets, b)));
  }
  if (action.kind === "move") {
    // The most asked: each resource read straight from the state (the only broker that can end further
    // over an aim is the one the replica goes to).
    const { p, slot, to } = action;
    if (limitedBy.disk && worse(state.disk[to]!, state.size[p]!, limit.disk[to]!)) return false;
    if (limitedBy.networkIn && worse(state.netIn[to]!, state.bytesIn[p]!, limit.networkIn[to]!)) return false;
    return !(limitsOut && !heavy && slot === 0 && worse(state.netOut[to]!, state.leaderOut[p]!, outAim(state, targets, to)));
  }
  // A swap: b1 gives p's replica and takes q's; b2 the other way round. Per resource only the broker
  // whose load rises can end further over its aim, so only its aim is read.
  const { p, slot, q, qSlot } = action;
  const b1 = state.brokerAt(p, slot);
  const b2 = state.brokerAt(q, qSlot);
  if (limitedBy.disk && swapWorse(state.disk, state.size[p]!, state.size[q]!, b1, b2, limit.disk)) return false;
  if (limitedBy.networkIn && swapWorse(state.netIn, state.bytesIn[p]!, state.bytesIn[q]!, b1, b2, limit.networkIn)) return false;
  if (!limitsOut || heavy) return true;
  const wp = slot === 0 ? state.leaderOut[p]! : 0;
  const wq = qSlot === 0 ? state.leaderOut[q]! : 0;
  const toB1 = wq - wp;
  const toB2 = wp - wq;
  if (toB1 > 0 && worse(state.netOut[b1]!, toB1, outAim(state, targets, b1))) return false;
  return !(toB2 > 0 && worse(state.netOut[b2]!, toB2, outAim(state, targets, b2)));
}

/** Whether swapping replicas weighing wp (on b1) and wq (on b2) takes b1 or b2 further over its aim of `load`. */
function swapWorse(load: Float64Array, wp: number, wq: number, b1: number, b2: number, aim: Float64Array): boolean {
  const toB1 = wq - wp;
  const toB2 = wp - wq;
  return (toB1 > 0 && worse(load[b1]!, toB1, aim[b1]!)) || (toB2 > 0 && worse(load[b2]!, toB2, aim[b2]!));
}

export const capacityGoal: Goal = {
  id: "capacity",
  hard: true,

  score: excess,

  status(state, targets) {
    const limited = limitedResources(targets.load);
    const unlimited = RESOURCES.filter((r) => !targets.load.limited[r]).map((r) => LABEL[r]);
    const none = unlimited.length > 0 ? `; no capacity given for ${unlimited.join(", ")} (not limited)` : "";
    if (limited.length === 0) return { satisfied: true, detail: `no capacity given for ${unlimited.join(", ")}: nothing to limit` };
    const parts: string[] = [];
    let over = 0;
    for (const r of limited) {
      const { worst, over: n } = utilisation(state, targets, r);
      over += n;
      const floor = targets.load.floors[r]!.floor;
      const threshold = targets.load.thresholds[r];
      const unreachable = floor > threshold * (1 + 1e-9) ? `, cannot be met: no placement goes below ${percent(floor)}` : "";
      parts.push(`${LABEL[r]} at most ${percent(worst)} of capacity (limit ${percent(threshold)}${unreachable})${n > 0 ? `, ${String(n)} broker(s) over` : ""}`);
    }
    return { satisfied: over === 0, detail: `${parts.join("; ")}${none}` };
  },

  accepts,

  optimize(ctx: GoalContext): void {
    const { targets, state } = ctx;
    const selfAccepts = (a: Action): boolean => accepts(a, state, targets);
    if (targets.load.limited.networkOut) spreadHeavyLeads(ctx);
    for (const r of limitedResources(targets.load)) optimizeBand(ctx, MEASURE[r], bandOf(targets, r), { selfAccepts, movesFirst: true, drain: true });
    if (targets.load.limited.networkOut) handOffMakingRoom(ctx);
    for (const r of limitedResources(targets.load)) if (r !== "networkOut") moveMakingRoom(ctx, r);
  },
};

/** Replicas of the broker (its lightest), destinations and replicas moved aside tried per relief in moveMakingRoom. */
const RELIEF_HEAVY = 4;
const RELIEF_DESTINATIONS = 16;
const RELIEF_ASIDE = 256;
/** Brokers with room the higher goals let a replica moved aside go to, offered it. */
const ASIDE_PARTNERS = 16;

/**
 * Brokers the band greedy left over their aim of resource r (disk or network in), typically holding
 * several replicas each heavier than any other broker's room. One of their replicas (the lightest
 * first) goes to a broker that first moves replicas of its own aside, to brokers with room, until it
 * fits.
 * Chosen before anything is applied where it can be; whatever is refused is taken back, so every
 * broker ends within its aims or no further over them.
 */
function moveMakingRoom(ctx: GoalContext, r: Resource): void {
  const { state, targets } = ctx;
  const load = MEASURE[r].load(state);
  const aim = targets.load.aim[r];
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || load[b]! <= aim[b]! * (1 + 1e-9)) continue;
    const room = new ByRoom(state, targets.load, b);
    while (load[b]! > aim[b]! * (1 + 1e-9) && relieveByMove(ctx, r, b, room)) {
      /* keep relieving */
    }
  }
}

/**
 * Eligible brokers other than b that use less than all of each aim, by the largest share of an aim
 * they use, least first (ties by index); kept in that order as brokers' loads change (`refresh`), so
 * a broker relieved thousands of times is not ranked against the whole cluster each time.
 */
class ByRoom {
  readonly list: number[] = [];
  private readonly used: Float64Array;

  constructor(
    private readonly state: PlacementState,
    private readonly load: LoadTargets,
    private readonly b: number,
  ) {
    this.used = new Float64Array(state.brokerCount);
    for (let x = 0; x < state.brokerCount; x++) {
      if (!state.eligible[x] || x === b) continue;
      this.used[x] = aimUsed(state, load, x);
      if (this.used[x]! < 1) this.list.push(x);
    }
    this.list.sort((x, y) => this.before(x, y));
  }

  /** Ranks again the brokers whose loads changed. */
  refresh(changed: Iterable<number>): void {
    const { list } = this;
    for (const x of new Set(changed)) {
      if (x === this.b || !this.state.eligible[x]) continue;
      const at = list.indexOf(x);
      if (at >= 0) list.splice(at, 1);
      this.used[x] = aimUsed(this.state, this.load, x);
      if (this.used[x]! >= 1) continue;
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.before(list[mid]!, x) < 0) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, x);
    }
  }

  private before(x: number, y: number): number {
    return this.used[x]! - this.used[y]! || x - y;
  }
}

/** Whether broker x stays within every aim taking replica (p, slot). */
function fits(state: PlacementState, targets: Targets, x: number, p: number, slot: number): boolean {
  for (const r of limitedResources(targets.load)) {
    if (MEASURE[r].load(state)[x]! + replicaWeight(state, r, p, slot) > targets.load.aim[r][x]! * (1 + 1e-9)) return false;
  }
  return true;
}

/** One replica of b moved to a broker that made room for it (moveMakingRoom); true if done. */
function relieveByMove(ctx: GoalContext, r: Resource, b: number, room: ByRoom): boolean {
  const changed: number[] = [];
  const done = relieveThrough(ctx, r, b, room.list, changed);
  room.refresh(changed);
  return done;
}

/** relieveByMove over brokers ranked by room (`open`), noting every broker whose load it changed. */
function relieveThrough(ctx: GoalContext, r: Resource, b: number, open: readonly number[], changed: number[]): boolean {
  const { state, targets } = ctx;
  // The lightest first: each needs the least room made for it, and what the greedy left is heavy.
  const lightest = partitionsByWeightAscending(state, MEASURE[r].weight(state), b);
  let tried = 0;
  for (let i = 0; i < lightest.length && tried < RELIEF_HEAVY; i++) {
    const h = lightest[i]!;
    if (state.frozen[h]) continue;
    tried++;
    const hSlot = state.slotOf(h, b);
    for (const z of firstAdmitted(open, RELIEF_DESTINATIONS, (z) => state.slotOf(h, z) < 0 && ctx.mayGo(h, hSlot, z))) {
      if (fits(state, targets, z, h, hSlot)) {
        if (ctx.propose({ kind: "move", p: h, slot: hSlot, to: z })) {
          changed.push(z);
          return true;
        }
        continue;
      }
      const aside = moveAside(ctx, r, z, b, h, hSlot, open, changed);
      if (aside === null) continue;
      if (fits(state, targets, z, h, hSlot) && ctx.propose({ kind: "move", p: h, slot: hSlot, to: z })) return true;
      moveBack(ctx, aside, z);
    }
  }
  return false;
}

/** The first `n` entries of `list` that `admit` admits, in order (no more asked). */
function firstAdmitted(list: readonly number[], n: number, admit: (x: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length && out.length < n; i++) if (admit(list[i]!)) out.push(list[i]!);
  return out;
}

/**
 * Moves replicas of z aside, heaviest of resource r first, each to the first broker of `open` (not `avoid`) that
 * stays within its aims taking it and that the higher goals let it go to, until replica (h, hSlot)
 * fits on z: the moves made, or null (with every one taken back) when RELIEF_ASIDE moves do not make
 * enough room. Every broker whose load it changes is noted in `changed`.
 */
function moveAside(
  ctx: GoalContext,
  r: Resource,
  z: number,
  avoid: number,
  h: number,
  hSlot: number,
  open: readonly number[],
  changed: number[],
): Array<{ p: number; to: number }> | null {
  const { state, targets } = ctx;
  // A copy: the view changes as replicas leave z.
  const mine = partitionsByWeightDescending(state, MEASURE[r].weight(state), z).slice();
  const moved: Array<{ p: number; to: number }> = [];
  for (const q of mine) {
    if (state.frozen[q] || q === h) continue;
    if (moved.length >= RELIEF_ASIDE || fits(state, targets, z, h, hSlot)) break;
    const slot = state.slotOf(q, z);
    let tried = 0;
    for (const y of open) {
      if (tried >= ASIDE_PARTNERS) break;
      if (y === z || y === avoid || state.slotOf(q, y) >= 0 || !ctx.mayGo(q, slot, y)) continue;
      tried++;
      if (!fits(state, targets, y, q, slot) || !ctx.propose({ kind: "move", p: q, slot, to: y })) continue;
      moved.push({ p: q, to: y });
      changed.push(z, y);
      break;
    }
  }
  if (fits(state, targets, z, h, hSlot)) return moved;
  moveBack(ctx, moved, z);
  return null;
}

/** Takes back replicas moved aside from z, the last first. */
function moveBack(ctx: GoalContext, moved: ReadonlyArray<{ p: number; to: number }>, z: number): void {
  for (let i = moved.length - 1; i >= 0; i--) {
    const { p, to } = moved[i]!;
    ctx.undo({ kind: "move", p, slot: ctx.state.slotOf(p, to), to: z });
  }
}

/**
 * A broker leading a partition above every broker's network-out limit (Targets.heavyLeads) sheds the
 * other leaderships the band greedy left it, each handed to a follower that first makes room: the
 * follower hands some of its own leaderships to followers of theirs with room, until the one it takes
 * fits within its aim. Every step leaves each broker it touches within its aim or closer to it; where
 * the last step is refused the others are taken back. Without it such a broker keeps what it leads
 * whenever every follower's network out is near its own limit (as on clusters over the threshold).
 */
function handOffMakingRoom(ctx: GoalContext): void {
  const { state, targets } = ctx;
  const aim = targets.load.aim.networkOut;
  if (targets.heavyLeads.length === 0) return;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || targets.heavyLedBy(state, b) === 0) continue;
    while (state.netOutOf(b) > aim[b]! * (1 + 1e-9) && relieve(ctx, b)) {
      /* keep relieving */
    }
  }
}

/** One leadership of b handed on through a follower that made room for it (handOffMakingRoom); true if done. */
function relieve(ctx: GoalContext, b: number): boolean {
  for (const q of ledHeaviestFirst(ctx.state, b)) if (handOn(ctx, b, q)) return true;
  return false;
}

/** b's leadership of q handed to a follower with room, or one that first makes room; true if done. */
function handOn(ctx: GoalContext, b: number, q: number): boolean {
  const { state, targets } = ctx;
  const aim = targets.load.aim.networkOut;
  const out = state.netOut;
  const w = state.leaderOut;
  for (let slot = 1; slot < state.rfOf(q); slot++) {
    const f = state.brokerAt(q, slot);
    if (!state.eligible[f]) continue;
    const lacking = out[f]! + w[q]! - aim[f]!;
    if (lacking <= 0) {
      if (ctx.propose({ kind: "lead", p: q, slot })) return true;
      continue;
    }
    const handed = makeRoom(ctx, f, b, lacking);
    if (handed === null) continue;
    if (ctx.propose({ kind: "lead", p: q, slot: state.slotOf(q, f) })) return true;
    for (const r of handed.reverse()) ctx.undo({ kind: "lead", p: r, slot: state.slotOf(r, f) });
  }
  return false;
}

/**
 * A broker leading several partitions above every broker's network-out limit (Targets.heavyLeads)
 * keeps the heaviest and hands each other one to a follower that first hands on every leadership of
 * its own, each through a follower of its own that makes room where needed (`handOn`): that
 * follower then leads the heavy partition alone, at the floor the partition sets. Followers with the
 * least network out are asked first (ties by index); where a follower cannot shed everything, what it
 * handed on is taken back. Without it, heavy partitions that start on one broker stay there, far
 * above the floor, and keep that broker over its other limits too.
 */
function spreadHeavyLeads(ctx: GoalContext): void {
  const { state, targets } = ctx;
  if (targets.heavyLeads.length < 2) return;
  const out = state.leaderOut;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || targets.heavyLedBy(state, b) < 2) continue;
    const led = Array.from(targets.heavyLeads)
      .filter((p) => state.brokerAt(p, 0) === b)
      .sort((x, y) => out[y]! - out[x]! || x - y);
    for (const q of led.slice(1)) {
      if (state.frozen[q]) continue;
      const followers: number[] = [];
      for (let slot = 1; slot < state.rfOf(q); slot++) {
        const f = state.brokerAt(q, slot);
        if (state.eligible[f] && targets.heavyLedBy(state, f) === 0) followers.push(f);
      }
      followers.sort((x, y) => state.netOutOf(x) - state.netOutOf(y) || x - y);
      for (const f of followers) if (leadAlone(ctx, q, f)) break;
    }
  }
}

/**
 * Broker f hands on every leadership that carries network out (handOn) and takes heavy partition
 * q's; true if done.
 * Otherwise every hand-off is taken back: each is a leadership change, which the same change undoes,
 * so replaying them (and the ones relieve took back itself) last first restores f's leaderships.
 */
function leadAlone(ctx: GoalContext, q: number, f: number): boolean {
  const { state, targets } = ctx;
  const handed: Action[] = [];
  const logged: GoalContext = {
    ...ctx,
    propose(a: Action): boolean {
      if (!ctx.propose(a)) return false;
      handed.push(a);
      return true;
    },
    undo(a: Action): void {
      ctx.undo(a);
      handed.push(a);
    },
  };
  // Heaviest first, each once: f must shed them all, so the first it cannot ends the attempt.
  // Leaderships that carry no network out (idle partitions) may stay: they cost f nothing.
  const shed = ledHeaviestFirst(state, f).every((r) => handOn(logged, f, r));
  const a: Action = { kind: "lead", p: q, slot: state.slotOf(q, f) };
  if (shed && accepts(a, state, targets) && ctx.propose(a)) return true;
  for (let i = handed.length - 1; i >= 0; i--) ctx.undo(handed[i]!);
  return false;
}

/**
 * Hands leaderships of f, heaviest first, each to its first follower (not `avoid`) that stays within
 * its aim taking it, until f's network out has fallen by `lacking`: the partitions handed on, or null
 * (with every hand-off taken back) when f cannot shed that much.
 */
function makeRoom(ctx: GoalContext, f: number, avoid: number, lacking: number): number[] | null {
  const { state, targets } = ctx;
  const aim = targets.load.aim.networkOut;
  const w = state.leaderOut;
  const led = ledHeaviestFirst(state, f);
  // Chosen before anything is applied, so that a follower that cannot shed enough costs no changes.
  const plan: Array<{ r: number; slot: number }> = [];
  const taken = new Map<number, number>();
  let freed = 0;
  for (const r of led) {
    if (freed >= lacking) break;
    for (let slot = 1; slot < state.rfOf(r); slot++) {
      const g = state.brokerAt(r, slot);
      const more = taken.get(g) ?? 0;
      if (g === avoid || !state.eligible[g] || state.netOutOf(g) + more + w[r]! > aim[g]!) continue;
      taken.set(g, more + w[r]!);
      plan.push({ r, slot });
      freed += w[r]!;
      break;
    }
  }
  if (freed < lacking) return null;
  const handed: number[] = [];
  freed = 0;
  for (const { r, slot } of plan) {
    if (!ctx.propose({ kind: "lead", p: r, slot })) continue;
    handed.push(r);
    freed += w[r]!;
  }
  if (freed >= lacking) return handed;
  for (const r of handed.reverse()) ctx.undo({ kind: "lead", p: r, slot: state.slotOf(r, f) });
  return null;
}
/** The largest utilisation of resource r over eligible brokers, and how many are over the limit. */
export function utilisation(state: PlacementState, targets: Targets, r: Resource): { worst: number; over: number } {
  const load = MEASURE[r].load(state);
  const limit = targets.load.limit[r];
  const cap = capacityOf(state, r);
  let worst = 0;
  let over = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || !(cap[b]! > 0)) continue;
    worst = Math.max(worst, load[b]! / cap[b]!);
    if (load[b]! > limit[b]! * (1 + 1e-9)) over++;
  }
  return { worst, over };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
