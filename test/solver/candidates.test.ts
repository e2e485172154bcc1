/**
 * A load goal's candidate list cleared with a limit keeps, of each kind of action, exactly the ones
 * the unlimited list would put first, in the same order: the only ones bestFirst can ever propose
 * when nothing but the higher goals refuses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/model/random.js";
import type { Action } from "../../src/solver/state.js";
import { Candidates, TRIES } from "../../src/solver/goals/load-balance.js";

/** Candidate slots in key order (ties by slot, as bestFirst visits them), as [kind, key] strings. */
function visitOrder(list: Candidates): string[] {
  const slots = Array.from({ length: list.n }, (_, i) => i);
  slots.sort((i, j) => list.compare(i, j) || i - j);
  return slots.map((i) => `${String(list.kinds[i])} ${JSON.stringify(list.actions[i])} ${Array.from(list.keys.subarray(i * 12, i * 12 + 5)).join(",")}`);
}

test("a limited candidate list keeps each kind's first TRIES in key order, duplicates included", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rng = createRng(seed);
    const all = new Candidates();
    const limited = new Candidates();
    all.clear();
    limited.clear(TRIES);
    const pushed: Array<[Action, number, number[]]> = [];
    for (let n = 0; n < 1500; n++) {
      // Few distinct figures and partitions, so keys tie and whole candidates repeat.
      const p = rng.int(40);
      const kind = rng.int(3);
      const action: Action = kind === 0 ? { kind: "lead", p, slot: 1 + rng.int(2) } : kind === 1 ? { kind: "move", p, slot: rng.int(3), to: rng.int(6) } : { kind: "swap", p, slot: 0, q: rng.int(40), qSlot: rng.int(3) };
      const budget = kind === 2 ? 3 + rng.int(2) : kind === 1 ? 2 : 0;
      const figures = [rng.int(2), -rng.int(5), rng.int(3), rng.int(3), rng.int(4)];
      pushed.push([action, budget, figures]);
    }
    for (const [action, budget, f] of pushed) {
      all.push(action, budget, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
      limited.push(action, budget, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    }
    const full = visitOrder(all);
    const kept = visitOrder(limited);
    for (const budget of [0, 2, 3, 4]) {
      const mine = (rows: string[]): string[] => rows.filter((r) => r.startsWith(`${String(budget)} `));
      assert.deepEqual(mine(kept), mine(full).slice(0, TRIES), `seed ${String(seed)}, kind ${String(budget)}`);
    }
    assert.ok(limited.n <= 4 * TRIES);
    // Cleared without a limit, the same object keeps everything again.
    limited.clear();
    for (const [action, budget, f] of pushed) limited.push(action, budget, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    assert.deepEqual(visitOrder(limited), full);
  }
});

test("a candidate's own check is asked only when it would be kept, and one it fails is as if never offered", () => {
  const rng = createRng(7);
  const checked = new Candidates().clear(TRIES);
  const passing = new Candidates().clear(TRIES);
  let asked = 0;
  for (let n = 0; n < 2000; n++) {
    const action: Action = { kind: "move", p: rng.int(500), slot: rng.int(3), to: rng.int(20) };
    const f = [0, -rng.int(30), 0, rng.int(3), rng.int(1000)];
    const fails = rng.int(3) === 0;
    checked.push(action, 2, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, () => {
      asked++;
      return !fails;
    });
    if (!fails) passing.push(action, 2, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
  }
  assert.deepEqual(visitOrder(checked), visitOrder(passing));
  assert.ok(asked > TRIES && asked < 1000, `the check is skipped for candidates past the kind's best (asked ${String(asked)} times)`);
});

test("beaten: a kind at its limit turns away a gain bucket worse than its worst kept", () => {
  const list = new Candidates();
  list.clear(TRIES);
  for (let n = 0; n < TRIES; n++) list.push({ kind: "move", p: n, slot: 0, to: 1 }, 2, 0, -10 - (n % 3), 0, 1, 1);
  // The worst kept has bucket -10 (the key's second place): bucket -9 ranks after it, -10 may tie.
  assert.equal(list.beaten(2, -9), true);
  assert.equal(list.beaten(2, -10), false);
  assert.equal(list.beaten(3, -9), false, "another kind has room");
  const unlimited = new Candidates();
  unlimited.clear();
  for (let n = 0; n < 2 * TRIES; n++) unlimited.push({ kind: "move", p: n, slot: 0, to: 1 }, 2, 0, -10, 0, 1, 1);
  assert.equal(unlimited.beaten(2, 100), false);
  // A worst kept whose first place is 1 (it breaks leader counts) says nothing about bucket alone.
  const flagged = new Candidates();
  flagged.clear(TRIES);
  for (let n = 0; n < TRIES; n++) flagged.push({ kind: "move", p: n, slot: 0, to: 1 }, 2, 1, -20, 1, 1, 1);
  assert.equal(flagged.beaten(2, -9), false);
});

test("pushSwap keeps what push keeps for the same swap and figures", () => {
  const rng = createRng(11);
  const byAction = new Candidates().clear(TRIES);
  const bySwap = new Candidates().clear(TRIES);
  for (let n = 0; n < 1500; n++) {
    const [p, slot, q, qSlot] = [rng.int(60), rng.int(3), rng.int(60), rng.int(3)];
    const f = [0, -rng.int(20), 0, rng.int(5) - 2, rng.int(100)];
    const kind = 3 + rng.int(2);
    byAction.push({ kind: "swap", p, slot, q, qSlot }, kind, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    bySwap.pushSwap(p, slot, q, qSlot, kind, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
  }
  assert.deepEqual(visitOrder(bySwap), visitOrder(byAction));
});

test("pushLead, pushMove and pushTrade keep what push keeps for the same action and figures", () => {
  const rng = createRng(13);
  const byAction = new Candidates().clear(TRIES);
  const byParts = new Candidates().clear(TRIES);
  for (let n = 0; n < 3000; n++) {
    const [p, slot, q, qSlot, to] = [rng.int(60), rng.int(3), rng.int(60), rng.int(3), rng.int(8)];
    const f = [rng.int(2), -rng.int(20), rng.int(2), rng.int(5) - 2, rng.int(100)];
    const kind = rng.int(3);
    const valid = rng.int(4) !== 0;
    if (kind === 0) {
      byAction.push({ kind: "lead", p, slot }, 0, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
      byParts.pushLead(p, slot, 0, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    } else if (kind === 1) {
      byAction.push({ kind: "trade", p, slot, q, qSlot }, 1, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
      byParts.pushTrade(p, slot, q, qSlot, 1, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    } else {
      byAction.push({ kind: "move", p, slot, to }, 2, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, () => valid);
      byParts.pushMove(p, slot, to, 2, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, () => valid);
    }
  }
  assert.deepEqual(visitOrder(byParts), visitOrder(byAction));
});

test("visitInOrder visits in key order, ties by slot, and stops where asked", () => {
  const rng = createRng(17);
  for (const limit of [Infinity, TRIES]) {
    const list = new Candidates().clear(limit);
    for (let n = 0; n < 800; n++) {
      // Few distinct figures and actions, so whole keys repeat and only the slot breaks the tie.
      const f = [rng.int(2), -rng.int(4), 0, rng.int(2), rng.int(3)];
      list.push({ kind: "move", p: rng.int(10), slot: 0, to: rng.int(3) }, rng.int(5), f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    }
    const expected = Array.from({ length: list.n }, (_, i) => i).sort((i, j) => list.compare(i, j) || i - j);
    const seen: number[] = [];
    assert.equal(list.visitInOrder((i) => (seen.push(i), false)), false);
    assert.deepEqual(seen, expected);
    const first: number[] = [];
    assert.equal(list.visitInOrder((i) => (first.push(i), first.length === 5)), true);
    assert.deepEqual(first, expected.slice(0, 5));
  }
});
