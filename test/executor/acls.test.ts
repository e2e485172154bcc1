/**
 * The ACL check before a command changes anything, and authentication/authorization failures
 * ending a run at once instead of being retried like a broker that is down.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ACL_NEEDS, checkAcls, missingAclMessage, missingAcls } from "../../src/executor/acls.js";
import { resumeExecution } from "../../src/executor/execute.js";
import { StateStore } from "../../src/executor/journal.js";
import type { AclOperation } from "../../src/executor/port.js";
import { newExecutionState } from "../../src/executor/runner.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { DEFAULT_LIMITS } from "../../src/executor/types.js";
import { BallastError, isBallastError } from "../../src/model/errors.js";
import { parseCluster } from "../../src/model/parse.js";
import { shellQuote } from "../../src/cli/shell.js";

const CLUSTER = parseCluster(
  "version: 1\nbrokers: [{id: 1}, {id: 2}, {id: 3}]\ntopics:\n  - {name: t, partitions: [{partition: 0, replicas: [1, 2], size: 1000}]}\n  - {name: orders.v2, partitions: [{partition: 0, replicas: [1, 2], size: 1000}]}\n",
  { format: "yaml" },
);

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("ACLs checked before anything changes", () => {
  it("names each missing operation and resource, why, and the kafka-acls.sh grants ", async () => {
    const sim = createSimulatedCluster(CLUSTER, {
      clock: createSimClock(),
      allowed: { cluster: ["DESCRIBE", "DESCRIBE_CONFIGS"], topics: ["DESCRIBE", "DESCRIBE_CONFIGS"] },
    });
    await assert.rejects(checkAcls(sim.port, ACL_NEEDS.execute, ["t", "orders.v2"], shellQuote), (e: unknown) => {
      assert.ok(isBallastError(e) && e.code === "AUTH");
      assert.equal(
        e.message,
        "the principal User:<principal> lacks ALTER on CLUSTER (to reassign partitions and elect leaders), ALTER_CONFIGS on CLUSTER (to set the brokers' throttle rates), " +
          "ALTER_CONFIGS on TOPIC orders.v2, t (to set the throttled replica lists); nothing was changed. Grant them with: " +
          "kafka-acls.sh --bootstrap-server <host:port> --add --allow-principal User:<principal> --operation Alter --operation AlterConfigs --cluster ; " +
          "kafka-acls.sh --bootstrap-server <host:port> --add --allow-principal User:<principal> --operation AlterConfigs --topic orders.v2 --topic t",
      );
      return true;
    });
    await checkAcls(sim.port, ACL_NEEDS.snapshot, [], shellQuote);
  });

  it("balance needs the job's memory topic itself, whatever topics it moves; a memory topic not made yet is not checked", () => {
    const all = new Set<AclOperation>(["ALL"]);
    const readOnly = new Set<AclOperation>(["DESCRIBE", "READ"]);
    const lacking = missingAcls({ principal: "User:x", cluster: all, topics: new Map([["t", all], ["__ballast_balance_job", readOnly]]) }, ACL_NEEDS.balance, ["t"]);
    assert.deepEqual(lacking, [{ operation: "WRITE", resource: "TOPIC", topic: "__ballast_balance_job", why: "keep the balance job's memory", topics: ["__ballast_balance_job"] }]);
    assert.match(missingAclMessage(lacking, "User:x", shellQuote), /lacks WRITE on TOPIC __ballast_balance_job .*--operation Write --topic __ballast_balance_job$/);
    assert.deepEqual(missingAcls({ principal: null, cluster: all, topics: new Map([["__ballast_balance_job", null]]) }, ACL_NEEDS.propose, []), []);
    // Proposing needs nothing of the topics themselves.
    assert.deepEqual(missingAcls({ principal: null, cluster: all, topics: new Map([["t", new Set()], ["__ballast_balance_job", all]]) }, ACL_NEEDS.propose, ["t"]), []);
  });

  it("ALL grants everything; an unreported cluster or topic is not checked; many topics grant with '*'", () => {
    const all = new Set<AclOperation>(["ALL"]);
    assert.deepEqual(missingAcls({ principal: null, cluster: null, topics: new Map([["t", null]]) }, ACL_NEEDS.execute, ["t"]), []);
    const none = new Set<AclOperation>();
    const topics = ["a", "b", "c", "d"];
    const missing = missingAcls({ principal: "User:x", cluster: all, topics: new Map(topics.map((t) => [t, none])) }, ACL_NEEDS.execute, topics);
    assert.deepEqual(
      missing.map((m) => [m.operation, m.topics.length]),
      [["DESCRIBE", 4], ["ALTER_CONFIGS", 4], ["DESCRIBE_CONFIGS", 4]],
    );
  });

  it("a missing ACL during a run ends it at once as AUTH; it is not retried until the broker-down timeout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-acls-"));
    dirs.push(dir);
    const store = new StateStore(dir);
    const options = { limits: DEFAULT_LIMITS, strategy: ["small-first" as const], throttle: 1000, partitionTimeoutMs: 3_600_000, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false };
    store.save(newExecutionState("x", 0, [{ topic: "t", partition: 0, from: [1, 2], to: [3, 2], size: 1000 }], options));
    const clock = createSimClock();
    const sim = createSimulatedCluster(CLUSTER, { clock });
    const denied = new Proxy(sim.port, {
      get: (target, name) =>
        name === "close" || name === "acquireExecutionLock"
          ? target[name].bind(target)
          : () => Promise.reject(new BallastError("AUTH", "Kafka refused: CLUSTER_AUTHORIZATION_FAILED (31)")),
    });
    const warnings: string[] = [];
    await assert.rejects(
      resumeExecution({ port: denied, store, clock, emit: (e) => e.type === "warning" && warnings.push(e.message), stop: { level: 0 }, pollMs: 1000 }),
      (e: unknown) => isBallastError(e) && e.code === "AUTH",
    );
    assert.deepEqual(warnings, []);
    assert.ok(clock.now() < options.brokerDownTimeoutMs, `gave up at ${String(clock.now())} ms of simulated time`);
  });
});
