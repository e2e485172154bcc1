/**
 * `ballast describe`: the balance report of a cluster as it is, with every goal and whether it holds.
 * A report, not a check: violated goals still exit 0.
 */
import { Chalk } from "chalk";
import type { Command } from "commander";
import { assess } from "../solver/index.js";
import { type CliIo, colorLevel } from "./io.js";
import { type BalanceFlags, addBalanceOptions, diskThreshold, loadBalanceInputs } from "./options.js";
import { renderReport } from "./render.js";

interface DescribeFlags extends BalanceFlags {
  readonly json?: boolean;
}

export function addDescribeCommand(program: Command, io: CliIo): void {
  const command = program
    .command("describe")
    .description("report how balanced a cluster is and which goals it violates");
  addBalanceOptions(command, "describe")
    .option("--json", "print the balance report as one JSON object")
    .action((flags: DescribeFlags) => runDescribe(flags, io));
}

async function runDescribe(flags: DescribeFlags, io: CliIo): Promise<void> {
  const { cluster, options, notes, warnings, placed } = await loadBalanceInputs(flags, "describe");
  for (const warning of warnings) io.stderr.write(`${warning}\n`);
  const assessed = placed(() => assess(cluster, options));
  const report = { ...assessed, notes: [...notes, ...(assessed.notes ?? [])] };
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const chalk = new Chalk({ level: colorLevel(io) });
  io.stdout.write(renderReport(cluster, report, diskThreshold(options), chalk));
}
