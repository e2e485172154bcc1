/**
 * `ballast report`, and `--report <file.html>` of plan and describe: the cluster (and a plan) as one
 * self-contained HTML file. The data is assembled purely (report/data.ts, report/html.ts); this
 * module reads the inputs and the page's assets and writes the file.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { applyReassignment, parseReassignment } from "../model/reassignment.js";
import { printable } from "../model/text.js";
import { isBallastError } from "../model/errors.js";
import type { Cluster, Reassignment } from "../model/types.js";
import { formatBytes } from "../model/units.js";
import { assess } from "../solver/index.js";
import type { BalanceReport } from "../solver/types.js";
import { type CliIo, checkOutputPath, packageVersion, readTextFile, writeFileAtomic, writeWarnings } from "./io.js";
import { type BalanceFlags, addBalanceOptions, loadBalanceInputs } from "./options.js";
import { type PlanInput, changedSincePlanned, planFileFigures, reportData } from "./report/data.js";
import { type PageAssets, reportHtml } from "./report/html.js";

interface ReportFlags extends BalanceFlags {
  readonly output: string;
  readonly plan?: string;
}

/** The help of `--report` on plan and describe. */
export const REPORT_OPTION_HELP = "also write a self-contained HTML report of the cluster to this file (opens offline in a browser)";

export function addReportCommand(program: Command, io: CliIo): void {
  const command = program
    .command("report")
    .description("write a self-contained HTML report of a cluster's balance, placement and (with --plan) a plan");
  addBalanceOptions(command, "report")
    .option("--plan <plan.json>", "a reassignment plan (as `ballast plan` writes it) to show before → after")
    .requiredOption("-o, --output <report.html>", "where to write the report")
    .action((flags: ReportFlags) => runReport(flags, io));
}

async function runReport(flags: ReportFlags, io: CliIo): Promise<void> {
  checkOutputPath(flags.output, "--output", [...reportInputs(flags), { path: flags.plan, flag: "--plan" }]);
  const planText = flags.plan === undefined ? undefined : readTextFile(flags.plan, "plan");
  const inputs = await loadBalanceInputs(flags, "report");
  writeWarnings(io, inputs.warnings);
  const { cluster, options } = inputs;
  const describe = describeJson(inputs.placed(() => assess(cluster, options)), inputs.notes);
  let plan: PlanInput | undefined;
  if (planText !== undefined && flags.plan !== undefined) {
    const reassignment = parseReassignment(planText, flags.plan);
    const after = inputs.placed(() => assess(planApplied(cluster, reassignment, flags.plan ?? ""), options));
    const stale = changedSincePlanned(cluster, reassignment);
    const notes = stale === 0 ? [] : [`the plan was made when ${stale} of its partitions had other replicas than the cluster has now; before → after is from the cluster as it is`];
    for (const note of notes) io.stderr.write(`warning: ${note}\n`);
    plan = { origin: "file", summary: { ...planFileSummary(cluster, reassignment, describe, after), notes }, after, reassignment };
  }
  writeReport(io, { path: flags.output, cluster, source: sourceOf(flags), describe, ...(plan ? { plan } : {}) });
}

/** The `describe --json` object: the balance report with the inputs' notes first. */
export function describeJson(assessed: BalanceReport, notes: readonly string[]): BalanceReport {
  return { ...assessed, notes: [...notes, ...(assessed.notes ?? [])] };
}

/** The files a balance command reads, for checkOutputPath. */
export function reportInputs(flags: BalanceFlags): { path: string | undefined; flag: string }[] {
  return [
    { path: flags.cluster, flag: "--cluster" },
    { path: flags.config, flag: "--config" },
    { path: flags.commandConfig, flag: "--command-config" },
    { path: flags.capacity, flag: "--capacity" },
  ];
}

/** The snapshot's path, or the live cluster's bootstrap servers. */
export function sourceOf(flags: BalanceFlags): string {
  return flags.cluster !== undefined ? `snapshot ${flags.cluster}` : `live cluster ${flags.bootstrapServer ?? ""}`;
}

export interface ReportRequest {
  readonly path: string;
  readonly cluster: Cluster;
  readonly source: string;
  readonly describe: BalanceReport;
  readonly plan?: PlanInput;
}

/** Assembles and writes the report (atomically), then says where on `out` (stderr when stdout carries JSON). */
export function writeReport(io: CliIo, request: ReportRequest, out = io.stdout): void {
  const data = reportData({
    cluster: request.cluster,
    source: request.source,
    generator: `Ballast ${packageVersion()}`,
    describe: request.describe,
    ...(request.plan ? { plan: request.plan } : {}),
  });
  const html = reportHtml(data, pageAssets());
  writeFileAtomic(request.path, html, "report");
  out.write(`Report written to ${printable(request.path)} (${formatBytes(Buffer.byteLength(html))}).\n`);
}

/** The cluster once the plan is applied; a plan that does not fit the cluster is reported as the plan file's error. */
function planApplied(cluster: Cluster, reassignment: Reassignment, path: string): Cluster {
  try {
    return applyReassignment(cluster, reassignment);
  } catch (err) {
    if (isBallastError(err)) throw err.withPlace({ source: path });
    throw err;
  }
}

/** A plan file's figures, shaped as the parts of `plan --json` they share. */
function planFileSummary(cluster: Cluster, reassignment: Reassignment, before: BalanceReport, after: BalanceReport): object {
  return {
    ...planFileFigures(cluster, reassignment),
    before: { summary: before.summary, goals: before.goals },
    after: { summary: after.summary, goals: after.goals },
  };
}

let assets: PageAssets | undefined;

/** The page's script and style, read once from the package (src/cli/report/page/). */
function pageAssets(): PageAssets {
  const read = (name: string): string => readFileSync(new URL(`../../../src/cli/report/page/${name}`, import.meta.url), "utf8");
  assets ??= { script: read("report.js"), style: read("report.css") };
  return assets;
}
