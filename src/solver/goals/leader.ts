/**
 * Leader balance: preferred leaders (the first replica) even across eligible brokers, reached by
 * reordering replica lists, which moves no data. A greedy pass hands leadership from brokers above the
 * band to replicas below it; what remains is solved as a matching by augmenting paths (leadership
 * passed along a chain of partitions), which reaches the band whenever reordering alone can. Where
 * capacity stands in the way of every reordering, a broker below the band swaps replicas for a light
 * leadership as a last resort (leader-swap.ts).
 */
import type { Goal, GoalContext } from "../goal.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { bandAccepts, leaderDeltas } from "./band.js";
import { firstInSortOrder } from "./lazy-order.js";
import { pullBySwap } from "./leader-swap.js";
import { ledHeaviestFirst } from "./load-balance.js";
import { KeyedPairs, RunCount } from "./memo.js";

function leaderDeviation(state: PlacementState, targets: Targets): number {
  let s = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.eligible[b]) s += deviation(state.leadersOf(b), targets.leaderMinOf(state, b), targets.leaderMaxOf(state, b));
  }
  return s;
}

/**
 * `accepts` for an action that hands on a heavy partition's leadership: the bands of the brokers it
 * touches change with the heavy partitions they lead (Targets.leaderMinOf), so each one's distance
 * from its band is worked out with the band it has before and the one it will have after.
 */
function acceptsHandingOnHeavy(action: Action, state: PlacementState, targets: Targets): boolean {
  const handed = state.handedLeaderships(action);
  for (const [b, d] of leaderDeltas(state, action)) {
    const n = state.leadersOf(b);
    const before = targets.heavyLedBy(state, b);
    const after = targets.heavyLedAfter(state, b, handed);
    const was = before > 0 ? deviation(n, before, before) : deviation(n, targets.leaderMin, targets.leaderMax);
    const will = after > 0 ? deviation(n + d, after, after) : deviation(n + d, targets.leaderMin, targets.leaderMax);
    if (will > was) return false;
  }
  return true;
}

/** Every leadership s could hand on: each partition s leads (not frozen), to each eligible follower, in s's list order. */
function eachHandOff(state: PlacementState, s: number, visit: (p: number, slot: number, follower: number) => void): void {
  const n = state.partitionsOnCount(s);
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(s, i);
    if (state.brokerAt(p, 0) !== s || state.frozen[p]) continue;
    for (let slot = 1; slot < state.rfOf(p); slot++) {
      const b = state.brokerAt(p, slot);
      if (state.eligible[b]) visit(p, slot, b);
    }
  }
}

/**
 * Hands leadership of partitions led by s, one at a time while s is above the band, each to the
 * follower with the fewest leaders (below `below`; ties by partition, then slot). Leadership changes
 * leave s's partitions as they are, so s's candidates are gathered once, per follower broker in
 * ascending partition order.
 */
function handOff(ctx: GoalContext, s: number, below: number): void {
  const { state, targets } = ctx;
  if (state.leadersOf(s) <= targets.leaderMaxOf(state, s)) return;
  const byFollower = new Map<number, number[]>();
  eachHandOff(state, s, (p, _slot, b) => {
    const list = byFollower.get(b);
    if (list) list.push(p);
    else byFollower.set(b, [p]);
  });
  for (const list of byFollower.values()) list.sort((x, y) => x - y);
  const next = new Map<number, number>(); // per follower, the index of its next candidate
  while (state.leadersOf(s) > targets.leaderMaxOf(state, s)) {
    let best = -1;
    let bestP = -1;
    let bestLeaders = below;
    for (const [b, list] of byFollower) {
      let k = next.get(b) ?? 0;
      while (k < list.length && state.brokerAt(list[k]!, 0) !== s) k++; // handed on through another follower
      next.set(b, k);
      const p = list[k];
      if (p === undefined || (targets.heavyLeads.length > 0 && targets.heavyLedBy(state, b) > 0)) continue; // b leads a heavy partition alone
      const l = state.leadersOf(b);
      if (l < bestLeaders || (best >= 0 && l === bestLeaders && (p < bestP || (p === bestP && state.slotOf(p, b) < state.slotOf(p, best))))) {
        best = b;
        bestP = p;
        bestLeaders = l;
      }
    }
    if (best < 0) return;
    next.set(best, next.get(best)! + 1);
    if (!ctx.propose({ kind: "lead", p: bestP, slot: state.slotOf(bestP, best) })) return;
  }
}

