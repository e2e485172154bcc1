import assert from "node:assert/strict";
import { test } from "node:test";
import { BallastError } from "../../src/model/errors.js";
import { parseMetrics, ratesOf } from "../../src/model/metrics.js";

const YAML = `version: 1
topics:
  - {topic: orders, bytesIn: 20MiB/s, bytesOut: 60MiB/s}
partitions:
  - {topic: orders, partition: 3, bytesIn: 8MiB/s, bytesOut: 24MiB/s}
`;

test("metrics give per-partition figures first, then the topic's share, else zero", () => {
  const m = parseMetrics(YAML, "yaml", "m.yaml");
  assert.deepEqual(ratesOf(m, "orders", 3, 4), { bytesIn: 8 * 2 ** 20, bytesOut: 24 * 2 ** 20 });
  assert.deepEqual(ratesOf(m, "orders", 0, 4), { bytesIn: 5 * 2 ** 20, bytesOut: 15 * 2 ** 20 });
  assert.deepEqual(ratesOf(m, "other", 0, 4), { bytesIn: 0, bytesOut: 0 });
  assert.deepEqual(ratesOf(undefined, "orders", 0, 4), { bytesIn: 0, bytesOut: 0 });
});

test("metrics errors name the place", () => {
  const bad = (text: string, code: string, re: RegExp): void => {
    assert.throws(() => parseMetrics(text, "yaml", "m.yaml"), (e: unknown) => e instanceof BallastError && e.code === code && re.test(e.describe()));
  };
  bad(YAML.replace("version: 1", "version: 2"), "UNSUPPORTED_VERSION", /version/);
  bad(YAML.replace("bytesIn: 8MiB/s", "bytesIn: 8MiB"), "INVALID_UNIT", /partitions\[0\]\.bytesIn/);
  bad(YAML + "  - {topic: orders, partition: 3}\n", "DUPLICATE_PARTITION", /listed twice/);
  bad(YAML.replace("bytesOut: 60MiB/s", "bytesOut: 60MiB/s, rate: 1"), "SCHEMA", /rate/);
  assert.deepEqual(parseMetrics('{"version": 1, "topics": [{"topic": "t", "bytesIn": 1}]}', "json").topics.get("t"), { bytesIn: 1, bytesOut: 0 });
});
