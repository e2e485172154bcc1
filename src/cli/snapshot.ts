/**
 * `ballast snapshot`: read a live cluster through the Kafka port and write it as a snapshot file
 * (or YAML on stdout), with rates from a metrics file, a sample of the cluster's own answers or a
 * Prometheus server, and capacities from a capacity file.
 */
import type { Command } from "commander";
import { ACL_NEEDS } from "../executor/acls.js";
import type { KafkaPort } from "../executor/port.js";
import { prometheusRates } from "../executor/prometheus.js";
import type { SnapshotOptions } from "../executor/snapshot.js";
import { sampleTraffic } from "../executor/traffic.js";
import { systemClock } from "../executor/types.js";
import { formatCluster } from "../model/format.js";
import { type Metrics, parseMetrics } from "../model/metrics.js";
import { clusterFormatFor } from "../model/parse.js";
import { printable } from "../model/text.js";
import { DURATION_LIMITS, duration, formatDuration } from "./execute.js";
import { type CliIo, checkOutputPath, loadCapacityFile, readTextFile, usageError, writeFileAtomic } from "./io.js";
import { type KafkaFlags, addKafkaOptions, checkedSnapshot, requireAcls, withPort } from "./kafka.js";
import { CAPACITY_OPTION_HELP, plainText, valueOption } from "./options.js";

export function addSnapshotCommand(program: Command, io: CliIo): void {
  addKafkaOptions(program.command("snapshot").description("write a snapshot of a live cluster"))
    .option("-o, --output <file>", "snapshot file (.yaml, .yml or .json); YAML on stdout when absent")
    .option("--metrics <file>", "per-topic or per-partition bytesIn/bytesOut (YAML or JSON), see docs/executing.md")
    .addOption(valueOption("--sample <duration>", "measure each partition's traffic over this window (10s to 1h) from log growth and consumer offsets", duration(DURATION_LIMITS.sample.min, DURATION_LIMITS.sample.max)))
    .option("--prometheus <url>", "read per-topic traffic from this Prometheus server (JMX exporter metric names)")
    .addOption(valueOption("--prometheus-window <duration>", "the window of the Prometheus rates (1m to 1d)", duration(DURATION_LIMITS.prometheusWindow.min, DURATION_LIMITS.prometheusWindow.max)).default(300_000))
    .addOption(valueOption("--name <name>", "cluster name to record", plainText))
    .option("--hosts-from-listeners", "record each broker's listener host as its host (several brokers per machine)")
    .option("--capacity <file>", `${CAPACITY_OPTION_HELP}, written into the snapshot`)
    .action((flags: SnapshotFlags) => runSnapshot(flags, io));
}

interface SnapshotFlags extends KafkaFlags {
  readonly output?: string;
  readonly metrics?: string;
  readonly sample?: number;
  readonly prometheus?: string;
  readonly prometheusWindow?: number;
  readonly name?: string;
  readonly hostsFromListeners?: boolean;
  readonly capacity?: string;
}

/** The snapshot's traffic: from the metrics file, a sample of the cluster, or Prometheus (none: zeros). */
async function measureTraffic(port: KafkaPort, flags: SnapshotFlags, fileMetrics: Metrics | undefined, io: CliIo): Promise<Pick<SnapshotOptions, "metrics" | "traffic">> {
  if (fileMetrics !== undefined) return { metrics: fileMetrics, traffic: { method: "metrics-file" } };
  if (flags.prometheus !== undefined) {
    const seconds = (flags.prometheusWindow ?? 300_000) / 1000;
    return { metrics: await prometheusRates(flags.prometheus, seconds), traffic: { method: "prometheus", windowSeconds: seconds } };
  }
  if (flags.sample === undefined) return {};
  await requireAcls(port, ACL_NEEDS.sample);
  io.stderr.write(`Sampling traffic for ${formatDuration(flags.sample)}…\n`);
  const sample = await sampleTraffic(port, systemClock, flags.sample);
  return { metrics: sample.metrics, traffic: { method: "sampled", windowSeconds: Math.round(sample.windowSeconds * 10) / 10 } };
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
  const sources = [
    ["--metrics", flags.metrics],
    ["--sample", flags.sample],
    ["--prometheus", flags.prometheus],
  ].flatMap(([flag, value]) => (value === undefined ? [] : [String(flag)]));
  if (sources.length > 1) throw usageError(sources[1] ?? "--sample", "give only one of --metrics, --sample and --prometheus");
  const fileMetrics = flags.metrics === undefined ? undefined : parseMetrics(readTextFile(flags.metrics, "metrics file"), clusterFormatFor(flags.metrics), flags.metrics);
  const capacity = flags.capacity === undefined ? undefined : loadCapacityFile(flags.capacity);
  const cluster = await withPort(flags, "snapshot", async (port) => {
    const measured = await measureTraffic(port, flags, fileMetrics, io);
    return checkedSnapshot(port, {
      ...measured,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.hostsFromListeners === true ? { hostsFromListeners: true } : {}),
      ...(capacity !== undefined ? { capacity } : {}),
    });
  });
  if (flags.output === undefined) {
    io.stdout.write(formatCluster(cluster, "yaml"));
    return;
  }
  writeFileAtomic(flags.output, formatCluster(cluster, clusterFormatFor(flags.output)), "snapshot");
  const partitions = cluster.topics.reduce((a, t) => a + t.partitions.length, 0);
  const capacities = flags.capacity === undefined ? "" : ` (capacities from ${printable(flags.capacity)})`;
  io.stdout.write(`Snapshot of ${String(cluster.brokers.length)} brokers and ${String(partitions)} partitions written to ${printable(flags.output)}${capacities}.\n`);
}
