/**
 * HiGHS (compiled to WebAssembly) as the planner's integer-program solver: for `--exact`, and for
 * the root-node search that tightens the lower bound on small clusters.
 *
 * Why not javascript-lp-solver alone: with disk bands the program has knapsack-like rows, and its
 * branch and bound (even with its MIR cuts) took over two minutes on a 9-broker, 40-partition cluster
 * that HiGHS solves in well under a second; without disk rows both are quick. Loading HiGHS reads its
 * .wasm file, so it happens here, at the edge, and the solver receives it through PlanOptions.
 * The WebAssembly build runs one thread; with a fixed seed and limits counted in nodes (never time),
 * the same model always gives the same answer.
 */
import * as highsModule from "highs";
import type { Highs } from "highs";
import { toLpFormat, type MipLimits, type MipModel, type MipOutcome, type MipSolver } from "../solver/lp.js";

/** Partition-broker pairs HiGHS is given at most for `--exact` (a 40-broker, 500-partition cluster). */
export const HIGHS_MAX_BINARY_COLUMNS = 20000;

// The package's types describe it as CommonJS; under ESM its loader is the namespace's default.
const highsLoader = (highsModule as unknown as { default: () => Promise<Highs> }).default;

// HiGHS model status codes (HighsModelStatus).
const OPTIMAL = 7;
const INFEASIBLE = 8;
const UNBOUNDED_OR_INFEASIBLE = 9;
const UNBOUNDED = 10;
// Primal solution status: a feasible solution is at hand.
const FEASIBLE_POINT = 2;

export async function loadHighs(): Promise<MipSolver> {
  const highs = await highsLoader();
  return {
    name: "HiGHS",
    maxBinaryColumns: HIGHS_MAX_BINARY_COLUMNS,
    solve(model: MipModel, limits: MipLimits = {}): MipOutcome {
      return highs.withModel({ format: "lp", data: toLpFormat(model) }, (m): MipOutcome => {
        m.options.set({ output_flag: false, random_seed: 0, mip_rel_gap: 0, mip_abs_gap: 0 });
        // At a node limit, a restart (presolving again with what the root learnt) spends most of the
        // root's time for little bound: measured 7.8 s against 4.8 s, same bound, on 2,000 columns.
        if (limits.maxNodes !== undefined) m.options.set({ mip_max_nodes: limits.maxNodes, mip_allow_restart: false });
        m.run();
        const status = m.getModelStatus();
        // The LP text names columns x0, x1, …; HiGHS numbers them in the order they first appear.
        const values = (): Float64Array => {
          const solved = m.getSolution().colValue;
          return Float64Array.from(model.columns, (_, j) => solved[m.getColByName(`x${String(j)}`)] ?? 0);
        };
        if (status === OPTIMAL) return { status: "optimal", value: m.getObjectiveValue(), values: values() };
        if (status === INFEASIBLE) return { status: "infeasible" };
        if (status === UNBOUNDED || status === UNBOUNDED_OR_INFEASIBLE) return { status: "unbounded" };
        const bound = Number(m.info.get("mip_dual_bound"));
        const feasible = Number(m.info.get("primal_solution_status")) === FEASIBLE_POINT;
        return {
          status: "stopped",
          reason: `model status ${String(status)}`,
          ...(Number.isFinite(bound) ? { bound } : {}),
          ...(feasible ? { best: { value: m.getObjectiveValue(), values: values() } } : {}),
        };
      });
    },
  };
}