/**
 * The partitions on broker b in ascending order, so that the chains found depend on the placement
 * only, not on the order of the broker's list (which depends on the moves made before): re-planning a
 * plan's result then finds nothing new. Kept until the broker's partitions change.
 */
function inOrder(state: PlacementState, b: number): Int32Array {
  let perBroker = sortedCache.get(state);
  if (perBroker === undefined) {
    perBroker = [];
    sortedCache.set(state, perBroker);
  }
  const cached = perBroker[b];
  if (cached !== undefined && cached.version === state.brokerVersion[b]) return cached.list;
  const list = state.partitionsOn(b).sort();
  perBroker[b] = { version: state.versionOf(b), list };
  return list;
}

const sortedCache = new WeakMap<PlacementState, Array<{ version: number; list: Int32Array } | undefined>>();

/**
 * Breadth-first search from broker `from` over "s leads p, b follows p" edges to a broker that can
 * take one more leader; applies the chain of leadership changes. True if the excess moved.
 */
function augment(ctx: GoalContext, from: number, canTake: (b: number) => boolean): boolean {
  const { state } = ctx;
  const B = state.brokerCount;
  const via = new Int32Array(B).fill(-1);
  const prev = new Int32Array(B).fill(-1);
  const seen = new Uint8Array(B);
  seen[from] = 1;
  let unseen = unseenEligible(state, from);
  const queue = [from];
  // Once every eligible broker has been reached, the rest of the queue can find nothing new.
  for (let qi = 0; qi < queue.length && unseen > 0; qi++) {
    const u = queue[qi]!;
    for (const p of inOrder(state, u)) {
      if (state.brokerAt(p, 0) !== u || state.frozen[p]) continue;
      for (let slot = 1; slot < state.rfOf(p); slot++) {
        const b = state.brokerAt(p, slot);
        if (seen[b] || !state.eligible[b]) continue;
        seen[b] = 1;
        unseen--;
        via[b] = p;
        prev[b] = u;
        if (canTake(b)) return applyChain(ctx, b, via, prev);
        queue.push(b);
      }
      if (unseen === 0) break;
    }
  }
  return false;
}

/** Eligible brokers other than `start`: the ones a search from `start` may still reach. */
function unseenEligible(state: PlacementState, start: number): number {
  let n = 0;
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b] && b !== start) n++;
  return n;
}

function applyChain(ctx: GoalContext, end: number, via: Int32Array, prev: Int32Array): boolean {
  const chain: Link[] = [];
  for (let b = end; prev[b]! >= 0; b = prev[b]!) chain.push({ p: via[b]!, to: b });
  // Apply from the start of the chain so every intermediate broker's count returns to where it was.
  return handOver(ctx, chain.reverse());
}

/** One step of a chain: partition p's leadership goes to broker `to`. */
interface Link {
  readonly p: number;
  readonly to: number;
}

/** Applies the links in order; true when every one was accepted. */
function handOver(ctx: GoalContext, links: readonly Link[]): boolean {
  let ok = true;
  for (const link of links) {
    if (!ctx.propose({ kind: "lead", p: link.p, slot: ctx.state.slotOf(link.p, link.to) })) ok = false;
  }
  return ok;
}

