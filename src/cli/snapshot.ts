/**
 * `ballast snapshot`: read a live cluster through the Kafka port and write it as a snapshot file
 * (or YAML on stdout), with rates from a metrics file and capacities from a capacity file.
 */
import type { Command } from "commander";
import { liveSnapshot } from "../executor/snapshot.js";
import { formatCluster } from "../model/format.js";
import { parseMetrics } from "../model/metrics.js";
import { clusterFormatFor } from "../model/parse.js";
import { printable } from "../model/text.js";
import { type CliIo, checkOutputPath, loadCapacityFile, readTextFile, writeFileAtomic } from "./io.js";
import { type KafkaFlags, addKafkaOptions, withPort } from "./kafka.js";
import { CAPACITY_OPTION_HELP, plainText, valueOption } from "./options.js";

export function addSnapshotCommand(program: Command, io: CliIo): void {
  addKafkaOptions(program.command("snapshot").description("write a snapshot of a live cluster"))
    .option("-o, --output <file>", "snapshot file (.yaml, .yml or .json); YAML on stdout when absent")
    .option("--metrics <file>", "per-topic or per-partition bytesIn/bytesOut (YAML or JSON), see docs/executing.md")
    .addOption(valueOption("--name <name>", "cluster name to record", plainText))
    .option("--hosts-from-listeners", "record each broker's listener host as its host (several brokers per machine)")
    .option("--capacity <file>", `${CAPACITY_OPTION_HELP}, written into the snapshot`)
    .action((flags: SnapshotFlags) => runSnapshot(flags, io));
}

interface SnapshotFlags extends KafkaFlags {
  readonly output?: string;
  readonly metrics?: string;
  readonly name?: string;
  readonly hostsFromListeners?: boolean;
  readonly capacity?: string;
}

async function runSnapshot(flags: SnapshotFlags, io: CliIo): Promise<void> {
  if (flags.output !== undefined) {
    checkOutputPath(flags.output, "--output", [
      { path: flags.metrics, flag: "--metrics" },
      { path: flags.commandConfig, flag: "--command-config" },
      { path: flags.capacity, flag: "--capacity" },
    ]);
  }
  // Files first: a bad one fails before connecting.
  const metrics = flags.metrics === undefined ? undefined : parseMetrics(readTextFile(flags.metrics, "metrics file"), clusterFormatFor(flags.metrics), flags.metrics);
  const capacity = flags.capacity === undefined ? undefined : loadCapacityFile(flags.capacity);
  const cluster = await withPort(flags, "snapshot", (port) =>
    liveSnapshot(port, {
      ...(metrics !== undefined ? { metrics } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.hostsFromListeners === true ? { hostsFromListeners: true } : {}),
      ...(capacity !== undefined ? { capacity } : {}),
    }),
  );
  if (flags.output === undefined) {
    io.stdout.write(formatCluster(cluster, "yaml"));
    return;
  }
  writeFileAtomic(flags.output, formatCluster(cluster, clusterFormatFor(flags.output)), "snapshot");
  const partitions = cluster.topics.reduce((a, t) => a + t.partitions.length, 0);
  const capacities = flags.capacity === undefined ? "" : ` (capacities from ${printable(flags.capacity)})`;
  io.stdout.write(`Snapshot of ${String(cluster.brokers.length)} brokers and ${String(partitions)} partitions written to ${printable(flags.output)}${capacities}.\n`);
}

