/**
 * Kafka's own kafka-reassign-partitions tool executes a plan Ballast wrote, "ballast" key included:
 * the plan format is exactly what the tool reads.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { formatCluster } from "../../src/model/format.js";
import { parseCluster } from "../../src/model/parse.js";
import { parseReassignment } from "../../src/model/reassignment.js";
import { REPO_ROOT, bootstrap, kafkaSkip, uniqueName, waitFor, withAdmin } from "./harness.js";

const run = promisify(execFile);

async function cli(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await main(["node", "ballast", ...args], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
  return { code, stderr };
}

/** Runs Kafka's ReassignPartitionsCommand from the test cluster's jars. */
async function reassignTool(args: readonly string[]): Promise<string> {
  const version = process.env["KAFKA_VERSION"] ?? "3.9.2";
  const stateDir = process.env["KAFKA_STATE_DIR"] ?? join(REPO_ROOT, ".kafka");
  const classpath = `${join(stateDir, "jars", version)}/*`;
  const { stdout } = await run("java", ["-cp", classpath, "org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", bootstrap().join(","), ...args], {
    timeout: 120_000,
  });
  return stdout;
}

describe("Kafka's reassignment tool reads Ballast's plans", { skip: kafkaSkip(), timeout: 240_000 }, () => {
  it("executes and verifies a plan that drains a broker", async () => {
    const topic = uniqueName("compat");
    const dir = mkdtempSync(join(tmpdir(), "ballast-compat-"));
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 2 }], waitForLeaders: true }));
    try {
      // A snapshot of the live cluster, cut down to this topic, planned with broker 4 drained.
      const live = join(dir, "live.yaml");
      assert.equal((await cli(["snapshot", "--bootstrap-server", bootstrap().join(","), "-o", live])).code, 0);
      const full = parseCluster(readFileSync(live, "utf8"), { format: "yaml" });
      const mine = join(dir, "mine.yaml");
      writeFileSync(mine, formatCluster({ ...full, topics: full.topics.filter((t) => t.name === topic) }, "yaml"));
      const planPath = join(dir, "plan.json");
      const planned = await cli(["plan", "--cluster", mine, "--output", planPath, "--exclude-brokers", "4"]);
      assert.equal(planned.code, 0, planned.stderr);
      const plan = parseReassignment(readFileSync(planPath, "utf8"));
      assert.ok(plan.partitions.length > 0 && plan.madeFrom !== undefined, "a plan with Ballast's key");

      const started = await reassignTool(["--reassignment-json-file", planPath, "--execute"]);
      assert.match(started, /Successfully started partition reassignment/);
      await waitFor(
        "Kafka's tool to report every reassignment complete",
        async () => {
          const out = await reassignTool(["--reassignment-json-file", planPath, "--verify"]);
          return /in progress/i.test(out) ? undefined : out;
        },
        { timeoutMs: 120_000, intervalMs: 2000 },
      );
      const after = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
      const replicas = new Map(after.topics[0]!.partitions.map((p) => [p.partitionId, p.replicas]));
      for (const e of plan.partitions) assert.deepEqual(replicas.get(e.partition), e.replicas);
      for (const r of replicas.values()) assert.ok(!r.includes(4), "broker 4 is drained");
    } finally {
      await withAdmin((admin) => admin.deleteTopics({ topics: [topic] }));
    }
  });
});
