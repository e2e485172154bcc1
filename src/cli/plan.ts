/**
 * `ballast plan`: read a snapshot, plan a balanced placement, write Kafka's reassignment JSON
 * atomically, and report what the plan does (a readable summary, or one JSON object with --json).
 */
import { performance } from "node:perf_hooks";
import { Chalk } from "chalk";
import { type Command, Option } from "commander";
import { BallastError } from "../model/errors.js";
import { formatReassignment } from "../model/reassignment.js";
import { DEFAULT_SEED } from "../model/options-spec.js";
import { type Cluster, partitionCount } from "../model/types.js";
import { DEFAULT_SEARCH_COLUMNS, plan } from "../solver/index.js";
import type { BalanceReport, BrokerBalance, CapacityStatus, Explanation, Infeasibility, PlanOptions } from "../solver/types.js";
import { loadHighs } from "./highs.js";
import { type CliIo, checkOutputPath, colorLevel, writeFileAtomic, writeWarnings } from "./io.js";
import { type BalanceFlags, addBalanceOptions, commaListWarnings, diskThreshold, loadBalanceInputs, seedValue, valueOption } from "./options.js";
import { type PlannedOutcome, renderPlan } from "./render.js";
import { REPORT_OPTION_HELP, describeJson, reportInputs, sourceOf, writeReport } from "./report.js";
import type { PlanInput } from "./report/data.js";

interface PlanFlags extends BalanceFlags {
  readonly output: string;
  readonly heuristicOnly?: boolean;
  readonly json?: boolean;
  readonly seed: number;
  readonly report?: string;
}

export function addPlanCommand(program: Command, io: CliIo): void {
  const command = program
    .command("plan")
    .description("plan a balanced replica placement and write it as Kafka reassignment JSON");
  addBalanceOptions(command, "plan")
    .requiredOption("--output <plan.json>", "where to write the reassignment plan")
    .option("--exact", "after planning, solve the placement as an integer program: the proven fewest moves reaching at least the same balance (small clusters only)")
    .addOption(
      new Option("--heuristic-only", "skip the integer search that small clusters get (its bound and, when it finds one, a plan with fewer moves)").conflicts("exact"),
    )
    .option("--explain", "say, per changed partition, which goal asked for each change and the figure it improved")
    .option("--json", "print one JSON object instead of the summary")
    .option("--report <file.html>", `${REPORT_OPTION_HELP}, with the plan before → after and the goal behind each move`)
    .addOption(valueOption("--seed <n>", "seed for tie-breaking (same seed, same plan)", seedValue).default(DEFAULT_SEED))
    .action((flags: PlanFlags) => runPlan(flags, io));
}

async function runPlan(flags: PlanFlags, io: CliIo): Promise<void> {
  const started = performance.now();
  writeWarnings(io, commaListWarnings(flags, "plan"));
  checkOutputPath(flags.output, "--output", reportInputs(flags));
  if (flags.report !== undefined) checkOutputPath(flags.report, "--report", [...reportInputs(flags), { path: flags.output, flag: "--output" }]);
  const inputs = await loadBalanceInputs(flags, "plan");
  writeWarnings(io, inputs.warnings);
  const { cluster } = inputs;
  // The report names the goal behind each move, which the planner records only when asked.
  const asked = flags.report !== undefined ? { ...inputs.options, explain: true } : inputs.options;
  const options = await withSolver(asked, cluster, flags.heuristicOnly === true);
  const planned = inputs.placed(() => plan(cluster, options));
  const elapsedMs = performance.now() - started;
  if (planned.status === "infeasible") throw infeasibleError(planned.problems);
  const { explanations, ...rest } = planned;
  const outcome: PlannedOutcome = { ...rest, ...(flags.explain === true && explanations ? { explanations } : {}), notes: [...inputs.notes, ...planned.notes] };
  writeFileAtomic(flags.output, formatReassignment(outcome.reassignment), "plan");
  if (flags.json === true) {
    const json = { ...(cluster.traffic !== undefined ? { traffic: cluster.traffic } : {}), ...planJson(outcome, flags.output, elapsedMs) };
    io.stdout.write(`${JSON.stringify(json)}\n`);
  } else io.stdout.write(renderPlan({ before: cluster, outcome, output: flags.output, diskThreshold: diskThreshold(options) }, new Chalk({ level: colorLevel(io) })));
  if (flags.report !== undefined) {
    const plan = plannedReportInput(outcome, explanations, flags.output, elapsedMs);
    const describe = describeJson(outcome.balanceBefore, inputs.notes);
    writeReport(io, { path: flags.report, cluster, source: sourceOf(flags), describe, plan }, flags.json === true ? io.stderr : io.stdout);
  }
}

