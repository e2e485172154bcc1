/**
 * javascript-lp-solver behind one typed call with a tagged outcome. The package's default export is
 * its solver instance; its declared types describe the module as CommonJS, so the instance is read
 * from the namespace here, once. No timeout is ever passed: a time limit would make results depend on
 * the clock, so callers bound the model's size instead.
 */
import * as lpModule from "javascript-lp-solver";

export interface LpModel {
  readonly optimize: string;
  readonly opType: "min" | "max";
  readonly constraints: Record<string, { min?: number; max?: number; equal?: number }>;
  readonly variables: Record<string, Record<string, number>>;
  readonly binaries?: Record<string, 1>;
  readonly ints?: Record<string, 1>;
}

export type LpOutcome =
  | { readonly status: "optimal"; readonly value: number; readonly values: ReadonlyMap<string, number> }
  | { readonly status: "infeasible" }
  | { readonly status: "unbounded" };

interface RawResult {
  readonly feasible: boolean;
  readonly result: number;
  readonly bounded?: boolean;
  readonly [key: string]: unknown;
}

interface LpSolver {
  Solve(model: LpModel): RawResult;
}

const lp = (lpModule as unknown as { default: LpSolver }).default;

const META = new Set(["feasible", "result", "bounded", "isIntegral"]);

export function solveLp(model: LpModel): LpOutcome {
  const raw = lp.Solve(model);
  if (!raw.feasible) return { status: "infeasible" };
  if (raw.bounded === false) return { status: "unbounded" };
  const values = new Map<string, number>();
  for (const [k, v] of Object.entries(raw)) if (!META.has(k) && typeof v === "number") values.set(k, v);
  return { status: "optimal", value: raw.result, values };
}
