/**
 * The leader goal's last resort, which moves data. A broker below its leader band that no change of
 * leadership can help sits at its network-out limit, and what it follows is heavier than its room
 * (typically it leads one partition of most of its limit). It swaps one of its follower replicas for
 * the leader replica of a light partition led by a broker that can spare a leader (where replicas
 * span every rack, one of its own rack: the rack rule decides). Both keep their replica counts. The
 * partner is the partition nearest in produce rate that fits the room, so network in (and disk, as
 * sizes follow traffic) hardly changes, and of the same topic or one whose counts stay in their band;
 * every higher goal must accept the swap. Where the broker has too little room, it first swaps one of
 * its leader replicas for the leader replica of a partition with the same produce rate and fewer
 * consumers (both leader counts stay), which frees network out.
 */
import type { GoalContext } from "../goal.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { closestFirst } from "./by-size.js";

/** Replicas of the broker below the band tried per call, each with partners nearest in produce rate. */
const OWN_TRIES = 8;

/** Partners proposed per replica tried. */
const PARTNER_TRIES = 4;

/** Partitions looked at per replica tried (most fail a cheap test: wrong rack, no room). */
const LOOK_AT = 4096;

/** Every partition by produce rate ascending, ties by index (the figures never change while planning). */
const byRate = new WeakMap<PlacementState, Int32Array>();

function rateOrder(state: PlacementState): Int32Array {
  let order = byRate.get(state);
  if (order === undefined) {
    const rate = state.bytesIn;
    order = Int32Array.from({ length: state.partitionCount }, (_, p) => p).sort((x, y) => rate[x]! - rate[y]! || x - y);
    byRate.set(state, order);
  }
  return order;
}

/** Room-making swaps tried before one that gains a leader (all taken back when none does). */
const ROOM_STEPS = 3;

/**
 * Gives under-led broker d one leadership by a swap of replicas (see the file's comment), making room
 * for it first where d has none. True when d gained a leader.
 */
export function pullBySwap(ctx: GoalContext, d: number): boolean {
  if (leadBySwap(ctx, d)) return true;
  const made: Action[] = [];
  for (let i = 0; i < ROOM_STEPS; i++) {
    const room = roomBySwap(ctx, d);
    if (room === null) break;
    made.push(room);
    if (leadBySwap(ctx, d)) return true;
  }
  // A swap is undone by the same swap, the last first.
  for (let i = made.length - 1; i >= 0; i--) ctx.undo(made[i]!);
  return false;
}

/**
 * d swaps one of its follower replicas (the lowest produce rates first) for the leader replica of a
 * partition that fits its network-out room, led by a broker above its band's minimum. True when done.
 */
function leadBySwap(ctx: GoalContext, d: number): boolean {
  const { state, targets } = ctx;
  const w = state.leaderOut;
  const { load } = targets;
  const room = load.limited.networkOut ? load.aim.networkOut[d]! - state.netOutOf(d) : Infinity;
  const fits = (p: number, u: number): boolean => w[p]! <= room && state.leadersOf(u) > targets.leaderMinOf(state, u);
  const rate = state.bytesIn;
  const own = state.partitionsOn(d).sort((x, y) => rate[x]! - rate[y]! || x - y);
  let tried = 0;
  for (let i = 0; i < own.length && tried < OWN_TRIES; i++) {
    const q = own[i]!;
    if (state.brokerAt(q, 0) === d || state.frozen[q]) continue;
    tried++;
    const qSlot = state.slotOf(q, d);
    // A leader sends at least each follower a copy of what it takes in: partners near q's produce
    // rate or, where that cannot fit, near the highest rate that can (d's network in then falls by
    // the difference, which the network-in goal judges).
    if (swapWithNearest(ctx, q, qSlot, d, Math.min(rate[q]!, room / 2), fits) >= 0) return true;
  }
  return false;
}

/**
 * Frees network out on d: d swaps one of its leader replicas (the most consumer traffic first) for
 * the leader replica of a partition of about the same produce rate that sends at most half as much
 * to consumers, led by another broker with room under its network-out aim for the difference. The
 * swap made, or null.
 */
function roomBySwap(ctx: GoalContext, d: number): Action | null {
  const { state } = ctx;
  const w = state.leaderOut;
  const out = state.bytesOut;
  const aim = ctx.targets.load.limited.networkOut ? ctx.targets.load.aim.networkOut : null;
  const own = state.partitionsOn(d).sort((x, y) => out[y]! - out[x]! || x - y);
  let tried = 0;
  for (let i = 0; i < own.length && tried < OWN_TRIES; i++) {
    const r = own[i]!;
    if (state.brokerAt(r, 0) !== d || state.frozen[r] || out[r]! <= 0) continue;
    tried++;
    const most = w[r]! - out[r]! / 2;
    // u takes on the difference: within its own network-out aim.
    const fits = (p: number, u: number): boolean => w[p]! <= most && (aim === null || state.netOutOf(u) + w[r]! - w[p]! <= aim[u]!);
    const p = swapWithNearest(ctx, r, 0, d, state.bytesIn[r]!, fits);
    if (p >= 0) return { kind: "swap", p, slot: 0, q: r, qSlot: 0 };
  }
  return null;
}

/**
 * Proposes swapping d's replica (q, qSlot) for the leader replica of a partition p led by another
 * broker u, `admit(p, u)` permitting, the produce rate nearest `rate` first (ties by index): p not on d,
 * q not on u, both replicas allowed where they go (ctx.mayGo), neither frozen, and p of q's topic or
 * both topics' counts staying within their bands. Up to PARTNER_TRIES proposals among the first
 * LOOK_AT partitions; the p swapped, or -1.
 */
function swapWithNearest(ctx: GoalContext, q: number, qSlot: number, d: number, rate: number, admit: (p: number, u: number) => boolean): number {
  const { state, targets } = ctx;
  const t = state.topicIndexOf(q);
  let looked = 0;
  let proposed = 0;
  let done = -1;
  closestFirst(rateOrder(state), state.bytesIn, rate, (p) => {
    if (++looked > LOOK_AT || proposed >= PARTNER_TRIES) return true;
    const u = state.brokerAt(p, 0);
    if (u === d || p === q || state.frozen[p] || !state.eligible[u] || !admit(p, u)) return false;
    if (state.slotOf(p, d) >= 0 || state.slotOf(q, u) >= 0 || !ctx.mayGo(p, 0, d) || !ctx.mayGo(q, qSlot, u)) return false;
    const tp = state.topicIndexOf(p);
    if (tp !== t && !(keepsTopicBand(state, targets, tp, u, d) && keepsTopicBand(state, targets, t, d, u))) return false;
    proposed++;
    if (!ctx.propose({ kind: "swap", p, slot: 0, q, qSlot })) return false;
    done = p;
    return true;
  });
  return done;
}

/** Whether one replica of topic t may go from broker `from` to broker `to` with neither count leaving its topic band. */
function keepsTopicBand(state: PlacementState, targets: Targets, t: number, from: number, to: number): boolean {
  return state.topicCountOf(t, from) > targets.topicMinOf(t, from) && state.topicCountOf(t, to) < targets.topicMaxOf(t, to);
}
