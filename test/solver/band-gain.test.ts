/**
 * bandGain, which ranks every load goal's candidate actions: the decrease of the goal's band deviation
 * the action brings, checked against applying it, for replica moves and swaps on measures every
 * replica carries and on measures only leaders carry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { LEADER_BYTES, NETWORK_IN, NETWORK_OUT, bandDeviation, bandGain, type LoadMeasure } from "../../src/solver/goals/load-balance.js";
import type { BrokerBand } from "../../src/solver/load-targets.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

const MEASURES: Array<[string, LoadMeasure, (t: Targets) => BrokerBand]> = [
  ["network in", NETWORK_IN, (t) => t.load.networkIn],
  ["network out", NETWORK_OUT, (t) => t.load.networkOut],
  ["leader bytes", LEADER_BYTES, (t) => t.load.leaderBytes],
];

test("bandGain of a move or a swap is the band deviation it takes away", () => {
  const cluster = generateCluster(
    {
      brokers: 12,
      racks: 3,
      placement: "random",
      topics: 6,
      partitions: { min: 4, max: 12 },
      replicationFactor: 3,
      load: { topicRate: { kind: "lognormal", mean: 1024 ** 2, sigma: 2 }, keySkew: 0.6, fanOut: { min: 0, max: 5 }, utilisation: { networkIn: 0.8 } },
    },
    createRng(3),
  );
  const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: false, diskThreshold: 0.1 });
  const rng = createRng(5);
  let checked = 0;
  for (let n = 0; n < 400; n++) {
    const p = rng.int(state.partitionCount);
    const slot = rng.int(state.rfOf(p));
    let action: Action;
    if (n % 2 === 0) {
      const to = rng.int(state.brokerCount);
      if (state.slotOf(p, to) >= 0) continue;
      action = { kind: "move", p, slot, to };
    } else {
      const q = rng.int(state.partitionCount);
      const qSlot = rng.int(state.rfOf(q));
      const b1 = state.brokerAt(p, slot);
      const b2 = state.brokerAt(q, qSlot);
      if (q === p || state.slotOf(q, b1) >= 0 || state.slotOf(p, b2) >= 0) continue;
      action = { kind: "swap", p, slot, q, qSlot };
    }
    for (const [name, m, bandOf] of MEASURES) {
      const band = bandOf(targets);
      const gain = bandGain(state, action, m, band);
      const before = bandDeviation(state, m, band);
      const from = state.brokerAt(p, slot);
      state.apply(action);
      const after = bandDeviation(state, m, band);
      // Taken back: a move goes back where it came from; a swap, applied again, swaps back.
      state.apply(action.kind === "move" ? { kind: "move", p, slot, to: from } : action);
      assert.ok(Math.abs(gain - (before - after)) <= 1e-6 * Math.max(1, before), `${name}: ${JSON.stringify(action)} gains ${String(gain)}, takes away ${String(before - after)}`);
      checked++;
    }
  }
  assert.ok(checked > 300);
});
