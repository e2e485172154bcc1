/**
 * `ballast generate`: a synthetic, seeded cluster snapshot for demos, tests and benchmarks, written
 * to a file (format by extension) or to stdout as YAML.
 */
import type { Command } from "commander";
import { isBallastError } from "../model/errors.js";
import { formatCluster } from "../model/format.js";
import {
  DEFAULT_GENERATE_OPTIONS,
  DEFAULT_REALISTIC_LOAD,
  type Distribution,
  type GenerateOptions,
  PLACEMENTS,
  type Placement,
  type RealisticLoad,
  generateCluster,
} from "../model/generate.js";
import { clusterFormatFor } from "../model/parse.js";
import { createRng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import { formatBytes, formatRate, parseBytes, parseRate } from "../model/units.js";
import { type CliIo, checkOutputPath, usageError, writeFileAtomic } from "./io.js";
import {
  type IntRange,
  choice,
  duration,
  fromModel,
  integer,
  integerRange,
  nonNegativeNumber,
  plainText,
  positiveNumberList,
  seedValue,
  utilisationList,
  valueOption,
} from "./options.js";

const SIZE_KINDS = ["fixed", "uniform", "lognormal", "zipf"] as const satisfies readonly Distribution["kind"][];
const LOAD_MODELS = ["simple", "realistic"] as const;
type LoadModel = (typeof LOAD_MODELS)[number];

interface HotPartitions {
  readonly count: number;
  readonly factor: number;
}

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
  readonly load?: LoadModel;
  readonly topicRateDist?: Distribution["kind"];
  readonly meanTopicRate?: number;
  readonly keySkew?: number;
  readonly hotPartitions?: HotPartitions;
  readonly retention?: number;
  readonly fanOut?: IntRange;
  readonly utilisation?: NonNullable<RealisticLoad["utilisation"]>;
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

/** The flag behind each generator option (a dotted path), so the generator's complaints name what the user typed. */
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
  "traffic.retentionSeconds": "--retention",
  "traffic.fanOut": "--fan-out",
  load: "--load",
  "load.topicRate": "--topic-rate-dist/--mean-topic-rate",
  "load.keySkew": "--key-skew",
  "load.hot": "--hot-partitions",
  "load.retentionSeconds": "--retention",
  "load.fanOut": "--fan-out",
  "load.utilisation": "--utilisation",
};

/** Flags of the realistic load model only, as commander names their values. */
const REALISTIC_FLAGS = {
  topicRateDist: "--topic-rate-dist",
  meanTopicRate: "--mean-topic-rate",
  keySkew: "--key-skew",
  hotPartitions: "--hot-partitions",
  utilisation: "--utilisation",
} as const satisfies Partial<Record<keyof GenerateFlags, string>>;

/** The flag for an option path: its longest dotted prefix that has one ("load.hot.count" → --hot-partitions). */
function flagOf(path: string): string | undefined {
  const parts = path.split(/[.[]/);
  for (let n = parts.length; n > 0; n--) {
    const flag = FLAG_OF_OPTION[parts.slice(0, n).join(".")];
    if (flag !== undefined) return flag;
  }
  return undefined;
}

export function addGenerateCommand(program: Command, io: CliIo): void {
  const d = DEFAULT_GENERATE_OPTIONS;
  const r = DEFAULT_REALISTIC_LOAD;
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
    .addOption(valueOption("--load <model>", "load model: simple (traffic from sizes) or realistic (heavy-tailed traffic, sizes from it) (default: simple)", choice(LOAD_MODELS)))
    .addOption(valueOption("--topic-rate-dist <kind>", `realistic: topic produce rate distribution: ${SIZE_KINDS.join(", ")} (default: ${r.topicRate.kind}, sigma ${r.topicRate.sigma})`, choice(SIZE_KINDS)))
    .addOption(valueOption("--mean-topic-rate <rate>", `realistic: mean topic produce rate (default: ${formatRate(r.topicRate.mean)})`, fromModel(parseRate)))
    .addOption(valueOption("--key-skew <x>", `realistic: partition i of a topic gets a share ∝ (i+1)^-x; 0 for even (default: ${r.keySkew})`, nonNegativeNumber))
    .addOption(valueOption("--hot-partitions <count>x<factor>", "realistic: partitions whose leader's network out is factor × the mean per broker, e.g. 2x1.3", hotPartitions))
    .addOption(valueOption("--utilisation <resource=fraction,...>", "realistic: capacities sized to this mean utilisation, e.g. network-in=0.87,disk=0.7", utilisationList))
    .addOption(valueOption("--retention <duration>", `traffic a partition keeps on disk, e.g. 3d (default: ${d.traffic.retentionSeconds / 86_400}d; realistic: ${r.retentionSeconds / 86_400}d)`, duration))
    .addOption(valueOption("--fan-out <n|min-max>", `consumer fan-out per topic (default: ${d.traffic.fanOut.min}-${d.traffic.fanOut.max}; realistic: ${r.fanOut.min}-${r.fanOut.max})`, integerRange(0)))
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
    const flag = flagOf(err.place.path ?? "");
    throw flag === undefined ? err : usageError(flag, err.message);
  }
}

