/**
 * Runs the goals in priority order. An action is applied only when every higher-priority goal accepts
 * it and it fits the movement budget; after each goal the optimizer checks that no higher-priority
 * goal got worse (a failure there is a bug, not an outcome). Rounds repeat until a whole round changes
 * nothing, so the result is a fixed point: planning it again proposes nothing.
 */
import { internalError } from "../model/errors.js";
import type { Rng } from "../model/random.js";
import type { Goal, GoalContext, GoalId } from "./goal.js";
import { shuffleInPlace } from "../model/random.js";
import { ReplicaBuckets } from "./replica-buckets.js";
import type { Action, PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

export interface Budget {
  readonly maxMoves: number;
  readonly maxBytesMoved: number;
}

export interface OptimizeResult {
  /** Actions applied in total. */
  readonly actions: number;
  readonly rounds: number;
  /** True when the budget refused at least one action. */
  readonly budgetLimited: boolean;
}

const MAX_ROUNDS = 6;

/**
 * Watches applied actions (for explanations): `begin` is called just before an action is applied
 * with the goal that proposed it ("take-back" for the final tidy pass) and returns what to call just
 * after.
 */
export interface Recorder {
  begin(goal: GoalId | "take-back", a: Action): () => void;
}

/**
 * What the take-backs were refused, kept across rounds: per partition, the change number at which
 * every one of its ways home was refused alone (`home`) and every swap in pairs for them (`pairs`),
 * or -1. Each run of `optimize` makes its own unless given one; one made with `remember` off records
 * nothing, so every take-back is asked again, and trading reads past partners that left (tests
 * compare the two).
 */
export class TakeBackMemo {
  readonly home: Float64Array;
  readonly pairs: Float64Array;

  constructor(
    partitions: number,
    readonly remember = true,
  ) {
    this.home = new Float64Array(partitions).fill(-1);
    this.pairs = new Float64Array(partitions).fill(-1);
  }

  /** What to record for partition p's take-backs of one kind now: the change number if all were refused. */
  refusedNow(state: PlacementState, taken: boolean): number {
    return this.remember && !taken ? state.changeCount : -1;
  }
}

export function optimize(
  state: PlacementState,
  targets: Targets,
  goals: readonly Goal[],
  budget: Budget,
  rng: Rng,
  recorder?: Recorder,
  refused = new TakeBackMemo(state.partitionCount),
): OptimizeResult {
  let actions = 0;
  let budgetLimited = false;
  let rounds = 0;

  const fits = (a: Action): boolean => {
    const c = state.cost(a);
    if (c.moves <= 0 && c.bytes <= 0) return true;
    const ok = state.moves + c.moves <= budget.maxMoves && state.bytesMoved + c.bytes <= budget.maxBytesMoved;
    if (!ok) budgetLimited = true;
    return ok;
  };

  const contextFor = (index: number): GoalContext => {
    const higher = goals.slice(0, index);
    // Every higher goal must accept, so the order they are asked in changes no answer (accepts are
    // pure): the one that refused last is asked first next time, since a goal's proposals tend to
    // hit the same band. A plain loop: this runs for every action any goal proposes.
    const asked = higher.slice();
    const accepted = (a: Action): boolean => {
      for (let i = 0; i < asked.length; i++) {
        const g = asked[i]!;
        if (g.accepts(a, state, targets)) continue;
        for (let j = i; j > 0; j--) asked[j] = asked[j - 1]!;
        asked[0] = g;
        return false;
      }
      return true;
    };
    const allowed = (a: Action): boolean => accepted(a) && fits(a);
    const replicaRules = higher.filter((g) => g.refusesReplica !== undefined);
    const apply = (a: Action): void => {
      const done = recorder?.begin(goals[index]?.id ?? "take-back", a);
      state.apply(a);
      actions++;
      done?.();
    };
    return {
      state,
      targets,
      rng,
      later: goals.slice(index + 1).map((g): GoalId => g.id),
      allowed,
      accepted,
      mayGo: (p, slot, to) => {
        for (let i = 0; i < replicaRules.length; i++) if (replicaRules[i]!.refusesReplica!(state, targets, p, slot, to)) return false;
        return true;
      },
      propose(a: Action): boolean {
        if (!allowed(a)) return false;
        apply(a);
        return true;
      },
      undo: apply,
    };
  };

  const contexts = goals.map((_, i) => contextFor(i));
  const tidyContext = contextFor(goals.length);
  const mayCross = mayCrossFor(state, targets, goals);
  // Each goal's run is checked against the higher goals' scores. Scores are full scans, so the ones
  // measured after a goal serve as the next goal's "before", and a goal that changed nothing needs
  // no check: the placement (and so every score) is as it was.
  let known: number[] = [];
  let knownAt = -1;
  for (rounds = 1; rounds <= MAX_ROUNDS; rounds++) {
    // A round changed nothing when it leaves the placement as it found it: a step a goal takes back
    // (making room that was not enough) counts as actions but not as a change.
    const before = state.replicas.slice();
    goals.forEach((goal, i) => {
      if (knownAt !== actions) known = [];
      for (let j = known.length; j < i; j++) known.push(goals[j]!.score(state, targets));
      knownAt = actions;
      goal.optimize(contexts[i]!);
      if (actions === knownAt) return;
      const now = goals.slice(0, i).map((g) => g.score(state, targets));
      now.forEach((score, j) => {
        const was = known[j]!;
        if (score > was + 1e-6 * Math.max(1, Math.abs(was))) {
          throw internalError(`goal ${goal.id} made higher-priority goal ${goals[j]!.id} worse (${String(was)} -> ${String(score)})`);
        }
      });
      known = now;
      knownAt = actions;
    });
    // Trading places (the costliest take-back) waits for a round in which the goals changed nothing:
    // before that, the next round's goals would move much of what it settles again.
    tidy(tidyContext, mayCross, rng, sameArrays(state.replicas, before), refused);
    if (sameArrays(state.replicas, before)) break;
  }
  return { actions, rounds: Math.min(rounds, MAX_ROUNDS), budgetLimited };
}

/**
 * False when some goal refuses every swap that puts replica (p, slot) on broker `to` for a replica of
 * another topic (Goal.refusesSwapAcrossTopics): the take-backs' swaps skip such partners unasked.
 */
type MayCross = (p: number, slot: number, to: number) => boolean;

function mayCrossFor(state: PlacementState, targets: Targets, goals: readonly Goal[]): MayCross {
  const rules = goals.filter((g) => g.refusesSwapAcrossTopics !== undefined);
  return (p, slot, to) => {
    for (let i = 0; i < rules.length; i++) if (rules[i]!.refusesSwapAcrossTopics!(state, targets, p, slot, to)) return false;
    return true;
  };
}

function sameArrays(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Takes back moves no goal needs: a replica that moved off one of its partition's original brokers is
 * moved back there when every goal accepts it (none gets worse). Partitions are visited in an order
 * drawn from the seeded generator, the planner's one use of randomness: which of two equally good
 * take-backs wins can depend on the seed, never on anything else.
 */
function tidy(ctx: GoalContext, mayCross: MayCross, rng: Rng, trade: boolean, refused: TakeBackMemo): void {
  const { state } = ctx;
  const changed: number[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offsetOf(p);
    for (let s = 0; s < state.rfOf(p); s++) {
      if (!state.wasOriginally(p, state.replicas[o + s]!)) {
        changed.push(p);
        break;
      }
    }
  }
  const order = shuffleInPlace(changed, rng);
  for (const p of order) {
    // When nothing a way home of p is judged by changed since every one was refused (touchedSince),
    // they would all be refused again.
    if (refused.home[p]! >= 0 && !touchedSince(state, p, refused.home[p]!)) continue;
    let back = false;
    waysHome(state, p, (slot, _now, home) => {
      if (!ctx.propose({ kind: "move", p, slot, to: home })) return false;
      back = true;
      return true;
    });
    refused.home[p] = refused.refusedNow(state, back);
  }
  takeBackInPairs(ctx, mayCross, order, refused);
  if (trade) takeBackByTrading(ctx, mayCross, order, refused.remember);
}

/** Replicas away from home tried per way home in takeBackByTrading. */
const TRADE_PARTNERS = 4;

/**
 * Takes a replica home by trading places with one that is away from home either way: p left x for
 * y, and r (now on x, which it did not start on) goes to y instead, which it did not start on either.
 * p is home, r is still one move away, every broker keeps its replica count: one move fewer. Tried
 * where neither a take-back alone nor a pair could be taken (a broker at the top of its count band),
 * with up to TRADE_PARTNERS such replicas on x, those of p's own topic first (the trade then leaves
 * topic counts as they are too), in the seeded order.
 */
function takeBackByTrading(ctx: GoalContext, mayCross: MayCross, order: readonly number[], dropGone: boolean): void {
  const { state } = ctx;
  const T = state.topicNames.length;
  /** Replicas away from home, by the broker they are on now, and by that broker and their topic. */
  const awayOn = new ReplicaBuckets();
  const awayOnTopic = new ReplicaBuckets();
  for (const p of order) {
    for (let slot = 0; slot < state.rfOf(p); slot++) {
      const now = state.brokerAt(p, slot);
      if (state.wasOriginally(p, now)) continue;
      awayOn.add(now, p, slot);
      awayOnTopic.add(now * T + state.topicIndexOf(p), p, slot);
    }
  }
  awayOn.seal();
  awayOnTopic.seal();
  for (const p of order) {
    const t = state.topicIndexOf(p);
    waysHome(state, p, (slot, y, x) => {
      if (!ctx.mayGo(p, slot, x)) return false;
      let tried = 0;
      /** Whether p's replica may go to x for one of another topic (asked at the first such partner). */
      let across = 0;
      /** Trades p's replica with entry i of `away` when it is still there and still away. */
      const attempt = (away: ReplicaBuckets, i: number, skipSameTopic: boolean): boolean => {
        const q = away.p(i);
        const qSlot = away.slot(i);
        // Still there and still away, and y would be new to it (a pair going home is takeBackInPairs').
        // A replica that left x never comes back in this pass (it went home, or to a broker no trade
        // takes it from: it is filed under x alone), so its entry is dropped.
        if (state.brokerAt(q, qSlot) !== x) {
          if (dropGone) away.drop(i);
          return false;
        }
        if (q === p || (skipSameTopic && state.topicOf[q] === t)) return false;
        if (state.slotOf(q, y) >= 0 || state.wasOriginally(q, y)) return false;
        tried++;
        // A partner of another topic counts as tried even where the goals' answer is known unasked.
        if (state.topicOf[q] !== t) {
          if (across === 0) across = mayCross(p, slot, x) ? 1 : -1;
          if (across < 0 || !mayCross(q, qSlot, y)) return false;
        }
        return ctx.propose({ kind: "swap", p, slot, q, qSlot });
      };
      const topicKey = x * T + t;
      const topicStart = awayOnTopic.start(topicKey);
      for (let i = awayOnTopic.live(topicStart), end = awayOnTopic.end(topicKey, topicStart); i < end; i = awayOnTopic.live(i + 1)) {
        if (tried >= TRADE_PARTNERS) return false;
        if (attempt(awayOnTopic, i, false)) return true;
      }
      const start = awayOn.start(x);
      for (let i = awayOn.live(start), end = awayOn.end(x, start); i < end; i = awayOn.live(i + 1)) {
        if (tried >= TRADE_PARTNERS) return false;
        if (attempt(awayOn, i, true)) return true; // those of p's topic were tried above
      }
      return false;
    });
  }
}

/**
 * Whether a way home of p could be judged differently than at change number `since`. Every goal judges
 * a replica's move by p's replica list and the two brokers (their loads and counts; the topic's counts
 * there): p's list must be as it was, and so must the broker each away replica is on and each original
 * broker it could go back to. A follower's move changes no leadership, so for it only those brokers'
 * replicas matter; the leader's move also changes their leader counts and leader loads.
 */
function touchedSince(state: PlacementState, p: number, since: number): boolean {
  if (state.partitionChangedAt[p]! > since) return true;
  let changed = false;
  waysHome(state, p, (slot, now, home) => {
    const at = slot === 0 ? state.touchedAt : state.membersChangedAt;
    changed ||= at[now]! > since || at[home]! > since;
    return changed;
  });
  return changed;
}

/**
 * For each replica of p that sits away from p's original brokers (slot, the broker it is on now) and
 * each original broker it could go back to (one p does not hold now), calls `visit` until it returns
 * true for that replica. Brokers are read as the walk goes, so `visit` may change p.
 */
function waysHome(state: PlacementState, p: number, visit: (slot: number, now: number, home: number) => boolean): void {
  for (let slot = 0; slot < state.rfOf(p); slot++) {
    const now = state.brokerAt(p, slot);
    if (state.wasOriginally(p, now)) continue;
    // The original brokers read in place (a subarray per call would be an allocation per replica).
    for (let i = state.offsetOf(p), end = state.offsetOf(p + 1); i < end; i++) {
      const home = state.original[i]!;
      if (state.slotOf(p, home) < 0 && visit(slot, now, home)) break;
    }
  }
}

/**
 * Takes back two moves at once where neither can go back alone: partition p left broker x for y
 * while q left y for x, so exchanging those two replicas returns both home and leaves every broker's
 * count as it was (a later goal's move often undoes an earlier one's this way).
 *
 * Most of these swaps are refused, round after round, so refusals are remembered (`refused.pairs`:
 * when all of p's were). Every goal judges such a swap by p's and q's replica lists and by brokers
 * x and y: their replicas, and their leaderships too when either replica leads (a follower's move
 * carries no leader load or count, so for two followers no goal reads them); and judges it the same
 * whichever replica is named first. So a swap of p and q is not asked again when, since p's
 * refusals (or q's), neither list changed and neither broker did: p's way home and q's replica on
 * x were there then, so the swap was filed and refused (or passed over this way again). The budget
 * never refuses these swaps (each takes two moves back): a refusal was the goals'.
 */
function takeBackInPairs(ctx: GoalContext, mayCross: MayCross, order: readonly number[], refused: TakeBackMemo): void {
  const { state } = ctx;
  const memo = refused.pairs;
  const changedAt = state.partitionChangedAt;
  /** Replicas away from home, keyed by "now on y, could go back to x". */
  const away = new ReplicaBuckets();
  const keyOf = (now: number, home: number): number => now * state.brokerCount + home;
  // The ways home, found once and read again in the order filed: a swap here only sends two replicas
  // home, so each way home a later walk of waysHome would find is one of these whose replica is still
  // where it was and whose home p still does not hold (and one whose swap was taken is then no
  // longer so).
  for (const p of order) {
    const t = state.topicOf[p]!;
    waysHome(state, p, (slot, now, home) => {
      away.add(keyOf(now, home), p, slot, t);
      return false;
    });
  }
  away.seal();
  const n = away.filedCount;
  /** Records partition r's refusals (none if it took a swap) when its ways home are done. */
  const remember = (r: number, tookOne: boolean): void => {
    memo[r] = refused.refusedNow(state, tookOne);
  };
  // Per group of partners (by its first entry): the latest change to any of their partitions, and
  // whether one of them is filed as a leader, as of change number `scannedAt` (read again after any).
  const latest = new Float64Array(n);
  const leads = new Uint8Array(n);
  const scannedAt = new Float64Array(n).fill(-1);
  const scan = (first: number, end: number): void => {
    let last = 0;
    let lead = 0;
    for (let i = first; i < end; i++) {
      last = Math.max(last, changedAt[away.p(i)]!);
      if (away.slot(i) === 0) lead = 1;
    }
    latest[first] = last;
    leads[first] = lead;
    scannedAt[first] = state.changeCount;
  };
  let p = -1;
  let taken = false;
  for (let k = 0; k < n; k++) {
    if (away.filedP(k) !== p) {
      if (p >= 0) remember(p, taken);
      p = away.filedP(k);
      taken = false;
    }
    const slot = away.filedSlot(k);
    const y = Math.floor(away.filedKey(k) / state.brokerCount);
    const x = away.filedKey(k) - y * state.brokerCount;
    if (state.brokerAt(p, slot) !== y || state.slotOf(p, x) >= 0) continue;
    const key = keyOf(x, y);
    const first = away.start(key);
    const end = away.end(key, first);
    // The latest change to x and y: to their replicas, and to anything about them.
    const members = Math.max(state.membersChangedAt[x]!, state.membersChangedAt[y]!);
    const touched = Math.max(state.touchedAt[x]!, state.touchedAt[y]!);
    const changedP = changedAt[p]!;
    const refusedP = memo[p]!;
    // Every partner is passed over when p's refusals outlast the latest change of any of them (the
    // walk's first test, for all at once): one look per group, not one per partner.
    if (refusedP >= 0 && Math.max(changedP, members) <= refusedP && first < end) {
      if (scannedAt[first] !== state.changeCount) scan(first, end);
      if (Math.max(latest[first]!, slot === 0 || leads[first] === 1 ? touched : members) <= refusedP) continue;
    }
    /** Whether p's replica may go to x (asked at the first swap not known to be refused). */
    let mayGo = 0;
    /** Whether it may go there for a replica of another topic (asked at the first such swap). */
    let across = 0;
    const t = state.topicOf[p]!;
    for (let i = first; i < end; i++) {
      // Once p's replica is known to go to x for no replica of another topic, only its topic's are read.
      if (across < 0 && away.tag(i) !== t) continue;
      const q = away.p(i);
      const qSlot = away.slot(i);
      const since = Math.max(changedP, changedAt[q]!, slot === 0 || qSlot === 0 ? touched : members);
      if (since <= refusedP || since <= memo[q]!) continue;
      if (q === p || state.brokerAt(q, qSlot) !== x || state.slotOf(q, y) >= 0) continue;
      if (mayGo === 0) mayGo = ctx.mayGo(p, slot, x) ? 1 : -1;
      if (mayGo < 0) break;
      // Most swaps are refused for topic counts, known without asking every goal (mayCross).
      if (state.topicOf[q] !== t) {
        if (across === 0) across = mayCross(p, slot, x) ? 1 : -1;
        if (across < 0 || !mayCross(q, qSlot, y)) continue;
      }
      if (ctx.propose({ kind: "swap", p, slot, q, qSlot })) {
        taken = true;
        break;
      }
    }
  }
  if (p >= 0) remember(p, taken);
}
