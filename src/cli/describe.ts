/**
 * `ballast describe`: the balance report of a cluster as it is, with every goal and whether it holds.
 * A report, not a check: violated goals still exit 0.
 */
import { Chalk } from "chalk";
import type { Command } from "commander";
import { assess } from "../solver/index.js";
import { type CliIo, checkOutputPath, colorLevel, writeWarnings } from "./io.js";
import { type BalanceFlags, addBalanceOptions, diskThreshold, loadBalanceInputs } from "./options.js";
import { renderReport } from "./render.js";
import { REPORT_OPTION_HELP, describeJson, reportInputs, sourceOf, writeReport } from "./report.js";

interface DescribeFlags extends BalanceFlags {
  readonly json?: boolean;
  readonly report?: string;
}

export function addDescribeCommand(program: Command, io: CliIo): void {
  const command = program
    .command("describe")
    .description("report how balanced a cluster is and which goals it violates");
  addBalanceOptions(command, "describe")
    .option("--json", "print the balance report as one JSON object")
    .option("--report <file.html>", REPORT_OPTION_HELP)
    .action((flags: DescribeFlags) => runDescribe(flags, io));
}

async function runDescribe(flags: DescribeFlags, io: CliIo): Promise<void> {
  if (flags.report !== undefined) checkOutputPath(flags.report, "--report", reportInputs(flags));
  const { cluster, options, notes, warnings, placed } = await loadBalanceInputs(flags, "describe");
  writeWarnings(io, warnings);
  const report = describeJson(placed(() => assess(cluster, options)), notes);
  if (flags.json === true) io.stdout.write(`${JSON.stringify(report)}\n`);
  else io.stdout.write(renderReport(cluster, report, diskThreshold(options), new Chalk({ level: colorLevel(io) })));
  if (flags.report !== undefined) {
    writeReport(io, { path: flags.report, cluster, source: sourceOf(flags), describe: report }, flags.json === true ? io.stderr : io.stdout);
  }
}