/** Only the options the user gave; the generator applies its own defaults to the rest. */
export function generateOptions(flags: GenerateFlags): GenerateOptions {
  checkLoadModel(flags);
  const o: { -readonly [K in keyof GenerateOptions]: GenerateOptions[K] } = {};
  if (flags.name !== undefined) o.name = flags.name;
  if (flags.brokers !== undefined) o.brokers = flags.brokers;
  if (flags.racks !== undefined) o.racks = flags.racks;
  if (flags.rackWeights !== undefined) o.rackWeights = flags.rackWeights;
  if (flags.brokersPerHost !== undefined) o.brokersPerHost = flags.brokersPerHost;
  if (flags.topics !== undefined) o.topics = flags.topics;
  if (flags.partitions !== undefined) o.partitions = flags.partitions;
  if (flags.rf !== undefined) o.replicationFactor = flags.rf.min === flags.rf.max ? flags.rf.min : flags.rf;
  if (flags.load === "realistic") {
    o.load = realisticLoad(flags);
  } else {
    if (flags.sizeDist !== undefined || flags.meanSize !== undefined) o.size = sizeDistribution(flags);
    const traffic = {
      ...(flags.retention !== undefined && { retentionSeconds: flags.retention / 1000 }),
      ...(flags.fanOut !== undefined && { fanOut: flags.fanOut }),
    };
    if (Object.keys(traffic).length > 0) o.traffic = traffic;
  }
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

/** The realistic model's options from its flags; refuses flags of the other model. */
function realisticLoad(flags: GenerateFlags): RealisticLoad {
  if (flags.sizeDist !== undefined) throw usageError("--size-dist", "does not apply with --load realistic: sizes follow traffic × retention");
  if (flags.meanSize !== undefined) throw usageError("--mean-size", "does not apply with --load realistic: sizes follow traffic × retention");
  const capacities = [
    ["disk", "disk", flags.diskCapacity],
    ["networkIn", "network-in", flags.networkInCapacity],
    ["networkOut", "network-out", flags.networkOutCapacity],
  ] as const;
  for (const [key, name, given] of capacities) {
    if (flags.utilisation?.[key] !== undefined && given !== undefined) {
      throw usageError("--utilisation", `sets the ${name} capacity, which --${name}-capacity also gives; give one of them`);
    }
  }
  const load: { -readonly [K in keyof RealisticLoad]: RealisticLoad[K] } = {};
  if (flags.topicRateDist !== undefined || flags.meanTopicRate !== undefined) load.topicRate = topicRateDistribution(flags);
  if (flags.keySkew !== undefined) load.keySkew = flags.keySkew;
  if (flags.hotPartitions !== undefined) load.hot = flags.hotPartitions;
  if (flags.retention !== undefined) load.retentionSeconds = flags.retention / 1000;
  if (flags.fanOut !== undefined) load.fanOut = flags.fanOut;
  if (flags.utilisation !== undefined) load.utilisation = flags.utilisation;
  return load;
}

/** The flags of the realistic model given without it. */
function checkLoadModel(flags: GenerateFlags): void {
  if (flags.load === "realistic") return;
  for (const [key, flag] of Object.entries(REALISTIC_FLAGS)) {
    if (flags[key as keyof typeof REALISTIC_FLAGS] !== undefined) throw usageError(flag, "needs --load realistic");
  }
}

/** --topic-rate-dist and --mean-topic-rate, each defaulting to the realistic model's own default (a lognormal keeps its sigma). */
function topicRateDistribution(flags: GenerateFlags): Distribution {
  const d = DEFAULT_REALISTIC_LOAD.topicRate;
  const kind = flags.topicRateDist ?? d.kind;
  const mean = flags.meanTopicRate ?? d.mean;
  return kind === "lognormal" ? { kind, mean, sigma: d.sigma } : { kind, mean };
}

/** `COUNTxFACTOR`, e.g. `2x1.3`: a whole count of at least 1 and a factor above 0. */
function hotPartitions(raw: string, flag: string): HotPartitions {
  const match = /^\s*(\d+)\s*[x×]\s*(\d+(?:\.\d*)?|\.\d+)\s*$/.exec(raw);
  if (match === null) throw usageError(flag, `expected COUNTxFACTOR, e.g. 2x1.3, got '${raw}'`);
  const count = integer(1)(match[1] ?? "", flag);
  const factor = Number(match[2]);
  if (!(factor > 0)) throw usageError(flag, `the factor must be above 0, got '${match[2] ?? ""}'`);
  return { count, factor };
}

/** --size-dist and --mean-size, each defaulting to the generator's own default. */
function sizeDistribution(flags: GenerateFlags): Distribution {
  const d = DEFAULT_GENERATE_OPTIONS.size;
  return { kind: flags.sizeDist ?? d.kind, mean: flags.meanSize ?? d.mean };
}
