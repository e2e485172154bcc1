/**
 * `ballast report --bootstrap-server` against the real cluster: the report is of the live snapshot
 * (its brokers and racks, the test topic's partitions with their ISR) and carries the live describe.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { embeddedData } from "../cli/helpers.js";
import { bootstrap, kafkaSkip, testBrokers, uniqueName, withAdmin } from "./harness.js";

describe("the HTML report of a live cluster", { skip: kafkaSkip(), timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ballast-report-"));
  const topic = uniqueName("report");

  before(() => withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 2 }], waitForLeaders: true })));
  after(() => withAdmin((admin) => admin.deleteTopics({ topics: [topic] })));

  it("writes the live brokers, racks and partitions and the live describe figures", async () => {
    const out = join(dir, "live.html");
    let stdout = "";
    let stderr = "";
    const code = await main(["node", "ballast", "report", "--bootstrap-server", bootstrap().join(","), "-o", out], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Report written to /);
    const data = embeddedData(readFileSync(out, "utf8")) as unknown as {
      source: string;
      brokers: { id: number; rack: string }[];
      topics: { name: string; partitions: number; replicas: number; underReplicated: number }[];
      describe: { summary: { brokers: number } };
    };
    assert.match(data.source, /^live cluster /);
    assert.deepEqual(
      data.brokers.map((b) => [b.id, b.rack]),
      testBrokers().map((b) => [b.id, b.rack]),
    );
    assert.equal(data.describe.summary.brokers, testBrokers().length);
    const row = data.topics.find((t) => t.name === topic);
    assert.deepEqual(row && [row.partitions, row.replicas, row.underReplicated], [3, 6, 0]);
  });
});
