/**
 * The load goals' candidate gathering takes shortcuts (walks that stop where nothing further could be
 * kept, brokers and partners passed over whose best could not be kept). They must change nothing:
 * with them and without them, every rebalancing step proposes the same actions in the same order.
 * Checked on skewed clusters with brokers of thousands of candidates (so the kept lists fill and the
 * shortcuts cut), with a referee that refuses some actions (so steps go past their first proposal and
 * fail), for every load measure, with and without the leader counts in the ranking, and with the
 * capacity goal's options.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Cluster } from "../../src/model/types.js";
import type { GoalContext, GoalId } from "../../src/solver/goal.js";
import { type BandOptions, DISK, LEADER_BYTES, type LoadMeasure, NETWORK_IN, NETWORK_OUT, optimizeBand, shortcuts } from "../../src/solver/goals/load-balance.js";
import type { BrokerBand } from "../../src/solver/load-targets.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

const MEASURES: Array<[string, LoadMeasure, (t: Targets) => BrokerBand]> = [
  ["network out", NETWORK_OUT, (t) => t.load.networkOut],
  ["leader bytes", LEADER_BYTES, (t) => t.load.leaderBytes],
  ["network in", NETWORK_IN, (t) => t.load.networkIn],
  // A measure every replica carries against another measure's band: any band exercises the gathering.
  ["disk in the network-in band", DISK, (t) => t.load.networkIn],
];

/** Refuses about one action in `every`, by a hash of the action alone (so both runs get the same answers). */
function refuses(key: string, every: number): boolean {
  return createHash("sha1").update(key).digest().readUInt32LE(0) % every === 0;
}

/** Every action optimizeBand proposes, in order, with the referee's answer. */
function proposals(cluster: Cluster, m: LoadMeasure, bandOf: (t: Targets) => BrokerBand, later: readonly GoalId[], options: BandOptions, every: number, on: boolean): string[] {
  const state = new PlacementState(cluster, { excludeBrokers: new Set(), isFrozenTopic: (t) => t === "topic-3" });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  const log: string[] = [];
  const ctx: GoalContext = {
    state,
    targets,
    rng: createRng(1),
    later,
    propose(a: Action): boolean {
      const key = JSON.stringify(a);
      const refused = refuses(key, every);
      log.push(`${key} ${refused ? "refused" : "applied"}`);
      if (!refused) state.apply(a);
      return !refused;
    },
    undo: (a) => state.apply(a),
    allowed: () => true,
    accepted: () => true,
    mayGo: () => true,
  };
  const was = shortcuts.on;
  shortcuts.on = on;
  try {
    optimizeBand(ctx, m, bandOf(targets), options);
  } finally {
    shortcuts.on = was;
  }
  return log;
}

const SKEWED: GenerateOptions = {
  brokers: 10,
  newBrokers: 2,
  racks: 3,
  placement: "skewed-racked",
  topics: 24,
  partitions: { min: 20, max: 120 },
  replicationFactor: 3,
  load: { topicRate: { kind: "lognormal", mean: 1024 ** 2, sigma: 2 }, keySkew: 0.6, fanOut: { min: 0, max: 5 }, utilisation: { networkIn: 0.8 } },
};

test("the load goals propose the same actions in the same order with and without the gathering's shortcuts", () => {
  let proposed = 0;
  for (const seed of [1, 2, 3]) {
    const cluster = generateCluster(SKEWED, createRng(seed));
    for (const [name, m, bandOf] of MEASURES) {
      for (const later of [[], ["leader"]] as GoalId[][]) {
        const every = 3 + seed;
        const fast = proposals(cluster, m, bandOf, later, {}, every, true);
        const full = proposals(cluster, m, bandOf, later, {}, every, false);
        assert.deepEqual(fast, full, `${name}, seed ${String(seed)}, later ${later.join()}`);
        proposed += fast.length;
      }
    }
  }
  assert.ok(proposed > 1000, `enough steps to matter (${String(proposed)} proposals)`);
});

test("with the capacity goal's options (its own check, moves first, draining) the shortcuts change nothing either", () => {
  const cluster = generateCluster({ ...SKEWED, brokers: 8, newBrokers: 3 }, createRng(4));
  for (const [name, m, bandOf] of MEASURES) {
    const options: BandOptions = { selfAccepts: (a) => !refuses(`own ${JSON.stringify(a)}`, 5), movesFirst: true, drain: true };
    const fast = proposals(cluster, m, bandOf, ["leader"], options, 4, true);
    const full = proposals(cluster, m, bandOf, ["leader"], options, 4, false);
    assert.deepEqual(fast, full, name);
    assert.ok(fast.length > 0, name);
  }
});
