/**
 * The `--metrics` file of `ballast snapshot`: produce and consume rates per topic or per partition
 * (from a monitoring system), merged into a live snapshot, which Kafka's own APIs cannot provide.
 *
 * ```yaml
 * version: 1
 * topics:                       # a topic's rates, spread evenly over its partitions
 *   - {topic: orders, bytesIn: 20MiB/s, bytesOut: 60MiB/s}
 * partitions:                   # per partition; wins over the topic figure
 *   - {topic: orders, partition: 3, bytesIn: 8MiB/s, bytesOut: 24MiB/s}
 * ```
 * YAML or JSON; rates are bytes/s as numbers or unit strings.
 */
import { loadJson, loadYaml } from "./parse.js";
import { Checker, earlierIndex } from "./validate.js";

export interface Rates {
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface Metrics {
  /** Per topic, spread evenly over its partitions. */
  readonly topics: ReadonlyMap<string, Rates>;
  /** Per `topic-partition` key. */
  readonly partitions: ReadonlyMap<string, Rates>;
}

const ROOT_KEYS = ["version", "topics", "partitions"];
const TOPIC_KEYS = ["topic", "bytesIn", "bytesOut"];
const PARTITION_KEYS = ["topic", "partition", "bytesIn", "bytesOut"];

export function parseMetrics(text: string, format: "yaml" | "json", source?: string): Metrics {
  const { data, locate } = format === "json" ? loadJson(text, source) : loadYaml(text, source);
  const c = new Checker(locate);
  const root = c.asMapping(data, [], "a metrics file");
  c.onlyKeys(root, [], ROOT_KEYS, "the metrics file");
  if (root["version"] !== 1) c.fail("UNSUPPORTED_VERSION", `metrics version must be 1`, ["version"]);
  const rates = (obj: Readonly<Record<string, unknown>>, path: (string | number)[]): Rates => ({
    bytesIn: obj["bytesIn"] === undefined ? 0 : c.quantity(obj, "bytesIn", path, "rate"),
    bytesOut: obj["bytesOut"] === undefined ? 0 : c.quantity(obj, "bytesOut", path, "rate"),
  });
  const topics = new Map<string, Rates>();
  if (root["topics"] !== undefined) {
    const list = c.list(root, "topics", [], "topics");
    const seen = new Map<string, number>();
    list.forEach((_, i) => {
      const obj = c.mapping(list, i, ["topics"], "a topic's rates", TOPIC_KEYS);
      const topic = c.topicName(obj, "topic", ["topics", i]);
      const earlier = earlierIndex(seen, topic, i);
      if (earlier !== undefined) c.fail("DUPLICATE_TOPIC", `topic ${topic} is listed twice, at topics[${earlier}] and topics[${i}]`, ["topics", i]);
      topics.set(topic, rates(obj, ["topics", i]));
    });
  }
  const partitions = new Map<string, Rates>();
  if (root["partitions"] !== undefined) {
    const list = c.list(root, "partitions", [], "partitions");
    const seen = new Map<string, number>();
    list.forEach((_, i) => {
      const obj = c.mapping(list, i, ["partitions"], "a partition's rates", PARTITION_KEYS);
      const topic = c.topicName(obj, "topic", ["partitions", i]);
      const partition = c.id(obj, "partition", ["partitions", i], "partition number");
      const key = `${topic}-${String(partition)}`;
      const earlier = earlierIndex(seen, key, i);
      if (earlier !== undefined) c.fail("DUPLICATE_PARTITION", `${key} is listed twice, at partitions[${earlier}] and partitions[${i}]`, ["partitions", i]);
      partitions.set(key, rates(obj, ["partitions", i]));
    });
  }
  return { topics, partitions };
}

/** The rates of one partition: its own figure, else its topic's share, else zero. */
export function ratesOf(metrics: Metrics | undefined, topic: string, partition: number, partitionsInTopic: number): Rates {
  if (!metrics) return { bytesIn: 0, bytesOut: 0 };
  const own = metrics.partitions.get(`${topic}-${String(partition)}`);
  if (own) return own;
  const t = metrics.topics.get(topic);
  if (!t || partitionsInTopic === 0) return { bytesIn: 0, bytesOut: 0 };
  return { bytesIn: t.bytesIn / partitionsInTopic, bytesOut: t.bytesOut / partitionsInTopic };
}
