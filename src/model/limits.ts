/**
 * Size limits on what Ballast is asked to make up or place, so that a typo (`--partitions 1000000`)
 * is refused at once instead of running for hours or until memory runs out. They sit well above the
 * largest clusters in use (Kafka's KRaft guidance is in the low millions of partitions per cluster) and
 * above the benchmarks' 2.8 million replicas.
 */
export const LIMITS = {
  /** Brokers in a generated cluster (`generate --brokers` plus `--new-brokers`). */
  brokers: 10_000,
  /** Topics in a generated cluster. */
  topics: 100_000,
  /** Partitions of one topic (`generate --partitions`, `assign --topic`, `--add-partitions`, topics files). */
  partitionsPerTopic: 100_000,
  /** Replicas Ballast generates or places in one run. */
  replicas: 10_000_000,
} as const;
