/**
 * Per-topic traffic from a Prometheus server that scrapes the brokers through the JMX exporter
 * (`ballast snapshot --prometheus <url>`). The metric names are those of the exporter's example
 * Kafka configuration (also used by Strimzi and most Helm charts), with `lowercaseOutputName`:
 *
 *   bytes in:  sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesin_total{topic!=""}[W]))
 *   bytes out: sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesout_total{topic!=""}[W]))
 *
 * Kafka counts BytesIn on the leader at produce time and BytesOut for consumer fetches only
 * (followers' fetches go to ReplicationBytesOut), which is what a snapshot's bytesIn and bytesOut
 * mean. Kafka has no per-partition byte meters, so each topic's rates are spread evenly over its
 * partitions.
 */
import { BallastError } from "../model/errors.js";
import type { Metrics, Rates } from "../model/metrics.js";
import { quote } from "../model/text.js";

export const PROMETHEUS_QUERIES = {
  bytesIn: (window: string) => `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesin_total{topic!=""}[${window}]))`,
  bytesOut: (window: string) => `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesout_total{topic!=""}[${window}]))`,
} as const;

/** Prometheus's range-selector spelling of a whole number of seconds: 300 → "300s". */
function rangeOf(seconds: number): string {
  return `${String(Math.max(1, Math.round(seconds)))}s`;
}

/** The server's address for messages: scheme, host, port and path, never a user name or password. */
export function safeAddress(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Reads per-topic rates over the last `windowSeconds` from the Prometheus at `base`. */
export async function prometheusRates(base: string, windowSeconds: number, fetchImpl: typeof fetch = fetch): Promise<Metrics> {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BallastError("USAGE", "--prometheus must be a URL such as http://prometheus:9090");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BallastError("USAGE", "--prometheus must be an http:// or https:// URL");
  const headers = new Headers({ accept: "application/json" });
  if (url.username !== "" || url.password !== "") {
    headers.set("authorization", `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`);
    url.username = "";
    url.password = "";
  }
  const window = rangeOf(windowSeconds);
  const [bytesIn, bytesOut] = await Promise.all([
    query(url, headers, PROMETHEUS_QUERIES.bytesIn(window), fetchImpl),
    query(url, headers, PROMETHEUS_QUERIES.bytesOut(window), fetchImpl),
  ]);
  const topics = new Map<string, Rates>();
  for (const topic of new Set([...bytesIn.keys(), ...bytesOut.keys()])) {
    topics.set(topic, { bytesIn: bytesIn.get(topic) ?? 0, bytesOut: bytesOut.get(topic) ?? 0 });
  }
  return { topics, partitions: new Map() };
}

interface VectorReply {
  readonly status?: unknown;
  readonly error?: unknown;
  readonly data?: { readonly resultType?: unknown; readonly result?: unknown };
}

async function query(server: URL, headers: Headers, promql: string, fetchImpl: typeof fetch): Promise<Map<string, number>> {
  const url = new URL("api/v1/query", server.href.endsWith("/") ? server.href : `${server.href}/`);
  url.searchParams.set("query", promql);
  const where = safeAddress(server);
  let reply: VectorReply;
  try {
    const res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new BallastError("KAFKA", `Prometheus at ${where} answered HTTP ${String(res.status)}${res.status === 401 || res.status === 403 ? " (check the user and password in the URL)" : ""}`);
    reply = (await res.json()) as VectorReply;
  } catch (err) {
    if (err instanceof BallastError) throw err;
    throw new BallastError("KAFKA", `cannot query Prometheus at ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (reply.status !== "success" || reply.data?.resultType !== "vector" || !Array.isArray(reply.data.result)) {
    const error = typeof reply.error === "string" ? `: ${quote(reply.error)}` : "";
    throw new BallastError("KAFKA", `Prometheus at ${where} did not return an instant vector for ${promql}${error}`);
  }
  const out = new Map<string, number>();
  for (const sample of reply.data.result as Array<{ metric?: { topic?: unknown }; value?: unknown }>) {
    const topic = sample.metric?.topic;
    const value = Array.isArray(sample.value) ? Number(sample.value[1]) : NaN;
    if (typeof topic === "string" && Number.isFinite(value) && value >= 0) out.set(topic, (out.get(topic) ?? 0) + value);
  }
  return out;
}
