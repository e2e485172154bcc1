/**
 * The executor's commands in-process, against the built-in simulation (no Kafka): execute, dry run,
 * status, rollback, throttle requests, and their errors.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Chalk } from "chalk";
import { executionStatus } from "../../src/executor/execute.js";
import { StateStore } from "../../src/executor/journal.js";
import { renderStatus } from "../../src/cli/execute.js";
import { parseReassignment } from "../../src/model/reassignment.js";
import { run, singleErrorLine, tempDir } from "./helpers.js";
import { EXIT_STATE } from "../../src/cli/exit-codes.js";

describe("ballast execute (simulated)", () => {
  const tmp = tempDir();
  const cluster = join(tmp.dir, "c.yaml");
  const plan = join(tmp.dir, "plan.json");
  const state = join(tmp.dir, "state");

  before(async () => {
    const gen = await run(["generate", "--brokers", "6", "--new-brokers", "2", "--topics", "3", "--partitions", "4-6", "--size-dist", "fixed", "--mean-size", "64MiB", "-o", cluster]);
    assert.equal(gen.code, 0, gen.stderr);
    // The placement goals only: the plan whose execution the makespan check below was measured on.
    const config = join(tmp.dir, "balance.yaml");
    writeFileSync(config, "goals: [rack-spread, replica-count, disk, topic-spread, leader]\n");
    const p = await run(["plan", "--cluster", cluster, "--config", config, "--output", plan, "--json"]);
    assert.equal(p.code, 0, p.stderr);
  });
  after(() => tmp.cleanup());

  it("runs the plan to completion and reports the makespan against the bandwidth bound", async () => {
    const r = await run(["execute", plan, "--simulate", "--cluster", cluster, "--throttle", "20MiB/s", "--state-dir", state, "--poll-interval", "2s"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Execution completed: (\d+) done, 0 failed/);
    const m = /simulated makespan .*ratio (\d+\.\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= 1.2, `makespan within 1.2× of the bound, got ${m[1]}`);
    assert.match(r.stdout, /the bound is the busiest broker's bytes to send or receive ÷ the throttle\. It assumes /);
  });

  it("status reads the journal; rollback writes the plan back to the original replicas", async () => {
    const s = await run(["status", "--state-dir", state, "--json"]);
    assert.equal(s.code, 0, s.stderr);
    const summary = JSON.parse(s.stdout) as { status: string; counts: { done: number } };
    assert.equal(summary.status, "completed");
    const planned = parseReassignment(readFileSync(plan, "utf8"));
    assert.equal(summary.counts.done, planned.partitions.length);
    const out = join(tmp.dir, "rollback.json");
    const rb = await run(["rollback", "--state-dir", state, "-o", out]);
    assert.equal(rb.code, 0, rb.stderr);
    const back = parseReassignment(readFileSync(out, "utf8"));
    const from = new Map((planned.madeFrom ?? []).map((o) => [`${o.topic}-${String(o.partition)}`, o.replicas]));
    for (const e of back.partitions) assert.deepEqual(e.replicas, from.get(`${e.topic}-${String(e.partition)}`));
  });

  it("--json prints one event per line", async () => {
    const r = await run(["execute", plan, "--simulate", "--cluster", cluster, "--throttle", "20MiB/s", "--json", "--state-dir", join(tmp.dir, "s2")]);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    assert.equal(events[0]?.type, "start");
    assert.ok(events.some((e) => e.type === "progress"));
    assert.ok(events.some((e) => e.type === "end"));
    assert.ok(events.some((e) => e.type === "simulation"));
  });

  it("--dry-run prints the batches and an estimate and changes nothing", async () => {
    const r = await run(["execute", plan, "--simulate", "--cluster", cluster, "--throttle", "20MiB/s", "--dry-run", "--max-moves-per-broker", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^batch 1: /m);
    assert.match(r.stdout, /batch\(es\); at 20 MiB\/s at least \d+/);
  });

  it("throttle leaves a request for the execution; unknown state folders are errors", async () => {
    // A completed execution will not run again: a throttle for it would apply to nothing.
    const ended = await run(["throttle", "80MiB/s", "--state-dir", state]);
    assert.equal(ended.code, 8); // a state folder problem (docs/exit-codes.md)
    assert.match(singleErrorLine(ended.stderr) ?? "", /has ended \(completed\); a throttle would apply to nothing/);
    // A stopped one takes it when resumed.
    const stopped = join(tmp.dir, "stopped");
    mkdirSync(stopped);
    const journal = JSON.parse(readFileSync(join(state, "state.json"), "utf8")) as { status: string; tasks: Array<{ state: string }> };
    journal.status = "stopped";
    journal.tasks[0]!.state = "pending";
    writeFileSync(join(stopped, "state.json"), JSON.stringify(journal));
    const r = await run(["throttle", "80MiB/s", "--state-dir", stopped]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Throttle 80 MiB\/s requested; it applies when the execution resumes/);
    const missing = await run(["status", "--state-dir", join(tmp.dir, "nope")]);
    assert.equal(missing.code, EXIT_STATE);
    assert.match(missing.stderr, /^error: .*no execution state/);
  });

  it("status shows a current pause; help gives the timeouts' defaults as durations, as the README does", async () => {
    const summary = { ...executionStatus(new StateStore(state)), running: true, paused: { brokers: [7, 8], since: Date.UTC(2026, 0, 2, 3, 4, 5) } };
    assert.match(renderStatus(summary, new Chalk({ level: 0 })), /^paused: moves involving broker\(s\) 7, 8 wait for them to be registered again \(down since 2026-01-02T03:04:05\.000Z\)$/m);
    assert.equal(executionStatus(new StateStore(state)).paused, null);
    const help = await run(["execute", "--help"]);
    const flat = help.stdout.replace(/\s+/g, " ");
    for (const [flag, value] of [
      ["--partition-timeout", "1h"],
      ["--broker-down-timeout", "10m"],
      ["--poll-interval", "5s"],
    ]) {
      assert.match(flat, new RegExp(`${flag} <duration> .*?\\(default: ${value}\\)`));
    }
  });

  it("refuses a plan that puts two replicas of a partition in one rack where the racks could keep the rule; --force runs it with a warning", async () => {
    const racked = join(tmp.dir, "racked.yaml");
    writeFileSync(
      racked,
      [
        "version: 1",
        "brokers: [{id: 1, rack: a}, {id: 2, rack: b}, {id: 3, rack: a}, {id: 4, rack: b}]",
        "topics:",
        "  - {name: t, partitions: [{partition: 0, replicas: [1, 2], size: 1000}, {partition: 1, replicas: [3, 4], size: 1000}]}",
        "",
      ].join("\n"),
    );
    const edited = join(tmp.dir, "edited.json");
    writeFileSync(edited, JSON.stringify({ version: 1, partitions: [{ topic: "t", partition: 0, replicas: [4, 1] }, { topic: "t", partition: 1, replicas: [3, 1] }] }));
    const sim = ["execute", edited, "--simulate", "--cluster", racked];
    const refusedRun = await run([...sim, "--state-dir", join(tmp.dir, "racks-1")]);
    assert.equal(refusedRun.code, 2, refusedRun.stderr);
    assert.match(
      singleErrorLine(refusedRun.stderr) ?? "",
      /^error: the plan puts more replicas of 1 partition\(s\) in one rack than the rack rule allows, where the racks could keep it: t-1 \[3,1\]: 2 in rack "a" \(at most 1\); fix the plan .*--force/,
    );
    assert.equal(existsSync(join(tmp.dir, "racks-1", "state.json")), false, "nothing journalled");
    const dry = await run([...sim, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^warning: the plan puts more replicas .* t-1 \[3,1\]/m);
    const forced = await run([...sim, "--force", "--state-dir", join(tmp.dir, "racks-2")]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^warning: the plan puts more replicas .* t-1 \[3,1\]/m);
    assert.match(forced.stdout, /Execution completed: 2 done/);
  });

  it("refuses bad combinations with one error line", async () => {
    for (const args of [
      ["execute", plan, "--simulate"],
      ["execute", plan, "--cluster", cluster],
      ["execute", plan, "--simulate", "--cluster", cluster, "--partition-timeout", "soon"],
      ["execute", plan, "--simulate", "--cluster", cluster, "--strategy", "fastest-first"],
      ["execute", "--simulate", "--cluster", cluster],
      ["execute", plan],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^error: [^\n]+\n$/, args.join(" "));
    }
  });
});

describe("ballast execute with topic names that are Object.prototype keys", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("runs a throttled execution of topics constructor, toString, hasOwnProperty and __proto__ to completion", async () => {
    const names = ["constructor", "toString", "hasOwnProperty", "__proto__"];
    const cluster = join(tmp.dir, "c.yaml");
    const topics = names.map((n) => `  - name: ${n}\n    partitions:\n${[0, 1, 2].map((p) => `      - {partition: ${p}, replicas: [1, 2], size: 1MiB}`).join("\n")}`);
    writeFileSync(cluster, `version: 1\nbrokers: [{id: 1}, {id: 2}, {id: 3}, {id: 4}]\ntopics:\n${topics.join("\n")}\n`);
    const plan = join(tmp.dir, "plan.json");
    const p = await run(["plan", "--cluster", cluster, "--output", plan]);
    assert.equal(p.code, 0, p.stderr);
    const state = join(tmp.dir, "state");
    const r = await run(["execute", plan, "--simulate", "--cluster", cluster, "--throttle", "10MiB/s", "--state-dir", state]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Execution completed: \d+ done, 0 failed/);
    const s = await run(["status", "--state-dir", state, "--json"]);
    assert.equal(s.code, 0, s.stderr);
    const summary = JSON.parse(s.stdout) as { throttledTopics: string[]; throttledBrokers: string[]; counts: { submitting: number } };
    assert.deepEqual(summary.throttledTopics, [], "every throttle Ballast set is removed");
    assert.deepEqual(summary.throttledBrokers, []);
    assert.equal(summary.counts.submitting, 0);
  });
});

describe("ballast execute and the journal commands refuse hostile flags and paths", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const cluster = join(tmp.dir, "c.yaml");
  const plan = join(tmp.dir, "plan.json");
  before(async () => {
    assert.equal((await run(["generate", "--brokers", "4", "--new-brokers", "1", "--topics", "2", "--partitions", "3", "-o", cluster])).code, 0);
    assert.equal((await run(["plan", "--cluster", cluster, "--output", plan])).code, 0);
  });

  /** Exit 2, one error line matching `pattern`, and no state folder left behind. */
  async function refused(args: readonly string[], pattern: RegExp, stateDir = join(tmp.dir, "never"), status = 2): Promise<void> {
    const r = await run([...args, "--state-dir", stateDir]);
    assert.equal(r.code, status, `${args.join(" ")}: ${r.stderr}`);
    const line = singleErrorLine(r.stderr);
    assert.ok(line !== undefined, r.stderr);
    assert.match(line, pattern);
    assert.ok(!existsSync(join(stateDir, "state.json")), "no journal written");
  }

  it("bounds every duration and rate, naming the flag", async () => {
    const sim = ["execute", plan, "--simulate", "--cluster", cluster];
    await refused([...sim, "--poll-interval", "0.001ms"], /^error: --poll-interval: must be from 100ms to 10m/);
    await refused([...sim, "--poll-interval", "0"], /^error: --poll-interval: /);
    await refused([...sim, "--partition-timeout", "99999999999999999999h"], /^error: --partition-timeout: /);
    await refused([...sim, "--broker-down-timeout", "99999h"], /^error: --broker-down-timeout: must be from 1s to 7d/);
    for (const rate of ["0", "0B/s", "0.4B/s", "0MiB/s"]) await refused([...sim, "--throttle", rate], /^error: --throttle: must be at least 1 B\/s/);
    await refused([...sim, "--max-bytes-in-flight", "0"], /^error: --max-bytes-in-flight: must be at least 1 byte/);
  });

  it("asks for --force when the plan would take more than 24h at --throttle", async () => {
    const sim = ["execute", plan, "--simulate", "--cluster", cluster];
    // 5 means 5 bytes/s: a typo for 5MiB/s, refused before anything changes.
    await refused([...sim, "--throttle", "5"], /^error: --throttle: at 5 B\/s the plan takes at least \d+h\d\dm \(over 24h\); give a higher rate, or --force to run it anyway$/);
    await refused([...sim, "--throttle", "16KiB/s"], /^error: --throttle: at 16 KiB\/s the plan takes at least 30h37m \(over 24h\)/);
    await refused([...sim, "--throttle", "5", "--force", "--dry-run"], /^error: --force: only goes with a new execution/);
    const forced = await run([...sim, "--throttle", "16KiB/s", "--force", "--poll-interval", "10m", "--partition-timeout", "30d", "--state-dir", join(tmp.dir, "forced")]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Execution completed/);
    // A dry run only reports the estimate.
    const dry = await run([...sim, "--throttle", "5", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
  });

  it("ballast throttle refuses a rate of 0", async () => {
    const r = await run(["throttle", "0B/s", "--state-dir", join(tmp.dir, "nope")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: <rate>: must be at least 1 B\/s/);
  });

  it("refuses flags that would be ignored: --simulate with Kafka flags, --resume with a plan, log dirs it cannot honour", async () => {
    const sim = ["execute", plan, "--simulate", "--cluster", cluster];
    await refused([...sim, "--bootstrap-server", "127.0.0.1:1"], /^error: --bootstrap-server: does not go with --simulate/);
    await refused([...sim, "--command-config", join(tmp.dir, "missing.properties")], /^error: --command-config: does not go with --simulate/);
    await refused(["execute", plan, "--resume", "--simulate", "--cluster", cluster], /^error: --resume: takes no plan/);
    const pinned = join(tmp.dir, "pinned.json");
    writeFileSync(pinned, '{"version":1,"partitions":[{"topic":"topic-000","partition":0,"replicas":[1,2,3],"log_dirs":["/d1","any","any"]}]}');
    await refused(["execute", pinned, "--simulate", "--cluster", cluster], /pinned\.json \(partitions\[0\]\.log_dirs\): the plan names log dirs/);
  });

  it("a --command-config naming a missing PEM file is an error naming the flag, not a stack", async () => {
    const config = join(tmp.dir, "client.properties");
    writeFileSync(config, `security.protocol=SSL\nssl.ca.location=${join(tmp.dir, "no-ca.pem")}\n`);
    await refused(["execute", plan, "--bootstrap-server", "127.0.0.1:1", "--command-config", config], /^error: --command-config: cannot read ".*no-ca\.pem", named in .*: no such file or directory$/);
  });

  it("a --state-dir that is a file, under a file, or under /proc is an error naming it", async () => {
    const file = join(tmp.dir, "a-file");
    writeFileSync(file, "x");
    const sim = ["execute", plan, "--simulate", "--cluster", cluster];
    await refused(sim, /^error: cannot use the state folder ".*a-file" \(--state-dir\): it exists and is not a folder$/, file, EXIT_STATE);
    await refused(sim, /^error: cannot use the state folder .* \(--state-dir\): a parent is not a directory$/, join(file, "sub"), EXIT_STATE);
    if (existsSync("/proc/self")) await refused(sim, /^error: cannot use the state folder "\/proc\/ballast-test\/x" \(--state-dir\): /, "/proc/ballast-test/x", EXIT_STATE);
    for (const command of [["status"], ["rollback", "-o", join(tmp.dir, "rb.json")], ["throttle", "1MiB/s"]]) {
      const r = await run([...command, "--state-dir", file]);
      assert.equal(r.code, EXIT_STATE, r.stderr);
      assert.ok(singleErrorLine(r.stderr), r.stderr);
    }
  });

  it("--output under a path component that is a file is an error, not a stack", async () => {
    const file = join(tmp.dir, "blocker");
    writeFileSync(file, "x");
    const r = await run(["plan", "--cluster", cluster, "--output", join(file, "plan.json")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(singleErrorLine(r.stderr) ?? "", /^error: cannot write plan ".*blocker\/plan\.json": a parent is not a directory$/);
  });
});