export const leaderGoal: Goal = {
  id: "leader",
  hard: false,

  score: leaderDeviation,

  status(state, targets) {
    let min = Infinity;
    let max = -Infinity;
    for (let b = 0; b < state.brokerCount; b++) {
      if (!state.eligible[b]) continue;
      min = Math.min(min, state.leadersOf(b));
      max = Math.max(max, state.leadersOf(b));
    }
    if (!Number.isFinite(min)) return { satisfied: true, detail: "no eligible brokers" };
    const band = targets.leaderMin === targets.leaderMax ? String(targets.leaderMin) : `${String(targets.leaderMin)}–${String(targets.leaderMax)}`;
    let alone = 0;
    for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b] && targets.heavyLedBy(state, b) > 0) alone++;
    const heavy = alone > 0 ? ` (${String(alone)} broker(s) leading a partition above every broker's network-out limit: those only)` : "";
    const text = `preferred leaders per broker ${String(min)}–${String(max)}, target ${band}${heavy}`;
    return leaderDeviation(state, targets) === 0 ? { satisfied: true, detail: text } : { satisfied: false, detail: text };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (targets.handsOnHeavyLead(action)) return acceptsHandingOnHeavy(action, state, targets);
    return bandAccepts(
      leaderDeltas(state, action),
      (b) => state.leadersOf(b),
      (b) => targets.leaderMinOf(state, b),
      (b) => targets.leaderMaxOf(state, b),
    );
  },

  optimize(ctx: GoalContext): void {
    const { state, targets } = ctx;
    // Shedding a heavy leadership spends network-out room that replica moves of the next round may
    // need: it waits until the goal's third run on the placement, when those have mostly settled.
    const shedding = runsOn.next(state) >= SHED_FROM_RUN;
    const eligible: number[] = [];
    for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) eligible.push(b);
    const byLeadersDesc = (): number[] => [...eligible].sort((a, b) => state.leadersOf(b) - state.leadersOf(a) || a - b);
    // Greedy: from the most-led brokers to followers below the band, then within it.
    for (const limit of [targets.leaderMin, targets.leaderMax]) {
      for (const s of byLeadersDesc()) handOff(ctx, s, limit);
    }
    // Exact: augmenting paths from every broker still above the band, then to every one below it.
    for (const s of byLeadersDesc()) {
      while (state.leadersOf(s) > targets.leaderMaxOf(state, s) && augment(ctx, s, (b) => state.leadersOf(b) < targets.leaderMaxOf(state, b))) {
        /* keep augmenting */
      }
    }
    for (const d of [...eligible].sort((a, b) => state.leadersOf(a) - state.leadersOf(b) || a - b)) {
      while (state.leadersOf(d) < targets.leaderMinOf(state, d) && (pull(ctx, d) || pullMakingRoom(ctx, d) || (shedding && (pullByShedding(ctx, d) || pullBySwap(ctx, d))))) {
        /* keep pulling */
      }
    }
    for (const s of byLeadersDesc()) {
      while (state.leadersOf(s) > targets.leaderMaxOf(state, s) && level(ctx, s)) {
        /* keep levelling */
      }
    }
  },
};

/**
 * Where the band cannot be reached, because brokers below it may not take another leader (a higher
 * goal refuses: typically capacity, on a broker whose network out is at its limit, or one that leads
 * a partition heavier than the limit), a broker above the band still hands a leadership to a follower
 * at least two leaders below it: the two counts end closer and no broker goes further from the band
 * than the one above it comes back, so the spread narrows. Followers with the fewest leaders first,
 * then the lightest partitions (network out), which a broker near a limit can still take. True when
 * one was handed over.
 */
function level(ctx: GoalContext, s: number): boolean {
  const { state } = ctx;
  const most = state.leadersOf(s) - 2;
  const candidates: Array<{ p: number; slot: number; b: number }> = [];
  eachHandOff(state, s, (p, slot, b) => {
    if (state.leadersOf(b) <= most) candidates.push({ p, slot, b });
  });
  const out = state.leaderOut;
  candidates.sort((x, y) => state.leadersOf(x.b) - state.leadersOf(y.b) || out[x.p]! - out[y.p]! || x.p - y.p || x.slot - y.slot);
  for (const c of candidates) if (ctx.propose({ kind: "lead", p: c.p, slot: c.slot })) return true;
  // Followers whose network out is at its limit: one of them first trades a heavy leadership for a
  // lighter one with a broker that has room (both keep their counts), then takes the leadership.
  if (!ctx.targets.load.limited.networkOut) return false;
  const tried = new Set<number>();
  for (const c of candidates) {
    if (tried.has(c.b)) continue;
    tried.add(c.b);
    const lacking = state.netOutOf(c.b) + out[c.p]! - ctx.targets.load.aim.networkOut[c.b]!;
    if (lacking <= 0) continue; // refused for another reason
    if (leadAfterTrade(ctx, c.p, c.b, s, lacking)) return true;
  }
  return false;
}

/**
 * Partition p's leadership to broker d, which lacks `lacking` of network-out room: d first makes that
 * room by a trade (roomByTrade, not with `avoid`); the trade is taken back when the hand-over is
 * refused. True when p's leadership went to d.
 */
function leadAfterTrade(ctx: GoalContext, p: number, d: number, avoid: number, lacking: number): boolean {
  const { state } = ctx;
  const trade = roomByTrade(state, ctx.targets, d, avoid, lacking);
  if (trade === null || !ctx.propose(trade)) return false;
  if (ctx.propose({ kind: "lead", p, slot: state.slotOf(p, d) })) return true;
  // d leads trade.q now and its partner (the new leader of trade.p) follows it: each hands back.
  ctx.undo({ kind: "trade", p: trade.p, slot: state.slotOf(trade.p, d), q: trade.q, qSlot: state.slotOf(trade.q, state.brokerAt(trade.p, 0)) });
  return false;
}

