/**
 * `ballast balance --report <file.html>`: the HTML report of `ballast report` for one run of the job,
 * made from what the run saw (the snapshot it assessed and its balance report) and, when it planned,
 * the plan it proposed or executed with the goal behind each move. The run's outcome and reasons are
 * the report's first notes.
 */
import type { JobDetail, JobReport } from "../executor/balance-job.js";
import { printable } from "../model/text.js";
import type { CliIo } from "./io.js";
import { plannedReportInput } from "./plan.js";
import { describeJson, writeReport } from "./report.js";
import type { PlanInput } from "./report/data.js";

/**
 * Writes the run's report to `path` and says so on `out`; a run that assessed no cluster (locked,
 * resuming an earlier execution) has nothing to show, and `out` says that instead.
 */
export function writeBalanceReport(io: CliIo, path: string, source: string, job: JobReport, detail: JobDetail | undefined, out = io.stdout): void {
  if (detail === undefined) {
    out.write(`No report written to ${printable(path)}: the run ended ${job.outcome} before it assessed the cluster.\n`);
    return;
  }
  const describe = describeJson(detail.balance, [`ballast balance: ${job.outcome}`, ...job.reasons]);
  const planned = detail.plan;
  let plan: PlanInput | undefined;
  if (planned !== undefined) {
    const { explanations, ...outcome } = planned;
    const input = plannedReportInput(outcome, explanations, job.planFile ?? "", job.finishedAt - job.startedAt);
    plan = { ...input, summary: { ...input.summary, ...(job.planId !== undefined && { planId: job.planId }) } };
  }
  writeReport(io, { path, cluster: detail.cluster, source, describe, ...(plan !== undefined && { plan }) }, out);
}
