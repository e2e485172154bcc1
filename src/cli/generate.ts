/**
 * `ballast generate`: a synthetic, seeded cluster snapshot for demos, tests and benchmarks, written
 * to a file (format by extension) or to stdout as YAML.
 */
import type { Command } from "commander";
import { isBallastError } from "../model/errors.js";
import { formatCluster } from "../model/format.js";
import { DEFAULT_GENERATE_OPTIONS, type Distribution, type GenerateOptions, type Placement, generateCluster } from "../model/generate.js";
import { clusterFormatFor } from "../model/parse.js";
import { createRng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import { formatBytes, parseBytes, parseRate } from "../model/units.js";
import { type CliIo, checkOutputPath, usageError, writeFileAtomic } from "./io.js";
import { type IntRange, choice, plainText, fromModel, integer, integerRange, positiveNumberList, seedValue, valueOption } from "./options.js";

const SIZE_KINDS = ["fixed", "uniform", "lognormal", "zipf"] as const satisfies readonly Distribution["kind"][];
const PLACEMENTS = ["balanced", "random", "skewed"] as const satisfies readonly Placement[];

interface GenerateFlags {
  readonly brokers?: number;
  readonly racks?: number;
  readonly rackWeights?: readonly number[];
  readonly brokersPerHost?: number;
  readonly topics?: number;
  readonly partitions?: IntRange;
  readonly rf?: IntRange;
  readonly sizeDist?: Distribution["kind"];
  readonly meanSize?: number;
  readonly placement?: Placement;
  readonly newBrokers?: number;
  readonly deadBrokers?: number;
  readonly diskCapacity?: number;
  readonly networkInCapacity?: number;
  readonly networkOutCapacity?: number;
  readonly mixedCapacity?: boolean;
  readonly seed: number;
  readonly name?: string;
  readonly output?: string;
}

/** The flag behind each generator option, so the generator's complaints name what the user typed. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  brokers: "--brokers",
  racks: "--racks",
  rackWeights: "--rack-weights",
  brokersPerHost: "--brokers-per-host",
  topics: "--topics",
  partitions: "--partitions",
  replicationFactor: "--rf",
  size: "--size-dist/--mean-size",
  placement: "--placement",
  newBrokers: "--new-brokers",
  deadBrokers: "--dead-brokers",
  capacity: "--disk-capacity/--network-in-capacity/--network-out-capacity",
  mixedCapacity: "--mixed-capacity",
};

export function addGenerateCommand(program: Command, io: CliIo): void {
  const d = DEFAULT_GENERATE_OPTIONS;
  program
    .command("generate")
    .description("write a synthetic cluster snapshot (YAML on stdout without -o)")
    .addOption(valueOption("--brokers <n>", `brokers holding replicas (default: ${d.brokers})`, integer(0)))
    .addOption(valueOption("--racks <n>", `racks, 0 for none (default: ${d.racks})`, integer(0)))
    .addOption(valueOption("--rack-weights <w,...>", "relative rack sizes, one per rack, e.g. 1,1,2 (default: equal)", positiveNumberList))
    .addOption(valueOption("--brokers-per-host <n>", `brokers of one rack sharing a host (default: ${d.brokersPerHost})`, integer(1)))
    .addOption(valueOption("--topics <n>", `topics (default: ${d.topics})`, integer(0)))
    .addOption(valueOption("--partitions <n|min-max>", `partitions per topic (default: ${d.partitions.min}-${d.partitions.max})`, integerRange(1)))
    .addOption(valueOption("--rf <n|min-max>", `replication factor, fixed or drawn per topic (default: ${d.replicationFactor})`, integerRange(1)))
    .addOption(valueOption("--size-dist <kind>", `partition size distribution: ${SIZE_KINDS.join(", ")} (default: ${d.size.kind})`, choice(SIZE_KINDS)))
    .addOption(valueOption("--mean-size <size>", `mean partition size, e.g. 500MiB (default: ${formatBytes(d.size.mean)})`, fromModel(parseBytes)))
    .addOption(valueOption("--placement <kind>", `replica placement: ${PLACEMENTS.join(", ")} (default: ${d.placement})`, choice(PLACEMENTS)))
    .addOption(valueOption("--new-brokers <n>", `empty brokers appended, as after a scale-out (default: ${d.newBrokers})`, integer(0)))
    .addOption(valueOption("--dead-brokers <n>", `brokers holding replicas that are marked dead (default: ${d.deadBrokers})`, integer(0)))
    .addOption(valueOption("--disk-capacity <size>", "disk capacity of every broker, e.g. 2TiB (default: none)", fromModel(parseBytes)))
    .addOption(valueOption("--network-in-capacity <rate>", "network-in capacity of every broker, e.g. 100MiB/s (default: none)", fromModel(parseRate)))
    .addOption(valueOption("--network-out-capacity <rate>", "network-out capacity of every broker, e.g. 200MiB/s (default: none)", fromModel(parseRate)))
    .option("--mixed-capacity", "give every other broker of each rack twice the capacity (disk and network)")
    .addOption(valueOption("--seed <n>", "random seed (same seed, same cluster)", seedValue).default(1))
    .addOption(valueOption("--name <name>", "cluster name", plainText))
    .option("-o, --output <file>", "snapshot to write (.yaml, .yml or .json)")
    .action((flags: GenerateFlags) => runGenerate(flags, io));
}

function runGenerate(flags: GenerateFlags, io: CliIo): void {
  if (flags.output !== undefined) checkOutputPath(flags.output, "--output", []);
  const format = flags.output === undefined ? "yaml" : clusterFormatFor(flags.output);
  const cluster = generate(generateOptions(flags), flags.seed);
  const text = formatCluster(cluster, format);
  if (flags.output === undefined) io.stdout.write(text);
  else writeFileAtomic(flags.output, text, "cluster snapshot");
}

/** Generates, naming the flag behind any option the generator rejects. */
function generate(options: GenerateOptions, seed: number): Cluster {
  try {
    return generateCluster(options, createRng(seed));
  } catch (err) {
    if (!isBallastError(err) || err.code !== "USAGE") throw err;
    const option = /^[A-Za-z]+/.exec(err.place.path ?? "")?.[0] ?? "";
    const flag = FLAG_OF_OPTION[option];
    throw flag === undefined ? err : usageError(flag, err.message);
  }
}

/** Only the options the user gave; the generator applies its own defaults to the rest. */
export function generateOptions(flags: GenerateFlags): GenerateOptions {
  const o: { -readonly [K in keyof GenerateOptions]: GenerateOptions[K] } = {};
  if (flags.name !== undefined) o.name = flags.name;
  if (flags.brokers !== undefined) o.brokers = flags.brokers;
  if (flags.racks !== undefined) o.racks = flags.racks;
  if (flags.rackWeights !== undefined) o.rackWeights = flags.rackWeights;
  if (flags.brokersPerHost !== undefined) o.brokersPerHost = flags.brokersPerHost;
  if (flags.topics !== undefined) o.topics = flags.topics;
  if (flags.partitions !== undefined) o.partitions = flags.partitions;
  if (flags.rf !== undefined) o.replicationFactor = flags.rf.min === flags.rf.max ? flags.rf.min : flags.rf;
  if (flags.sizeDist !== undefined || flags.meanSize !== undefined) o.size = sizeDistribution(flags);
  if (flags.placement !== undefined) o.placement = flags.placement;
  if (flags.newBrokers !== undefined) o.newBrokers = flags.newBrokers;
  if (flags.deadBrokers !== undefined) o.deadBrokers = flags.deadBrokers;
  const capacity = {
    ...(flags.diskCapacity !== undefined && { disk: flags.diskCapacity }),
    ...(flags.networkInCapacity !== undefined && { networkIn: flags.networkInCapacity }),
    ...(flags.networkOutCapacity !== undefined && { networkOut: flags.networkOutCapacity }),
  };
  if (Object.keys(capacity).length > 0) o.capacity = capacity;
  if (flags.mixedCapacity === true) o.mixedCapacity = true;
  return o;
}

/** --size-dist and --mean-size, each defaulting to the generator's own default. */
function sizeDistribution(flags: GenerateFlags): Distribution {
  const d = DEFAULT_GENERATE_OPTIONS.size;
  return { kind: flags.sizeDist ?? d.kind, mean: flags.meanSize ?? d.mean };
}
