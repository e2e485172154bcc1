/**
 * The `ballast` program. `createProgram(io)` builds the commander program with injected streams;
 * `main` runs it and turns every outcome into an exit status. Neither touches `process` directly.
 */
import { Command } from "commander";
import { addAssignCommand } from "./assign.js";
import { addBalanceCommand } from "./balance.js";
import { addDescribeCommand } from "./describe.js";
import { addExecuteCommands } from "./execute.js";
import { addGenerateCommand } from "./generate.js";
import { EXIT_OK } from "./exit-codes.js";
import { type CliIo, debugWanted, packageVersion, reportError } from "./io.js";
import { addPlanCommand } from "./plan.js";
import { addReportCommand } from "./report.js";
import { addServeCommand } from "./serve.js";
import { addSnapshotCommand } from "./snapshot.js";

export type { CliIo, OutputStream } from "./io.js";

export function createProgram(io: CliIo): Command {
  const program = new Command("ballast")
    .description("Plan rack-aware, evenly spread Kafka replica placements with minimal data movement, and apply them in throttled, resumable batches.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "print help")
    .helpCommand("help [command]", "print help for a command")
    .option("--debug", "on an internal error, print its stack trace (as BALLAST_DEBUG=1 does)")
    .showSuggestionAfterError(true);
  // Configure before adding commands: commander copies these settings into each subcommand.
  configure(program, io);
  addPlanCommand(program, io);
  addDescribeCommand(program, io);
  addReportCommand(program, io);
  addAssignCommand(program, io);
  addGenerateCommand(program, io);
  addExecuteCommands(program, io);
  addSnapshotCommand(program, io);
  addBalanceCommand(program, io);
  addServeCommand(program, io);
  return program;
}

/** Runs the program on `argv` (as `process.argv`: node, script, args…) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: "node" });
    return EXIT_OK;
  } catch (err) {
    return reportError(err, io, program.opts()["debug"] === true || debugWanted(io));
  }
}

/**
 * Help and version go to stdout; commander's own error text is dropped because `reportError`
 * prints the single `error:` line, and exitOverride turns its exits into exceptions.
 */
function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: () => undefined,
      outputError: () => undefined,
    });
}
