/**
 * The soft load-balance goals (network in, network out, leader bytes) share one shape: a per-broker
 * band from the load targets, the band acceptance rule (no broker an action touches ends further from
 * its band) and the greedy of load-balance.ts. Each goal's own file says what it balances.
 */
import type { Goal, GoalContext, GoalId } from "../goal.js";
import type { LoadBand } from "../load-targets.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { replicaBandAccepts } from "./band.js";
import { type LoadMeasure, bandDeviation, bandStats, leadershipAccepts, optimizeBand } from "./load-balance.js";

export function loadBandGoal(id: GoalId, label: string, m: LoadMeasure, bandOf: (t: Targets) => LoadBand): Goal {
  return {
    id,
    hard: false,

    score: (state, targets) => bandDeviation(state, m, bandOf(targets)),

    status(state, targets) {
      const band = bandOf(targets);
      const { outside, worst } = bandStats(state, m, band);
      const what = band.byCapacity ? `${label} utilisation` : label;
      const t = `largest distance from a broker's ideal ${what} ${(worst * 100).toFixed(1)}%`;
      return outside === 0 ? { satisfied: true, detail: t } : { satisfied: false, detail: `${t}; ${String(outside)} broker(s) outside the threshold` };
    },

    accepts(action: Action, state: PlacementState, targets: Targets): boolean {
      const band = bandOf(targets);
      const load = m.load(state);
      if (action.kind === "move" || action.kind === "swap") {
        return replicaBandAccepts(state, action, m.weight(state), m.leaderOnly, load, band.low, band.high, 1e-6);
      }
      return leadershipAccepts(state, action, m, band.low, band.high, 1e-6);
    },

    optimize(ctx: GoalContext): void {
      optimizeBand(ctx, m, bandOf(ctx.targets));
    },
  };
}
