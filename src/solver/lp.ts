/**
 * Linear and integer programs as plain data, and the solver interface they go through.
 *
 * The planner builds `MipModel`s (rows over indexed columns); a `MipSolver` solves them and returns a
 * tagged outcome. The built-in solver is javascript-lp-solver: pure JavaScript, synchronous, fine for
 * linear programs and small integer ones. Larger integer programs with knapsack-like rows (disk bands)
 * defeat its branch and bound, so a caller may pass another solver (the CLI loads HiGHS, compiled to
 * WebAssembly, and passes it in: loading reads a file, which the pure core never does).
 * `toLpFormat` writes a model in the CPLEX LP text format such solvers read.
 */
import * as lpModule from "javascript-lp-solver";

export interface MipColumn {
  readonly cost: number;
  /** 0/1 when true; otherwise continuous, from 0 up to `upper` (unbounded when absent). */
  readonly binary: boolean;
  readonly upper?: number;
}

export interface MipRow {
  /** [column index, coefficient] pairs. */
  readonly terms: readonly (readonly [number, number])[];
  readonly min?: number;
  readonly max?: number;
}

/** Minimise the columns' costs subject to the rows. */
export interface MipModel {
  readonly columns: readonly MipColumn[];
  readonly rows: readonly MipRow[];
}

export type MipOutcome =
  | { readonly status: "optimal"; readonly value: number; readonly values: Float64Array }
  | { readonly status: "infeasible" }
  | { readonly status: "unbounded" }
  /**
   * The solver stopped before proving optimality (for example a limit it was given). `bound`, when
   * known, is its proven lower bound on the optimum; `best`, when it found one, is its best solution.
   */
  | {
      readonly status: "stopped";
      readonly reason: string;
      readonly bound?: number;
      readonly best?: { readonly value: number; readonly values: Float64Array };
    };

/** Work limits for one solve. Counts, never time: the same model and limits give the same outcome. */
export interface MipLimits {
  /** Branch-and-bound nodes to explore at most (1: the root alone, with its cuts and heuristics). */
  readonly maxNodes?: number;
}

export interface MipSolver {
  readonly name: string;
  /** The most 0/1 columns it is given: beyond that its branch and bound may run for hours. */
  readonly maxBinaryColumns: number;
  /** Solves to optimality, or stops at `limits` where the solver supports them (javascript-lp-solver ignores them). */
  solve(model: MipModel, limits?: MipLimits): MipOutcome;
}

interface RawResult {
  readonly feasible: boolean;
  readonly result: number;
  readonly bounded?: boolean;
  readonly [key: string]: unknown;
}

interface JlsModel {
  readonly optimize: string;
  readonly opType: "min";
  readonly constraints: Record<string, { min?: number; max?: number }>;
  readonly variables: Record<string, Record<string, number>>;
  readonly binaries: Record<string, 1>;
  readonly options: { readonly useMIRCuts: boolean };
}

interface Jls {
  Solve(model: JlsModel): RawResult;
}

// The package's default export is its solver instance; its declared types describe the module as
// CommonJS, so the instance is read from the namespace here, once.
const jls = (lpModule as unknown as { default: Jls }).default;

/**
 * javascript-lp-solver. No timeout is passed (a time limit would make results depend on the clock);
 * callers bound the model's size instead. MIR cuts on: they cut its branch and bound on disk rows
 * from minutes to seconds on 9-broker clusters, but a generated 5-broker, 14-partition cluster (70
 * binaries) still ran for minutes with disk rows. It stays the solver of the planner's linear programs;
 * integer programs go to HiGHS (src/cli/highs.ts). 80 binaries at most, for programs without disk rows.
 */
export const javascriptLpSolver: MipSolver = {
  name: "javascript-lp-solver",
  maxBinaryColumns: 80,
  solve(model: MipModel): MipOutcome {
    const constraints: Record<string, { min?: number; max?: number }> = {};
    const variables: Record<string, Record<string, number>> = {};
    const binaries: Record<string, 1> = {};
    model.columns.forEach((c, j) => {
      const row: Record<string, number> = { cost: c.cost };
      if (c.upper !== undefined) {
        constraints[`u${String(j)}`] = { max: c.upper };
        row[`u${String(j)}`] = 1;
      }
      variables[`x${String(j)}`] = row;
      if (c.binary) binaries[`x${String(j)}`] = 1;
    });
    model.rows.forEach((r, i) => {
      const name = `r${String(i)}`;
      constraints[name] = { ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}) };
      for (const [j, a] of r.terms) variables[`x${String(j)}`]![name] = a;
    });
    const raw = jls.Solve({ optimize: "cost", opType: "min", constraints, variables, binaries, options: { useMIRCuts: true } });
    if (!raw.feasible) return { status: "infeasible" };
    if (raw.bounded === false) return { status: "unbounded" };
    const values = new Float64Array(model.columns.length);
    for (let j = 0; j < values.length; j++) {
      const v = raw[`x${String(j)}`];
      values[j] = typeof v === "number" ? v : 0;
    }
    return { status: "optimal", value: raw.result, values };
  },
};

/** The model in CPLEX LP format, columns named x0, x1, … and rows r0, r1, … (ranges as two rows). */
export function toLpFormat(model: MipModel): string {
  const out: string[] = ["Minimize", ` obj: ${linear(model.columns.map((c, j) => [j, c.cost] as const)) || "0 x0"}`, "Subject To"];
  model.rows.forEach((r, i) => {
    const expr = linear(r.terms);
    if (expr === "") return;
    if (r.min !== undefined && r.max !== undefined && r.min === r.max) out.push(` r${String(i)}: ${expr} = ${num(r.min)}`);
    else {
      if (r.min !== undefined) out.push(` r${String(i)}l: ${expr} >= ${num(r.min)}`);
      if (r.max !== undefined) out.push(` r${String(i)}u: ${expr} <= ${num(r.max)}`);
    }
  });
  out.push("Bounds");
  model.columns.forEach((c, j) => {
    const upper = c.binary ? 1 : c.upper;
    out.push(upper === undefined ? ` x${String(j)} >= 0` : ` 0 <= x${String(j)} <= ${num(upper)}`);
  });
  const binaries = model.columns.flatMap((c, j) => (c.binary ? [`x${String(j)}`] : []));
  if (binaries.length > 0) out.push("Binary", ...chunk(binaries, 20).map((line) => ` ${line.join(" ")}`));
  out.push("End", "");
  return out.join("\n");
}

function linear(terms: readonly (readonly [number, number])[]): string {
  return terms
    .filter(([, a]) => a !== 0)
    .map(([j, a], k) => `${a < 0 ? "- " : k === 0 ? "" : "+ "}${num(Math.abs(a))} x${String(j)}`)
    .join(" ");
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(17);
}

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
