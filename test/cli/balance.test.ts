/**
 * `ballast balance` in-process without Kafka: flag and file checks (exit 2 before any connection),
 * secrets in webhook URLs never printed, and a clusters file whose cluster cannot be reached still
 * giving a report line (the real-broker runs are in test/kafka/balance.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BALANCE_EXIT, fleetExit } from "../../src/cli/balance-exit.js";
import { REPO_ROOT, run, tempDir } from "./helpers.js";

test("the cluster is required: --bootstrap-server or --clusters", async () => {
  const r = await run(["balance"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: --bootstrap-server: 'ballast balance' needs the cluster's brokers, or --clusters <file>\n$/);
});

test("a bad --notify URL is refused without printing it", async () => {
  const r = await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--notify", "ftp://user:hunter2@example.com/hook"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--notify: a webhook URL must be http or https, not ftp/);
  assert.ok(!r.stderr.includes("hunter2"));
});

test("--approve needs mode: approve; --only and --parallel need --clusters", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cfg = join(dir, "b.yaml");
    writeFileSync(cfg, "mode: propose\n");
    const approve = await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--config", cfg, "--approve", "0123456789ab"]);
    assert.equal(approve.code, 2);
    assert.match(approve.stderr, /--approve: needs mode: approve in the config/);
    assert.match((await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--only", "a"])).stderr, /--only: only goes with --clusters/);
    writeFileSync(cfg, "toBrokers: [1]\n");
    const oneOff = await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--config", cfg]);
    assert.equal(oneOff.code, 2);
    assert.match(oneOff.stderr, /toBrokers and replicationFactor are one-off operations/);
  } finally {
    cleanup();
  }
});

test("a clusters file is checked before any connection: names, duplicates, --only", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "clusters.yaml");
    writeFileSync(file, "clusters:\n  - {name: a, bootstrapServers: 'x:1'}\n  - {name: a, bootstrapServers: 'y:1'}\n");
    const dup = await run(["balance", "--clusters", file]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /clusters\.yaml:3:.*cluster "a" is listed twice, at clusters\[0\] and clusters\[1\]/);
    writeFileSync(file, "clusters:\n  - {name: ../etc, bootstrapServers: 'x:1'}\n");
    assert.match((await run(["balance", "--clusters", file])).stderr, /cluster name "\.\.\/etc" must be 1-100 of/);
    writeFileSync(file, "clusters:\n  - {name: a, bootstrapServers: 'x:1', config: {maxMoves: -1}}\n");
    assert.match((await run(["balance", "--clusters", file])).stderr, /cluster a: the config with its overrides.*maxMoves must be a non-negative integer/);
    writeFileSync(file, "clusters:\n  - {name: a, bootstrapServers: 'x:1'}\n");
    assert.match((await run(["balance", "--clusters", file, "--only", "b"])).stderr, /--only: no cluster named b/);
    assert.match((await run(["balance", "--clusters", file, "--bootstrap-server", "x:1"])).stderr, /--bootstrap-server: does not go with --clusters/);
  } finally {
    cleanup();
  }
});

test("a cluster that cannot be reached is one 'error' line of the report, and exit 2", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "clusters.yaml");
    writeFileSync(file, "clusters:\n  - {name: gone, bootstrapServers: '127.0.0.1:1'}\n");
    const r = await run(["balance", "--clusters", file, "--state-dir", join(dir, "state"), "--json"]);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as { clusters: Array<{ cluster: string; outcome: string; reasons: string[] }> };
    assert.deepEqual(report.clusters.map((c) => [c.cluster, c.outcome]), [["gone", "error"]]);
    assert.match(report.clusters[0]!.reasons[0]!, /ECONNREFUSED/);
  } finally {
    cleanup();
  }
});

test("exit statuses: 0 for every success, the most serious of a fleet", () => {
  assert.deepEqual([BALANCE_EXIT.done, BALANCE_EXIT["nothing-to-do"], BALANCE_EXIT.proposed, BALANCE_EXIT["outside-window"]], [0, 0, 0, 0]);
  assert.deepEqual([BALANCE_EXIT.failed, BALANCE_EXIT.locked, BALANCE_EXIT.refused, BALANCE_EXIT.error], [3, 5, 9, 2]);
  assert.equal(fleetExit(["done", "locked", "refused"]), 9);
  assert.equal(fleetExit(["locked", "failed"]), 3);
  assert.equal(fleetExit(["nothing-to-do", "proposed"]), 0);
});

test("the examples parse: examples/balance.yaml and examples/clusters.yaml", async () => {
  const { parseJobConfig } = await import("../../src/model/balance-config.js");
  const { parseConfig } = await import("../../src/model/config-parse.js");
  const { JOB_KEYS } = await import("../../src/model/balance-config.js");
  const { parseClustersFile } = await import("../../src/model/clusters-file.js");
  const text = readFileSync(join(REPO_ROOT, "examples", "balance.yaml"), "utf8");
  const job = parseJobConfig(text, "examples/balance.yaml");
  assert.equal(job.timeZone, "Europe/Berlin");
  assert.equal(parseConfig(text, "examples/balance.yaml", JOB_KEYS).maxMoves, 50);
  const clusters = parseClustersFile(readFileSync(join(REPO_ROOT, "examples", "clusters.yaml"), "utf8"), "examples/clusters.yaml");
  assert.deepEqual(clusters.map((c) => c.name), ["prod-eu", "prod-us", "staging"]);
});
