/**
 * The rack and host rules for one partition, evaluated on its replica list with one replica
 * optionally replaced. Replication factors are small, so scans of the list beat any structure.
 */
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

/**
 * How far partition p is from the rack rule: the fewest of its replicas that must move for the rule to
 * hold. A rack keeps at most the per-rack maximum and, where the host rule applies, at most one replica
 * per host (hosts belong to one rack); the rest must go. It depends only on which brokers hold p, never
 * on their order, so reordering a replica list (a leadership change) leaves it as it is. With
 * `slot`/`broker` given, as if that replica were on `broker` (broker -1: as if that replica were absent).
 */
export function spreadViolation(state: PlacementState, targets: Targets, p: number, slot = -1, broker = -1): number {
  const rule = targets.rule(state.rfOf(p));
  if (rule === null) return 0;
  const o = state.offsetOf(p);
  const r = state.rfOf(p);
  const m = rule.maxPerRack;
  let v = 0;
  for (let i = 0; i < r; i++) {
    const bi = i === slot ? broker : state.replicas[o + i]!;
    if (bi < 0) continue;
    const rack = state.rackIndexOf(bi);
    // Each rack is counted once, at its first replica in the list.
    let seen = false;
    for (let j = 0; j < i && !seen; j++) {
      const bj = j === slot ? broker : state.replicas[o + j]!;
      seen = bj >= 0 && state.rackOf[bj] === rack;
    }
    if (seen) continue;
    let inRack = 0;
    let hosts = 0;
    for (let j = i; j < r; j++) {
      const bj = j === slot ? broker : state.replicas[o + j]!;
      if (bj < 0 || state.rackOf[bj] !== rack) continue;
      inRack++;
      if (!rule.hostRule) continue;
      let repeat = false;
      for (let k = i; k < j && !repeat; k++) {
        const bk = k === slot ? broker : state.replicas[o + k]!;
        repeat = bk >= 0 && state.hostOf[bk] === state.hostOf[bj];
      }
      if (!repeat) hosts++;
    }
    const keeps = rule.hostRule ? Math.min(m, hosts) : m;
    if (inRack > keeps) v += inRack - keeps;
  }
  return v;
}

/** True when broker b already holds a replica of p. */
export function holds(state: PlacementState, p: number, b: number): boolean {
  return state.slotOf(p, b) >= 0;
}

/**
 * Whether moving the replica at (p, slot) to broker d leaves p's violation no worse. Fast path: the
 * new replica neither crowds its rack nor shares a host; otherwise the exact comparison.
 */
export function moveKeepsSpread(state: PlacementState, targets: Targets, p: number, slot: number, d: number): boolean {
  const rule = targets.rule(state.rfOf(p));
  if (rule === null) return true;
  const o = state.offsetOf(p);
  const from = state.replicas[o + slot]!;
  const rack = state.rackIndexOf(d);
  const host = state.hostIndexOf(d);
  let inRack = 0;
  let hostClash = false;
  for (let i = 0; i < state.rfOf(p); i++) {
    if (i === slot) continue;
    const b = state.replicas[o + i]!;
    if (state.rackOf[b] === rack) inRack++;
    if (state.hostOf[b] === host) hostClash = true;
  }
  const rackOk = state.rackOf[from] === rack || inRack < rule.maxPerRack;
  if (rackOk && !(rule.hostRule && hostClash)) return true;
  return spreadViolation(state, targets, p, slot, d) <= spreadViolation(state, targets, p);
}
