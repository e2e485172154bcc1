/**
 * `ballast balance` end to end against the real cluster of scripts/kafka-cluster.sh, as a child
 * process: convergence over runs within the budget, a webhook and the metrics file, two jobs at
 * once, a killed holder's execution resumed, and broker failures within and past the grace period.
 * Each test makes its own topics and excludes every other topic by name, so the job moves only its
 * own (a dead broker's replicas move whatever their topic: that is what healing is).
 * Skipped unless KAFKA_BOOTSTRAP is set (`npm run test:kafka`).
 *
 * Brokers 1 and 3 are in rack-a, 2 and 4 in rack-b.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Admin } from "kafkajs";
import { type Assignment, type CliResult, assertAllConsumable, ballast, createTopic, describeResult, finish, placement, produce, running, startCli, waitForJournal } from "./cli-helpers.js";
import { admin as connectAdmin, bootstrap, brokerCtl, kafkaSkip, uniqueName, waitFor } from "./harness.js";

interface Report {
  readonly outcome: string;
  readonly moves: number;
  readonly resumed: boolean;
  readonly reasons: string[];
  readonly anomalies: Array<{ kind: string; brokers: number[] }>;
}

function reportOf(r: CliResult): Report {
  try {
    return JSON.parse(r.stdout) as Report;
  } catch {
    return assert.fail(`no JSON report: ${describeResult(r)}`);
  }
}

const escape = (name: string): string => name.replace(/[.]/g, "\\.");

describe("ballast balance on a real cluster", { skip: kafkaSkip(), timeout: 900_000 }, () => {
  let admin: Admin;
  let dir: string;
  const down = new Set<number>();

  before(async () => {
    admin = await connectAdmin();
    dir = mkdtempSync(join(tmpdir(), "ballast-balance-kafka-"));
  });

  after(async () => {
    for (const child of running) child.kill("SIGKILL");
    for (const id of down) await brokerCtl("start", id);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A config file that lets the job move only `mine` (every other topic excluded by name), plus `extra`. */
  async function config(name: string, mine: readonly string[], extra = ""): Promise<string> {
    const others = (await admin.listTopics()).filter((t) => !mine.includes(t));
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, `excludeTopics: ${JSON.stringify(others.map((t) => `^${escape(t)}$`))}\n${extra}`);
    return path;
  }

  const args = (cfg: string, stateDir: string, more: readonly string[] = []): string[] => [
    "balance",
    "--bootstrap-server",
    bootstrap().join(","),
    "--config",
    cfg,
    "--state-dir",
    stateDir,
    "--poll-interval",
    "500ms",
    "--json",
    ...more,
  ];

  async function unbalancedTopic(prefix: string, partitions: number, records: number): Promise<string> {
    const topic = uniqueName(prefix);
    const assignment: Assignment = Array.from({ length: partitions }, (_, i) => (i % 2 === 0 ? [1, 2] : [2, 1]));
    await createTopic(admin, topic, assignment);
    await produce(topic, partitions, records);
    return topic;
  }

  async function registered(): Promise<number[]> {
    return (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  }

  it("balances an unbalanced topic over runs within the budget, notifies a webhook, writes metrics, then leaves it alone", async () => {
    const topic = await unbalancedTopic("balance-converge", 8, 50);
    const cfg = await config("converge", [topic], "maxMoves: 3\n");
    const stateDir = join(dir, "converge-state");
    const metrics = join(dir, "metrics.prom");
    const events: Array<{ event: string; text: string }> = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        if (req.url === "/hook/s3cr3t-t0ken") events.push(JSON.parse(body) as { event: string; text: string });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook/s3cr3t-t0ken`;
    const outputs: string[] = [];
    const moves: number[] = [];
    try {
      for (let run = 0; run < 12; run++) {
        const r = await ballast(args(cfg, stateDir, ["--notify", url, "--metrics-file", metrics]), dir, 180_000);
        outputs.push(r.stdout, r.stderr);
        assert.equal(r.code, 0, describeResult(r));
        const report = reportOf(r);
        if (report.outcome === "nothing-to-do") break;
        assert.equal(report.outcome, "done", describeResult(r));
        assert.ok(report.moves <= 3, `run ${String(run)} made ${String(report.moves)} moves, over the budget of 3`);
        moves.push(report.moves);
      }
    } finally {
      server.close();
    }
    assert.ok(moves.length >= 2, `the budget spread the balance over runs: ${moves.join(", ")}`);
    assert.ok(moves.length < 12, "the job reached 'nothing to do'");
    // Balanced: every broker holds the topic, which started on brokers 1 and 2 only.
    const holders = new Set((await placement(admin, topic)).flatMap((p) => p.replicas));
    assert.deepEqual([...holders].sort(), [1, 2, 3, 4]);
    await assertAllConsumable(admin, topic, 8, 50);
    // A balanced cluster is left alone, in well under a minute. Consuming above may have created
    // __consumer_offsets, which the job would otherwise balance too: exclude it as well.
    const cfgAgain = await config("converge-again", [topic], "maxMoves: 3\n");
    const t0 = Date.now();
    const again = await ballast(args(cfgAgain, stateDir), dir);
    assert.equal(reportOf(again).outcome, "nothing-to-do", describeResult(again));
    assert.ok(Date.now() - t0 < 60_000);

    assert.ok(events.some((e) => e.event === "start") && events.some((e) => e.event === "finish"), JSON.stringify(events.map((e) => e.event)));
    assert.ok(events.every((e) => typeof e.text === "string" && e.text.startsWith("ballast balance:")));
    for (const out of outputs) assert.ok(!out.includes("s3cr3t"), "the webhook's secret never appears in the output");

    const text = readFileSync(metrics, "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\} -?[0-9.e+-]+$/, `a Prometheus sample line: ${line}`);
    }
    assert.match(text, /ballast_last_run_status\{cluster="[^"]+",outcome="nothing-to-do"\} 1/);
    assert.match(text, /ballast_replica_spread\{cluster="[^"]+"\} \d+/);
  });

  it("two jobs started at once: exactly one executes, the other exits 'locked'", async () => {
    const topic = await unbalancedTopic("balance-race", 4, 200);
    const cfg = await config("race", [topic], "maxMoves: 2\nthrottle: 40KiB/s\n");
    const [a, b] = await Promise.all([ballast(args(cfg, join(dir, "race-a")), dir, 180_000), ballast(args(cfg, join(dir, "race-b")), dir, 180_000)]);
    const results = [a, b].map((r) => ({ code: r.code, outcome: reportOf(r).outcome }));
    results.sort((x, y) => (x.code ?? 0) - (y.code ?? 0));
    assert.deepEqual(results, [
      { code: 0, outcome: "done" },
      { code: 5, outcome: "locked" },
    ], `${describeResult(a)}\n${describeResult(b)}`);
  });

  it("a holder killed with kill -9: the next run gets the lock after the timeout and resumes the execution", async () => {
    const topic = await unbalancedTopic("balance-kill", 4, 200);
    const cfg = await config("kill", [topic], "maxMoves: 2\nmaxMovesPerBroker: 1\nthrottle: 20KiB/s\n");
    const stateDir = join(dir, "kill-state");
    const first = startCli(args(cfg, stateDir), dir);
    await waitForJournal(stateDir, "a partition moving", (tasks) => tasks.some((t) => t.state === "moving"), first, 120_000);
    first.child.kill("SIGKILL");
    await first.done;
    const second = await ballast(args(cfg, stateDir, ["--lock-wait", "90s"]), dir, 240_000);
    const report = reportOf(second);
    assert.equal(second.code, 0, describeResult(second));
    assert.equal(report.outcome, "done");
    assert.equal(report.resumed, true, "the unfinished execution was resumed, not planned over");
    await assertAllConsumable(admin, topic, 4, 200);
  });

  it("a broker back within the grace period: nothing moves", async () => {
    const topic = await unbalancedTopic("balance-back", 2, 20);
    // Triggers no balance can reach: only healing could move anything.
    const cfg = await config("back", [topic], "selfHealing: {brokerFailure: 10m}\ntriggers: {replicaSpread: 100000, rackViolations: false}\n");
    const stateDir = join(dir, "back-state");
    const before = await placement(admin, topic);
    await brokerCtl("kill", 3);
    down.add(3);
    await waitFor("broker 3 to leave the cluster", async () => ((await registered()).includes(3) ? undefined : true), { timeoutMs: 60_000 });
    const missing = await ballast(args(cfg, stateDir), dir);
    const report = reportOf(missing);
    assert.equal(report.outcome, "nothing-to-do", describeResult(missing));
    assert.ok(report.anomalies.some((a) => a.kind === "broker-missing" && a.brokers.includes(3)), describeResult(missing));
    await brokerCtl("start", 3);
    down.delete(3);
    const back = await ballast(args(cfg, stateDir), dir);
    assert.equal(reportOf(back).moves, 0, describeResult(back));
    assert.deepEqual((await placement(admin, topic)).map((p) => p.replicas), before.map((p) => p.replicas));
  });

  it("a broker killed with kill -9 is healed after the grace period; every record is still consumable", async () => {
    const topic = uniqueName("balance-heal");
    await createTopic(admin, topic, [
      [4, 1],
      [1, 4],
      [4, 3],
      [3, 4],
    ]);
    await produce(topic, 4, 100);
    const cfg = await config("heal", [topic], "selfHealing: {brokerFailure: 5s}\n");
    const stateDir = join(dir, "heal-state");
    await brokerCtl("kill", 4);
    down.add(4);
    await waitFor("broker 4 to leave the cluster", async () => ((await registered()).includes(4) ? undefined : true), { timeoutMs: 60_000 });
    const waiting = await ballast(args(cfg, stateDir), dir);
    assert.equal(reportOf(waiting).outcome, "nothing-to-do", describeResult(waiting));
    await new Promise((r) => setTimeout(r, 6000));
    const run = startCli(args(cfg, stateDir), dir);
    const healed = await finish(run, 300_000, "balance");
    const report = reportOf(healed);
    assert.equal(report.outcome, "done", describeResult(healed));
    assert.ok(report.anomalies.some((a) => a.kind === "broker-failure" && a.brokers.includes(4)));
    for (const p of await placement(admin, topic)) assert.ok(!p.replicas.includes(4), `replicas ${JSON.stringify(p.replicas)} left broker 4`);
    await assertAllConsumable(admin, topic, 4, 100);
    await brokerCtl("start", 4);
    down.delete(4);
  });
});