/** Leaderships pullMakingRoom tries per call, the lightest first. */
const ROOM_TRIES = 8;

/**
 * Gives under-led d a leadership from a broker that can spare one where d's network out is at its
 * limit (so pull's chains end refused): d first trades a heavy leadership for a lighter one with a
 * broker that has room (roomByTrade), then takes the lightest leadership it follows. True when done.
 */
function pullMakingRoom(ctx: GoalContext, d: number): boolean {
  const { state, targets } = ctx;
  if (!targets.load.limited.networkOut) return false;
  const w = state.leaderOut;
  const spare = (p: number): boolean => {
    const u = state.brokerAt(p, 0);
    return !(u === d || state.frozen[p] || !state.eligible[u] || state.leadersOf(u) <= targets.leaderMinOf(state, u));
  };
  for (const p of firstInSortOrder(state.partitionsOn(d), ROOM_TRIES, (x, y) => w[x]! - w[y]! || x - y, spare)) {
    const u = state.brokerAt(p, 0);
    const lacking = state.netOutOf(d) + w[p]! - targets.load.aim.networkOut[d]!;
    if (lacking <= 0) {
      if (ctx.propose({ kind: "lead", p, slot: state.slotOf(p, d) })) return true;
      continue;
    }
    if (leadAfterTrade(ctx, p, d, u, lacking)) return true;
  }
  return false;
}

/** How many times the goal has run on each placement (pullByShedding waits for SHED_FROM_RUN). */
const runsOn = new RunCount();
const SHED_FROM_RUN = 3;

/** Heavy leaderships pullByShedding tries to hand on per call, the heaviest first. */
const SHED_TRIES = 8;

/**
 * Gives under-led d leaderships where its network out is at its limit and no single trade makes room
 * (pullMakingRoom): d hands one of its heaviest leaderships to a follower with room for it that stays
 * within the leader band, then takes the lightest leaderships it follows from brokers that can spare
 * one, as many as now fit under its limit. Kept when d took at least two (it gains at least one);
 * otherwise every step is taken back. True when kept.
 */
function pullByShedding(ctx: GoalContext, d: number): boolean {
  const { state, targets } = ctx;
  if (!targets.load.limited.networkOut) return false;
  const w = state.leaderOut;
  const aim = targets.load.aim.networkOut;
  for (const r of ledHeaviestFirst(state, d).slice(0, SHED_TRIES)) {
    for (let slot = 1; slot < state.rfOf(r); slot++) {
      const g = state.brokerAt(r, slot);
      if (!state.eligible[g] || state.leadersOf(g) >= targets.leaderMaxOf(state, g) || state.netOutOf(g) + w[r]! > aim[g]!) continue;
      if (!ctx.propose({ kind: "lead", p: r, slot })) continue;
      const taken = takeLightest(ctx, d);
      if (taken.length >= 2) return true;
      // A leadership change is undone by the same change.
      for (let i = taken.length - 1; i >= 0; i--) ctx.undo(taken[i]!);
      ctx.undo({ kind: "lead", p: r, slot: state.slotOf(r, d) });
    }
  }
  return false;
}

/**
 * d takes the lightest leaderships it follows (network out) from brokers above their leader band's
 * minimum, while they fit under d's network-out aim and d is below its band: the changes made.
 */
function takeLightest(ctx: GoalContext, d: number): Action[] {
  const { state, targets } = ctx;
  const w = state.leaderOut;
  const aim = targets.load.aim.networkOut[d]!;
  const followed: number[] = [];
  for (let i = 0; i < state.partitionsOnCount(d); i++) {
    const p = state.partitionOnAt(d, i);
    if (state.brokerAt(p, 0) !== d && !state.frozen[p]) followed.push(p);
  }
  followed.sort((x, y) => w[x]! - w[y]! || x - y);
  const taken: Action[] = [];
  for (const p of followed) {
    if (state.leadersOf(d) >= targets.leaderMinOf(state, d) || state.netOutOf(d) + w[p]! > aim) break;
    const u = state.brokerAt(p, 0);
    if (!state.eligible[u] || state.leadersOf(u) <= targets.leaderMinOf(state, u)) continue;
    const a: Action = { kind: "lead", p, slot: state.slotOf(p, d) };
    if (ctx.propose(a)) taken.push(a);
  }
  return taken;
}

