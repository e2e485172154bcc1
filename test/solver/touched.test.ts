/**
 * PlacementState.touchedAt: a broker's stamp moves exactly when something about it changes (a replica
 * arrives or leaves, a leadership comes or goes), so "untouched since" can stand for "as it was".
 * membersChangedAt does the same for a broker's replicas alone, partitionChangedAt for a partition's
 * replica list.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Action } from "../../src/solver/state.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("an action touches exactly the brokers whose counts, loads or leaderships it changes", () => {
  fc.assert(
    fc.property(stateCaseArb, ({ state, rng }) => {
      for (let step = 0; step < 30; step++) {
        const p = Math.floor(rng.next() * state.partitionCount);
        const slot = Math.floor(rng.next() * state.rf[p]!);
        const q = Math.floor(rng.next() * state.partitionCount);
        const qSlot = Math.floor(rng.next() * state.rf[q]!);
        const to = Math.floor(rng.next() * state.brokerCount);
        const kind = Math.floor(rng.next() * 3);
        let action: Action;
        if (kind === 0) {
          if (state.slotOf(p, to) >= 0) continue;
          action = { kind: "move", p, slot, to };
        } else if (kind === 1) {
          const b1 = state.brokerAt(p, slot);
          const b2 = state.brokerAt(q, qSlot);
          if (p === q || b1 === b2 || state.slotOf(p, b2) >= 0 || state.slotOf(q, b1) >= 0) continue;
          action = { kind: "swap", p, slot, q, qSlot };
        } else {
          action = { kind: "lead", p, slot };
        }
        const before = Array.from({ length: state.brokerCount }, (_, b) => [state.count[b], state.leaders[b], state.disk[b], state.netOut[b]].join());
        const membersBefore = Array.from({ length: state.brokerCount }, (_, b) => [state.count[b], state.disk[b], state.netIn[b], ...state.partitionsOn(b).sort()].join());
        const listsBefore = Array.from({ length: state.partitionCount }, (_, x) => state.replicaIds(x).join());
        const stamps = Float64Array.from(state.touchedAt);
        const memberStamps = Float64Array.from(state.membersChangedAt);
        const partitionStamps = Float64Array.from(state.partitionChangedAt);
        const since = state.changeCount;
        state.apply(action);
        for (let b = 0; b < state.brokerCount; b++) {
          const changed = [state.count[b], state.leaders[b], state.disk[b], state.netOut[b]].join() !== before[b];
          const touched = state.touchedAt[b]! > since;
          if (changed) assert.ok(touched, `broker ${String(b)} changed by ${action.kind} but not touched`);
          if (!touched) assert.equal(state.touchedAt[b], stamps[b]);
          const membersChanged = [state.count[b], state.disk[b], state.netIn[b], ...state.partitionsOn(b).sort()].join() !== membersBefore[b];
          if (membersChanged) assert.ok(state.membersChangedAt[b]! > since, `broker ${String(b)}'s replicas changed by ${action.kind} but not stamped`);
          else assert.equal(state.membersChangedAt[b], memberStamps[b], `broker ${String(b)}'s replicas kept by ${action.kind} but stamped`);
        }
        for (let x = 0; x < state.partitionCount; x++) {
          if (state.replicaIds(x).join() !== listsBefore[x]) assert.ok(state.partitionChangedAt[x]! > since, `partition ${String(x)} changed but not stamped`);
          else assert.equal(state.partitionChangedAt[x], partitionStamps[x]);
        }
        for (const b of state.replicaIds(p).map((id) => state.brokerIndexOf(id)!)) {
          if (action.kind !== "lead") continue;
          if (action.slot !== 0 && (b === state.brokerAt(p, 0) || b === state.brokerAt(p, action.slot))) assert.ok(state.touchedAt[b]! > since);
        }
      }
    }),
    { numRuns: 100, seed: 3 },
  );
});