/** A planned outcome as the report's plan: the `plan --json` object as its summary, the explanations beside it. */
export function plannedReportInput(outcome: PlannedOutcome, explanations: readonly Explanation[] | undefined, output: string, elapsedMs: number): PlanInput {
  const { explanations: _, ...summary } = planJson(outcome, output, elapsedMs) as { explanations?: unknown };
  return { origin: "planned", summary, after: outcome.balanceAfter, reassignment: outcome.reassignment, ...(explanations ? { explanations } : {}) };
}

/**
 * HiGHS for --exact, or for the integer search on clusters whose program is small enough (partitions
 * × brokers, an upper limit on its columns): loading it takes a moment, so larger clusters skip it.
 */
async function withSolver(options: PlanOptions, cluster: Cluster, heuristicOnly: boolean): Promise<PlanOptions> {
  if (options.exact === true) return { ...options, exactSolver: await loadHighs() };
  if (heuristicOnly || partitionCount(cluster) * cluster.brokers.length > DEFAULT_SEARCH_COLUMNS) return options;
  return { ...options, integerSearch: { solver: await loadHighs() } };
}

/** The first problem, with its place, and how many more there are: one line for the user. */
function infeasibleError(problems: readonly Infeasibility[]): BallastError {
  const [first] = problems;
  if (first === undefined) return new BallastError("INFEASIBLE", "the request cannot be met");
  const where = first.path !== undefined ? ` (${first.path})` : "";
  const more = problems.length > 1 ? `; and ${problems.length - 1} more ${problems.length === 2 ? "problem" : "problems"}` : "";
  return new BallastError("INFEASIBLE", `${first.message}${where}${more}`);
}

/** (moves − bound) ÷ bound: how far, at most, the plan is from the fewest moves; null when the bound is 0. */
function optimalityGap(moves: number, bound: number): number | null {
  if (bound === 0) return moves === 0 ? 0 : null;
  return Math.round(((moves - bound) / bound) * 10000) / 10000;
}

function planJson(o: PlannedOutcome, output: string, elapsedMs: number): object {
  const before = new Map(o.balanceBefore.brokers.map((b) => [b.id, b]));
  return {
    moves: o.moves,
    bytesMoved: o.bytesMoved,
    leaderChanges: o.leaderChanges,
    lowerBound: o.lowerBound,
    optimalityGap: optimalityGap(o.moves, o.lowerBound.moves),
    ...(o.exact ? { exact: o.exact } : {}),
    ...(o.integerSearch ? { integerSearch: o.integerSearch } : {}),
    ...(o.explanations ? { explanations: o.explanations } : {}),
    budgetLimited: o.budgetLimited,
    ...(o.balanceAfter.capacity ? { capacity: capacityJson(o.balanceAfter.capacity, o.balanceBefore.capacity) } : {}),
    notes: o.notes,
    unknownCapacity: o.balanceBefore.unknownCapacity,
    before: balanceJson(o.balanceBefore),
    after: balanceJson(o.balanceAfter),
    brokers: o.balanceAfter.brokers.map((a) => ({
      id: a.id,
      rack: a.rack,
      before: brokerLoad(before.get(a.id) ?? a),
      after: brokerLoad(a),
    })),
    output,
    elapsedMs: Math.round(elapsedMs * 1000) / 1000,
  };
}

/**
 * Whether the capacity limits can be met, each problem (with what would fix it), and per limited
 * resource its threshold, floor and largest utilisation and brokers over the limit before and after.
 */
function capacityJson(after: CapacityStatus, before: CapacityStatus | undefined): object {
  const was = new Map((before?.resources ?? []).map((r) => [r.resource, r]));
  return {
    feasible: after.feasible,
    problems: after.problems,
    resources: after.resources.map((r) => {
      const b = was.get(r.resource);
      return {
        resource: r.resource,
        threshold: r.threshold,
        floor: r.floor,
        floorCause: r.floorCause,
        floorDetail: r.floorDetail,
        before: b === undefined ? null : { maxUtilization: b.maxUtilization, brokersOver: b.brokersOver },
        after: { maxUtilization: r.maxUtilization, brokersOver: r.brokersOver },
      };
    }),
  };
}

function balanceJson(r: BalanceReport): object {
  return { summary: r.summary, goals: r.goals };
}

function brokerLoad(b: BrokerBalance): object {
  return { replicas: b.replicas, leaders: b.leaders, disk: b.disk, networkIn: b.networkIn, networkOut: b.networkOut };
}