/**
 * A trade that lowers b's network out by at least `lacking`: b hands partition r to a follower g (not
 * `avoid`) and takes g's partition r' in return, r' lighter by at least `lacking`, with g still within
 * its network-out aim. The heaviest r first, then the first such g and the heaviest such r' (ties by
 * partition); null when there is none.
 */
function roomByTrade(state: PlacementState, targets: Targets, b: number, avoid: number, lacking: number): Extract<Action, { kind: "trade" }> | null {
  const w = state.leaderOut;
  const aim = targets.load.aim.networkOut;
  // What b follows, by leader: the r' each g could give back (gathered once, when first needed).
  let followed: KeyedPairs | null = null;
  // lacking > 0: every partition heavy enough carries network out; the rest, lighter, cannot help.
  for (const r of ledHeaviestFirst(state, b)) {
    if (w[r]! < lacking) break;
    for (let slot = 1; slot < state.rfOf(r); slot++) {
      const g = state.brokerAt(r, slot);
      if (g === avoid || !state.eligible[g]) continue;
      // g gives back r' with w[r'] in [netOut[g] + w[r] − aim[g], w[r] − lacking].
      const least = state.netOutOf(g) + w[r]! - aim[g]!;
      const most = w[r]! - lacking;
      if (least > most) continue;
      followed ??= gatherFollowed(state, b);
      // The heaviest such r' that g leads and b follows, the lowest index among equals.
      let best = -1;
      for (let e = followed.first(g); e >= 0; e = followed.after(e)) {
        const q = followed.a(e);
        if (q === r || w[q]! > most || w[q]! < least) continue;
        if (best < 0 || w[q]! > w[best]! || (w[q]! === w[best]! && q < best)) best = q;
      }
      if (best >= 0) return { kind: "trade", p: r, slot, q: best, qSlot: state.slotOf(best, b) };
    }
  }
  return null;
}

/** The partitions b follows that may change (not frozen), keyed by the broker leading each (the pairs' `a`). */
function gatherFollowed(state: PlacementState, b: number): KeyedPairs {
  const byLeader = followedByLeader.begin(state.brokerCount);
  const n = state.partitionsOnCount(b);
  for (let i = 0; i < n; i++) {
    const q = state.partitionOnAt(b, i);
    const u = state.brokerAt(q, 0);
    if (u !== b && !state.frozen[q]) byLeader.add(u, q, 0);
  }
  return byLeader;
}

/** roomByTrade's lists, reused (it gathers thousands of times on a large plan). */
const followedByLeader = new KeyedPairs();

/** Gives under-led broker d one more leader through a chain from a broker that can spare one. */
function pull(ctx: GoalContext, d: number): boolean {
  const { state, targets } = ctx;
  // With no broker able to spare a leader the search could only end empty, after reaching every
  // broker (a few hundred thousand replicas on a large cluster).
  let spare = false;
  for (let b = 0; b < state.brokerCount && !spare; b++) spare = b !== d && state.eligible[b] === 1 && state.leadersOf(b) > targets.leaderMinOf(state, b);
  if (!spare) return false;
  // Search backwards: brokers whose led partitions d follows, and so on, to a broker above the minimum.
  const B = state.brokerCount;
  const via = new Int32Array(B).fill(-1);
  const next = new Int32Array(B).fill(-1);
  const seen = new Uint8Array(B);
  seen[d] = 1;
  let unseen = unseenEligible(state, d);
  const queue = [d];
  // Once every eligible broker has been reached, the rest of the queue can find nothing new.
  for (let qi = 0; qi < queue.length && unseen > 0; qi++) {
    const v = queue[qi]!;
    for (const p of inOrder(state, v)) {
      const u = state.brokerAt(p, 0);
      if (u === v || seen[u] || state.frozen[p] || !state.eligible[u]) continue;
      seen[u] = 1;
      unseen--;
      via[u] = p;
      next[u] = v;
      if (state.leadersOf(u) > targets.leaderMinOf(state, u)) {
        // Apply from d's end backwards: each link hands p from u to next[u].
        const links: Link[] = [];
        for (let b = u; next[b]! >= 0; b = next[b]!) links.push({ p: via[b]!, to: next[b]! });
        return handOver(ctx, links.reverse());
      }
      queue.push(u);
      if (unseen === 0) break;
    }
  }
  return false;
}
