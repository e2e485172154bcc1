/**
 * HiGHS (compiled to WebAssembly) as the planner's integer-program solver for `--exact`.
 *
 * Why not javascript-lp-solver alone: with disk bands the program has knapsack-like rows, and its
 * branch and bound (even with its MIR cuts) took over two minutes on a 9-broker, 40-partition cluster
 * that HiGHS solves in well under a second; without disk rows both are quick. Loading HiGHS reads its
 * .wasm file, so it happens here, at the edge, and the solver receives it through PlanOptions.
 * Single-threaded, fixed seed and no time limit: the same model always gives the same answer.
 */
import * as highsModule from "highs";
import { toLpFormat, type MipModel, type MipOutcome, type MipSolver } from "../solver/lp.js";

/** Partition-broker pairs HiGHS is given at most (a 40-broker, 500-partition cluster). */
export const HIGHS_MAX_BINARY_COLUMNS = 20000;

// The package's types describe it as CommonJS; under ESM its loader is the namespace's default.
interface HighsSolution {
  readonly Status: string;
  readonly ObjectiveValue: number;
  readonly Columns: Readonly<Record<string, { readonly Primal?: number } | undefined>>;
}
interface HighsInstance {
  solve(problem: string, options: Readonly<Record<string, boolean | number | string>>): HighsSolution;
}
const highsLoader = (highsModule as unknown as { default: () => Promise<HighsInstance> }).default;

export async function loadHighs(): Promise<MipSolver> {
  const highs = await highsLoader();
  return {
    name: "HiGHS",
    maxBinaryColumns: HIGHS_MAX_BINARY_COLUMNS,
    solve(model: MipModel): MipOutcome {
      const solution = highs.solve(toLpFormat(model), {
        output_flag: false,
        mip_rel_gap: 0,
        random_seed: 0,
        threads: 1,
      });
      switch (solution.Status) {
        case "Optimal": {
          const values = new Float64Array(model.columns.length);
          for (let j = 0; j < values.length; j++) {
            values[j] = solution.Columns[`x${String(j)}`]?.Primal ?? 0;
          }
          return { status: "optimal", value: solution.ObjectiveValue, values };
        }
        case "Infeasible":
          return { status: "infeasible" };
        case "Unbounded":
          return { status: "unbounded" };
        default:
          return { status: "stopped", reason: solution.Status };
      }
    },
  };
}
