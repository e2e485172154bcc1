import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCluster } from "../../src/model/format.js";
import { parseCluster, type ClusterFormat } from "../../src/model/parse.js";
import type { Cluster } from "../../src/model/types.js";
import { fixtureNames, readFixture } from "./helpers.js";

const FORMATS: readonly ClusterFormat[] = ["yaml", "json"];

/** Exercises every optional field and default. */
const SAMPLE: Cluster = {
  version: 1,
  name: "sample cluster: with 'quotes' and #",
  brokers: [
    { id: 1, rack: "us-east-1a", host: "host-1", status: "alive", capacity: { disk: 2 * 2 ** 40, networkIn: 200 * 2 ** 20, networkOut: 123456789 } },
    { id: 2, rack: "us-east-1b", status: "dead", capacity: {} },
    { id: 30, rack: "1", status: "alive", capacity: { disk: 1 } },
  ],
  topics: [
    {
      name: "orders",
      partitions: [
        { topic: "orders", partition: 0, replicas: [1, 2, 30], leader: 1, size: 1610612736, bytesIn: 1048576, bytesOut: 3145728 },
        { topic: "orders", partition: 1, replicas: [30, 1], leader: 1, size: 0, bytesIn: 0, bytesOut: 0 },
        { topic: "orders", partition: 7, replicas: [2], leader: 2, size: 987654321, bytesIn: 999, bytesOut: 1, cpu: 0.75 },
      ],
    },
    { name: "123", partitions: [] },
    { name: "true", partitions: [{ topic: "true", partition: 0, replicas: [2, 1], leader: 2, size: 5e9, bytesIn: 2e6, bytesOut: 0 }] },
  ],
};

describe("formatCluster", () => {
  for (const format of FORMATS) {
    it(`round-trips through parseCluster (${format})`, () => {
      const text = formatCluster(SAMPLE, format);
      assert.deepEqual(parseCluster(text, { format }), SAMPLE);
    });

    it(`round-trips every fixture (${format})`, () => {
      for (const name of fixtureNames("", ".yaml")) {
        const cluster = parseCluster(readFixture(name), { format: "yaml", source: name });
        assert.deepEqual(parseCluster(formatCluster(cluster, format), { format }), cluster, name);
      }
    });

    it(`round-trips an empty cluster (${format})`, () => {
      const empty: Cluster = { version: 1, brokers: [], topics: [] };
      assert.deepEqual(parseCluster(formatCluster(empty, format), { format }), empty);
    });
  }

  it("writes YAML with one line per broker and partition, flow replica lists and unit strings", () => {
    const text = formatCluster(SAMPLE, "yaml");
    const lines = text.split("\n");
    assert.ok(lines.includes("  - {id: 2, rack: us-east-1b, status: dead}"), text);
    assert.ok(lines.includes("      - {partition: 0, replicas: [1, 2, 30], size: 1.5GiB, bytesIn: 1MiB/s, bytesOut: 3MiB/s}"), text);
    assert.ok(lines.includes("      - {partition: 1, replicas: [30, 1], leader: 1}"), text);
    assert.ok(lines.includes('  - {id: 30, rack: "1", capacity: {disk: 1}}'), text);
    assert.ok(lines.includes('  - name: "123"'), text);
    assert.ok(lines.includes("    partitions: []"), text);
  });

  it("writes JSON with one partition per line and plain numbers", () => {
    const text = formatCluster(SAMPLE, "json");
    const lines = text.split("\n");
    assert.ok(lines.includes('      {"partition":0,"replicas":[1,2,30],"size":1610612736,"bytesIn":1048576,"bytesOut":3145728},'), text);
    assert.ok(lines.includes('    {"id":2,"rack":"us-east-1b","status":"dead"},'), text);
    assert.equal(JSON.parse(text).version, 1);
    assert.ok(text.endsWith("}\n"));
  });

  it("writes a large cluster as JSON quickly", () => {
    const brokers = Array.from({ length: 30 }, (_, i) => ({ id: i, status: "alive" as const, capacity: {} }));
    const partitions = Array.from({ length: 100_000 }, (_, p) => ({
      topic: "big", partition: p, replicas: [p % 30, (p + 1) % 30, (p + 2) % 30], leader: p % 30, size: p * 1000, bytesIn: 10, bytesOut: 30,
    }));
    const cluster: Cluster = { version: 1, brokers, topics: [{ name: "big", partitions }] };
    const started = performance.now();
    const text = formatCluster(cluster, "json");
    const elapsed = performance.now() - started;
    assert.equal(text.split("\n").filter((line) => line.startsWith('      {"partition":')).length, 100_000);
    assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
  });
});

it("a live snapshot's traffic source survives YAML and JSON, and needs version 2", () => {
  const text = "version: 2\ntraffic: {method: sampled, windowSeconds: 60.2}\nbrokers:\n  - {id: 1}\ntopics: []\n";
  const cluster = parseCluster(text, { format: "yaml" });
  assert.deepEqual(cluster.traffic, { method: "sampled", windowSeconds: 60.2 });
  assert.equal(formatCluster(cluster, "yaml"), text);
  assert.deepEqual(parseCluster(formatCluster(cluster, "json"), { format: "json" }).traffic, cluster.traffic);
  assert.throws(() => parseCluster(text.replace("version: 2", "version: 1"), { format: "yaml" }), /"traffic" needs snapshot version 2/);
  assert.throws(() => parseCluster(text.replace("sampled", "guessed"), { format: "yaml" }), /traffic method/);
});
