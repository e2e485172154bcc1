import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parseCluster } from "../../src/model/parse.js";
import { applyReassignment, parseReassignment } from "../../src/model/reassignment.js";
import { type Cluster, type Reassignment, allPartitions } from "../../src/model/types.js";
import { ANSI, DEMO, REPO_ROOT, filesIn, run, singleErrorLine, suiteDir, tempDir } from "./helpers.js";
import { EXIT_INFEASIBLE, EXIT_USAGE } from "../../src/cli/exit-codes.js";

const demo = (): Cluster => parseCluster(readFileSync(DEMO, "utf8"), { format: "yaml", source: DEMO });

function readPlan(path: string): Reassignment {
  return parseReassignment(readFileSync(path, "utf8"), path);
}

/** Moves, bytes and leader changes recomputed from the plan file against the snapshot. */
function planTotals(cluster: Cluster, plan: Reassignment): { moves: number; bytesMoved: number; leaderChanges: number } {
  const byKey = new Map([...allPartitions(cluster)].map((p) => [`${p.topic}/${p.partition}`, p]));
  let moves = 0;
  let bytesMoved = 0;
  let leaderChanges = 0;
  for (const entry of plan.partitions) {
    const p = byKey.get(`${entry.topic}/${entry.partition}`);
    assert.ok(p, `plan names an unknown partition ${entry.topic}/${entry.partition}`);
    const added = entry.replicas.filter((id) => !p.replicas.includes(id)).length;
    moves += added;
    bytesMoved += added * p.size;
    if (entry.replicas[0] !== p.replicas[0]) leaderChanges++;
  }
  return { moves, bytesMoved, leaderChanges };
}

describe("ballast plan", () => {
  const dir = suiteDir();

  it("notes an excluded-topic pattern that matches no topic, and suggests a dry run of the plan, quoted for the shell", async () => {
    const own = tempDir();
    try {
      const output = join(own.dir, "it's plan.json");
      const result = await run(["plan", "--cluster", DEMO, "--output", output, "--exclude-topics", "no-such-topic"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^note: excluded-topic pattern "no-such-topic" matches no topic of the cluster, so it excludes nothing$/m);
      const quoted = `'${output.replace(/'/g, "'\\''")}'`;
      assert.ok(result.stdout.includes(`\n  ballast execute --dry-run ${quoted} --bootstrap-server <broker:9092> --throttle 50MiB/s\n`), result.stdout);
      const json = await run(["plan", "--cluster", DEMO, "--output", output, "--exclude-topics", "no-such-topic", "--json"]);
      assert.ok((JSON.parse(json.stdout) as { notes: string[] }).notes.some((n) => n.includes("no-such-topic")));
    } finally {
      own.cleanup();
    }
  });

  it("writes a reassignment that applies to the snapshot and lists only changed partitions", async () => {
    const output = join(dir(), "plan.json");
    const result = await run(["plan", "--cluster", DEMO, "--output", output]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const cluster = demo();
    const plan = readPlan(output);
    applyReassignment(cluster, plan);
    const byKey = new Map([...allPartitions(cluster)].map((p) => [`${p.topic}/${p.partition}`, p.replicas]));
    for (const entry of plan.partitions) {
      assert.notDeepEqual(entry.replicas, byKey.get(`${entry.topic}/${entry.partition}`));
    }
    assert.match(result.stdout, /Brokers \(before → after\)/);
    assert.match(result.stdout, /Racks \(before → after\)/);
    assert.match(result.stdout, /replica moves/);
    assert.match(result.stdout, /Goals after the plan/);
    assert.ok(result.stdout.includes(output), "the summary says where the plan is");
    assert.deepEqual(filesIn(dir()), ["plan.json"], "no temporary file is left behind");
  });

  it("--json prints one object whose numbers match the written plan", async () => {
    const output = join(dir(), "plan-json.json");
    const result = await run(["plan", "--cluster", DEMO, "--output", output, "--json"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim().split("\n").length, 1, "exactly one line of JSON");
    const json = JSON.parse(result.stdout) as Record<string, unknown> & {
      moves: number;
      bytesMoved: number;
      leaderChanges: number;
      lowerBound: { moves: number; bytesMoved: number };
      budgetLimited: boolean;
      before: { summary: object; goals: unknown[] };
      after: { summary: object; goals: unknown[] };
      brokers: { id: number; rack: string; before: { replicas: number; leaders: number; disk: number }; after: { replicas: number; leaders: number; disk: number } }[];
      output: string;
      elapsedMs: number;
    };
    const cluster = demo();
    const plan = readPlan(output);
    assert.deepEqual({ moves: json.moves, bytesMoved: json.bytesMoved, leaderChanges: json.leaderChanges }, planTotals(cluster, plan));
    assert.ok(json.moves >= json.lowerBound.moves, "moves never beat the lower bound");
    assert.ok(json.bytesMoved >= json.lowerBound.bytesMoved);
    assert.equal(typeof json.budgetLimited, "boolean");
    assert.ok(json.before.goals.length > 0 && json.after.goals.length > 0);
    assert.equal(json.output, output);
    assert.ok(Number.isFinite(json.elapsedMs) && json.elapsedMs >= 0);

    const applied = applyReassignment(cluster, plan);
    const counts = new Map<number, number>();
    for (const p of allPartitions(applied)) for (const id of p.replicas) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.equal(json.brokers.length, cluster.brokers.length);
    for (const b of json.brokers) assert.equal(b.after.replicas, counts.get(b.id) ?? 0, `broker ${b.id}`);
  });

  it("is deterministic: two runs write byte-identical plans", async () => {
    const first = join(dir(), "first.json");
    const second = join(dir(), "second.json");
    assert.equal((await run(["plan", "--cluster", DEMO, "--output", first])).code, 0);
    assert.equal((await run(["plan", "--cluster", DEMO, "--output", second])).code, 0);
    assert.equal(readFileSync(first, "utf8"), readFileSync(second, "utf8"));
  });

  it("--exclude-brokers drains those brokers", async () => {
    const cluster = demo();
    const drained = cluster.brokers.filter((b) => b.status === "alive").slice(0, 2).map((b) => b.id);
    const output = join(dir(), "drain.json");
    const result = await run(["plan", "--cluster", DEMO, "--output", output, "--exclude-brokers", drained.join(",")]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const applied = applyReassignment(cluster, readPlan(output));
    for (const p of allPartitions(applied)) {
      for (const id of drained) assert.ok(!p.replicas.includes(id), `${p.topic}/${p.partition} still on broker ${id}`);
    }
  });

  it("moves an excluded topic's replicas off a dead broker, and only those (integer search on)", async () => {
    const fixture = join(REPO_ROOT, "fixtures", "dead-broker.yaml");
    const cluster = parseCluster(readFileSync(fixture, "utf8"), { format: "yaml", source: fixture });
    const dead = new Set(cluster.brokers.filter((b) => b.status === "dead").map((b) => b.id));
    const output = join(dir(), "dead-excluded.json");
    const result = await run(["plan", "--cluster", fixture, "--output", output, "--exclude-topics", "^logs$", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.notEqual(JSON.parse(result.stdout).integerSearch.status, "too-large");
    const before = new Map([...allPartitions(cluster)].map((p) => [`${p.topic}/${p.partition}`, p.replicas]));
    for (const p of allPartitions(applyReassignment(cluster, readPlan(output)))) {
      assert.ok(!p.replicas.some((id) => dead.has(id)), `${p.topic}/${p.partition} still on a dead broker`);
      if (p.topic !== "logs") continue;
      const was = before.get(`${p.topic}/${p.partition}`)!;
      for (const id of was) if (!dead.has(id)) assert.ok(p.replicas.includes(id), `${p.topic}/${p.partition}: replica on ${String(id)} moved`);
    }
  });

  it("takes excluded brokers from the config and the flag together", async () => {
    const cluster = demo();
    const [a, b] = cluster.brokers.filter((x) => x.status === "alive").map((x) => x.id);
    assert.ok(a !== undefined && b !== undefined);
    const config = join(dir(), "balance.yaml");
    writeFileSync(config, `excludeBrokers: [${a}]\n`);
    const output = join(dir(), "united.json");
    const result = await run(["plan", "--cluster", DEMO, "--output", output, "--config", config, "--exclude-brokers", String(b), "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const applied = applyReassignment(cluster, readPlan(output));
    for (const p of allPartitions(applied)) assert.ok(!p.replicas.includes(a) && !p.replicas.includes(b));
  });

  it("colours the summary only on a terminal without NO_COLOR", async () => {
    const args = ["plan", "--cluster", DEMO, "--output", join(dir(), "colour.json")];
    assert.match((await run(args, { tty: true })).stdout, ANSI);
    assert.doesNotMatch((await run(args, { tty: true, env: { NO_COLOR: "1" } })).stdout, ANSI);
    assert.doesNotMatch((await run(args, { tty: false })).stdout, ANSI);
  });

  it("shows only the most changed brokers of a big cluster", async () => {
    const snapshot = join(dir(), "big.yaml");
    const gen = await run(["generate", "--brokers", "56", "--racks", "3", "--topics", "20", "--new-brokers", "4", "--seed", "7", "-o", snapshot]);
    assert.equal(gen.code, 0, gen.stderr);
    const result = await run(["plan", "--cluster", snapshot, "--output", join(dir(), "big.json")]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /showing the 10 brokers most changed; 50 more omitted/);
  });
});

describe("ballast plan with bad input", () => {
  const dir = suiteDir();

  /** Runs `plan` with extra arguments, expecting exit 2, one error line and no file in `dir()`. */
  async function rejects(args: readonly string[], pattern: RegExp, cluster = DEMO, status = EXIT_USAGE): Promise<void> {
    const output = join(dir(), "plan.json");
    const result = await run(["plan", "--cluster", cluster, "--output", output, ...args]);
    assert.equal(result.code, status, result.stderr);
    const line = singleErrorLine(result.stderr);
    assert.ok(line !== undefined, `expected one error line, got ${JSON.stringify(result.stderr)}`);
    assert.match(line, pattern);
    assert.equal(result.stdout, "");
    assert.deepEqual(filesIn(dir()).filter((f) => !f.endsWith(".yaml")), [], "no plan or temporary file written");
  }

  it("a missing snapshot", async () => {
    await rejects([], /^error: cannot read cluster snapshot ".*nope\.yaml": no such file or directory$/, join(dir(), "nope.yaml"));
  });

  it("invalid YAML", async () => {
    const bad = join(dir(), "bad.yaml");
    writeFileSync(bad, "brokers: [\n  - id: 1\n");
    await rejects([], /^error: .*bad\.yaml.*invalid YAML/, bad);
  });

  it("both --cluster and --bootstrap-server, or --command-config with a snapshot file", async () => {
    await rejects(["--bootstrap-server", "127.0.0.1:1"], /^error: --cluster: give --cluster <snapshot> or --bootstrap-server <brokers>, not both$/);
    await rejects(["--command-config", "missing.properties"], /^error: --command-config: only goes with --bootstrap-server/);
  });

  it("an unknown flag", async () => {
    await rejects(["--bogus"], /^error: unknown option '--bogus'/);
  });

  it("a bad --exclude-brokers value", async () => {
    await rejects(["--exclude-brokers", "5,x"], /^error: --exclude-brokers: expected a whole number, got 'x'$/);
  });

  it("a bad --max-bytes value", async () => {
    await rejects(["--max-bytes", "50 parsecs"], /^error: --max-bytes: /);
  });

  it("a bad --exclude-topics pattern", async () => {
    await rejects(["--exclude-topics", "orders("], /^error: --exclude-topics: "orders\(": not a valid regular expression/);
  });

  it("a request the replication factor cannot meet (exit 6)", async () => {
    const alive = demo().brokers.filter((b) => b.status === "alive").map((b) => b.id);
    await rejects(["--exclude-brokers", alive.slice(1).join(",")], /^error: /, DEMO, EXIT_INFEASIBLE);
  });

  it("a bad --capacity-threshold value", async () => {
    await rejects(["--capacity-threshold", "disk=1.5"], /^error: --capacity-threshold: disk must be a fraction of capacity in \(0, 1\], e\.g\. 0\.8; got '1\.5'$/);
    await rejects(["--capacity-threshold", "cpu=0.5"], /^error: --capacity-threshold: expected resource=fraction with resource one of disk, network-in, network-out; got 'cpu=0\.5'$/);
    await rejects(["--capacity-threshold", "disk=0.5,disk=0.6"], /^error: --capacity-threshold: disk is given twice$/);
  });

  it("load that cannot fit under the capacity threshold, with --strict-capacity (exit 6)", async () => {
    await rejects(
      ["--capacity-threshold", "disk=0.01", "--strict-capacity"],
      /^error: disk: the cluster needs .* short by .*; add \d+ broker\(s\) with .* of disk capacity, raise the disk capacity threshold to 0\.\d\d, or reduce the load/,
      DEMO,
      EXIT_INFEASIBLE,
    );
  });

  it("a missing required option", async () => {
    const result = await run(["plan", "--cluster", DEMO]);
    assert.equal(result.code, 2);
    assert.match(singleErrorLine(result.stderr) ?? "", /^error: required option '--output <plan\.json>' not specified$/);
  });
});

describe("ballast plan --explain and --exact", () => {
  const dir = suiteDir();

  it("--explain prints a line per changed partition naming a goal, and --json carries the explanations", async () => {
    const out = join(dir(), "explained.json");
    const text = await run(["plan", "--cluster", DEMO, "--output", out, "--explain"]);
    assert.equal(text.code, 0, text.stderr);
    const plan = readPlan(out);
    const section = text.stdout.split("Why each partition changes")[1] ?? "";
    for (const e of plan.partitions) {
      assert.match(section, new RegExp(`${e.topic}-${String(e.partition)} \\[[0-9,]+\\] → \\[${e.replicas.join(",")}\\]  \\S`));
    }
    const json = await run(["plan", "--cluster", DEMO, "--output", out, "--explain", "--json"]);
    const summary = JSON.parse(json.stdout) as { explanations: { topic: string; actions: { goal: string }[] }[] };
    assert.equal(summary.explanations.length, plan.partitions.length);
    assert.ok(summary.explanations.every((e) => e.actions.length > 0));
  });

  it("--exact reports the proven fewest moves, between the bound and the heuristic", async () => {
    const out = join(dir(), "exact.json");
    const json = await run(["plan", "--cluster", DEMO, "--output", out, "--exact", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as { moves: number; exact: { heuristicMoves: number; optimalMoves: number }; lowerBound: { moves: number } };
    assert.equal(s.exact.optimalMoves, s.moves);
    assert.ok(s.lowerBound.moves <= s.moves && s.moves <= s.exact.heuristicMoves);
    assert.equal(planTotals(demo(), readPlan(out)).moves, s.moves);
  });
});

describe("ballast plan's integer search on small clusters", () => {
  const dir = suiteDir();
  const DEAD = join(REPO_ROOT, "fixtures", "dead-broker.yaml");
  interface SearchJson {
    moves: number;
    lowerBound: { moves: number; combinatorial: { moves: number }; integer?: { moves: number; proven: boolean } };
    integerSearch?: { solver: string; status: string; heuristicMoves: number; adopted: boolean };
  }

  it("raises the lower bound to the program's optimum, and --heuristic-only leaves it out", async () => {
    // Six brokers in three racks, one dead: the counting bounds say 20 moves, the program proves 22.
    const cluster = join(dir(), "dead.yaml");
    const gen = await run(["generate", "--brokers", "6", "--racks", "3", "--topics", "4", "--partitions", "4-10", "--dead-brokers", "1", "--seed", "28", "-o", cluster]);
    assert.equal(gen.code, 0, gen.stderr);
    const out = join(dir(), "dead.json");
    const searched = await run(["plan", "--cluster", cluster, "--output", out, "--json"]);
    assert.equal(searched.code, 0, searched.stderr);
    const s = JSON.parse(searched.stdout) as SearchJson;
    assert.deepEqual(s.integerSearch, { solver: "HiGHS", columns: 170, heuristicMoves: 22, adopted: false, status: "optimal", foundMoves: 22 });
    assert.deepEqual(s.lowerBound.integer, { moves: 22, proven: true });
    assert.equal(s.lowerBound.moves, 22);
    assert.ok(s.lowerBound.combinatorial.moves < 22, "the counting bound alone is lower");
    const plain = await run(["plan", "--cluster", cluster, "--output", out, "--json", "--heuristic-only"]);
    const h = JSON.parse(plain.stdout) as SearchJson;
    assert.equal(h.integerSearch, undefined);
    assert.equal(h.lowerBound.integer, undefined);
    assert.ok(h.lowerBound.moves < 22);
    assert.equal(h.moves, s.moves);
    const text = await run(["plan", "--cluster", cluster, "--output", out]);
    assert.match(text.stdout, /lower bound 22, ratio 1\.00 \(counting \d+, relaxation \d+ by [^,]+, integer program 22, optimal\)/);
  });

  it("skips the program when the counting bounds already prove the plan's moves the fewest", async () => {
    // dead-broker.yaml: the 12 replicas on the dead broker must move, and the plan moves nothing else.
    const out = join(dir(), "dead-fixture.json");
    const searched = await run(["plan", "--cluster", DEAD, "--output", out, "--json"]);
    assert.equal(searched.code, 0, searched.stderr);
    const s = JSON.parse(searched.stdout) as SearchJson;
    assert.deepEqual(s.integerSearch, { solver: "HiGHS", columns: 300, heuristicMoves: 12, adopted: false, status: "not-needed" });
    assert.equal(s.moves, 12);
    assert.equal(s.lowerBound.combinatorial.moves, 12);
  });

  it("plans with the program's placement when it has fewer moves and no goal worse, and says so", async () => {
    const cluster = join(dir(), "skewed.yaml");
    const gen = await run(["generate", "--brokers", "4", "--racks", "0", "--topics", "3", "--partitions", "2-6", "--rf", "2", "--placement", "skewed", "--new-brokers", "1", "--seed", "6", "-o", cluster]);
    assert.equal(gen.code, 0, gen.stderr);
    const out = join(dir(), "adopted.json");
    const json = await run(["plan", "--cluster", cluster, "--output", out, "--json"]);
    const s = JSON.parse(json.stdout) as SearchJson;
    assert.equal(s.integerSearch?.adopted, true);
    assert.ok(s.moves < s.integerSearch.heuristicMoves);
    assert.equal(s.moves, s.lowerBound.moves);
    const snapshot = parseCluster(readFileSync(cluster, "utf8"), { format: "yaml", source: cluster });
    assert.equal(planTotals(snapshot, readPlan(out)).moves, s.moves);
    const text = await run(["plan", "--cluster", cluster, "--output", out]);
    assert.match(text.stdout, new RegExp(`Integer search \\(HiGHS\\): a placement with ${String(s.moves)} moves, no goal worse, where the heuristic made ${String(s.integerSearch.heuristicMoves)}; the plan uses it\\.`));
    const heuristic = await run(["plan", "--cluster", cluster, "--output", out, "--json", "--heuristic-only"]);
    assert.equal((JSON.parse(heuristic.stdout) as SearchJson).moves, s.integerSearch.heuristicMoves);
  });

  it("refuses --heuristic-only with --exact", async () => {
    const result = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "x.json"), "--exact", "--heuristic-only"]);
    assert.equal(result.code, 2);
    assert.match(singleErrorLine(result.stderr) ?? "", /^error: option '--heuristic-only' cannot be used with option '--exact'$/);
    assert.deepEqual(filesIn(dir()).filter((f) => f === "x.json"), []);
  });
});

describe("ballast plan on a cluster over its capacity limits", () => {
  const dir = suiteDir();
  interface CapacityJson {
    feasible: boolean;
    problems: { rule: string; message: string }[];
    resources: {
      resource: string;
      threshold: number;
      floor: number;
      floorCause: string;
      floorDetail: string;
      before: { maxUtilization: number; brokersOver: number } | null;
      after: { maxUtilization: number; brokersOver: number };
    }[];
  }

  it("writes the plan, exits 0, and says what cannot be met in the summary, --json and describe", async () => {
    // The README's example: 9 loaded brokers and 3 new ones, network in at 87% of capacity over all 12.
    const cluster = join(dir(), "overloaded.yaml");
    const gen = await run(["generate", "--brokers", "9", "--new-brokers", "3", "--topics", "40", "--load", "realistic", "--utilisation", "network-in=0.87", "--seed", "8", "-o", cluster]);
    assert.equal(gen.code, 0, gen.stderr);
    const out = join(dir(), "plan.json");
    const json = await run(["plan", "--cluster", cluster, "--output", out, "--heuristic-only", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stderr, "");
    const capacity = (JSON.parse(json.stdout) as { capacity: CapacityJson }).capacity;
    assert.equal(capacity.feasible, false);
    assert.equal(capacity.problems.length, 1);
    assert.match(capacity.problems[0]!.message, /^network in: the cluster needs .* but its 12 broker\(s\) .* short by .*; add 2 broker\(s\) with .* raise the network-in capacity threshold to 0\.87/);
    assert.deepEqual(capacity.resources.map((r) => [r.resource, r.threshold, r.floorCause]), [["networkIn", 0.8, "cluster"]]);
    const netIn = capacity.resources[0]!;
    assert.ok(Math.abs(netIn.floor - 0.87) < 0.005, String(netIn.floor));
    assert.ok(netIn.before !== null && netIn.before.maxUtilization > 2, JSON.stringify(netIn.before));
    assert.ok(netIn.after.maxUtilization >= netIn.floor && netIn.after.maxUtilization <= netIn.floor * 1.1 + 1e-9, JSON.stringify(netIn.after));
    assert.ok(readPlan(out).partitions.length > 0);

    const text = await run(["plan", "--cluster", cluster, "--output", out, "--heuristic-only"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Capacity \(before → after\)\nresource +limit +floor \(lowest maximum any placement reaches\) +maximum +brokers over\nnetwork in +80\.0% +87\.0% \(the eligible brokers' mean utilisation\) +\d+\.\d% → \d+\.\d% +\d+ → \d+\n/);
    assert.match(text.stdout, /warning: the capacity limits cannot be met; the plan brings every broker as far under them as the cluster allows \(--strict-capacity refuses instead\):\n {2}network in: the cluster needs/);

    const strict = await run(["plan", "--cluster", cluster, "--output", join(dir(), "strict.json"), "--heuristic-only", "--strict-capacity"]);
    assert.equal(strict.code, EXIT_INFEASIBLE);
    assert.match(singleErrorLine(strict.stderr) ?? "", /^error: network in: the cluster needs .* short by/);

    const described = await run(["describe", "--cluster", cluster, "--json"]);
    assert.equal(described.code, 0, described.stderr);
    const report = JSON.parse(described.stdout) as { capacity: { feasible: boolean; resources: { resource: string; floor: number; maxUtilization: number }[] } };
    assert.equal(report.capacity.feasible, false);
    assert.deepEqual(report.capacity.resources.map((r) => r.resource), ["networkIn"]);
    assert.ok(report.capacity.resources[0]!.maxUtilization > 2);
    const describedText = await run(["describe", "--cluster", cluster]);
    assert.match(describedText.stdout, /\nCapacity\n.*\nnetwork in +80\.0% +87\.0% .*\nwarning: the capacity limits cannot be met; a plan brings every broker as far under them/);
  });

  it("takes strictCapacity from the config", async () => {
    const cluster = join(dir(), "overloaded.yaml");
    await run(["generate", "--brokers", "9", "--new-brokers", "3", "--topics", "40", "--load", "realistic", "--utilisation", "network-in=0.87", "--seed", "8", "-o", cluster]);
    const config = join(dir(), "strict.yaml");
    writeFileSync(config, "strictCapacity: true\n");
    const refused = await run(["plan", "--cluster", cluster, "--config", config, "--output", join(dir(), "never.json"), "--heuristic-only"]);
    assert.equal(refused.code, EXIT_INFEASIBLE);
    assert.match(singleErrorLine(refused.stderr) ?? "", /^error: network in: the cluster needs/);
    writeFileSync(config, "strictCapacity: yes please\n");
    const bad = await run(["plan", "--cluster", cluster, "--config", config, "--output", join(dir(), "never.json"), "--heuristic-only"]);
    assert.equal(bad.code, 2);
    assert.match(singleErrorLine(bad.stderr) ?? "", /strictCapacity must be true or false/);
  });
});

describe("topic patterns", () => {
  const dir = suiteDir();
  const cluster = (): string => join(dir(), "skewed.yaml");
  before(async () => {
    const gen = await run(["generate", "--brokers", "6", "--topics", "4", "--partitions", "6", "--placement", "skewed", "--seed", "3", "-o", cluster()]);
    assert.equal(gen.code, 0, gen.stderr);
  });

  async function movedTopics(...args: string[]): Promise<{ topics: Set<string>; stderr: string }> {
    const output = join(dir(), "p.json");
    const r = await run(["plan", "--cluster", cluster(), "--output", output, "--heuristic-only", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return { topics: new Set(readPlan(output).partitions.map((e) => e.topic)), stderr: r.stderr };
  }

  it("a comma inside {} does not split a pattern; repeating the flag gives several; the comma form still works, with a warning", async () => {
    const all = await movedTopics();
    assert.ok(all.topics.has("topic-000") && all.topics.has("topic-001"), "the plan moves both topics when nothing is excluded");
    const braces = await movedTopics("--exclude-topics", "^topic-00{1,1}0$");
    assert.ok(!braces.topics.has("topic-000"));
    assert.equal(braces.stderr, "");
    const repeated = await movedTopics("--exclude-topics", "^topic-000$", "--exclude-topics", "^topic-001$");
    assert.ok(!repeated.topics.has("topic-000") && !repeated.topics.has("topic-001"));
    assert.equal(repeated.stderr, "");
    const comma = await movedTopics("--exclude-topics", "^topic-000$,^topic-00[1,2]$");
    assert.ok(!comma.topics.has("topic-000") && !comma.topics.has("topic-001") && !comma.topics.has("topic-002"));
    assert.match(comma.stderr, /^warning: --exclude-topics: "\^topic-000\$,\^topic-00\[1,2\]\$" was split at its commas/);
  });

  it("runs a pattern that backtracks catastrophically in JavaScript, (a+)+$, over the longest topic names", async () => {
    const file = join(dir(), "long-names.yaml");
    const names = ["a".repeat(29), `${"a".repeat(248)}-`, "a".repeat(249)];
    writeFileSync(
      file,
      `version: 1\nbrokers: [{id: 1}, {id: 2}, {id: 3}]\ntopics:\n${names.map((n) => `  - {name: ${n}, partitions: [{partition: 0, replicas: [1, 2]}, {partition: 1, replicas: [1, 2]}, {partition: 2, replicas: [1, 2]}]}`).join("\n")}\n`,
    );
    const output = join(dir(), "long.json");
    const r = await run(["plan", "--cluster", file, "--output", output, "--exclude-topics", "(a+)+$", "--replication-factor", "(a|a)+-=1"]);
    assert.equal(r.code, 0, r.stderr);
    const moved = new Set(readPlan(output).partitions.map((e) => e.topic));
    assert.ok(!moved.has(names[0]!) && !moved.has(names[2]!), "the all-a topics are excluded");
  });

  it("refuses back-references and lookarounds with a reason, naming the flag", async () => {
    for (const [args, pattern] of [
      [["--exclude-topics", "(a)\\1"], /^error: --exclude-topics: "\(a\)\\1": back-references/],
      [["--replication-factor", "(?!x).*=2"], /^error: --replication-factor: "\(\?!x\)\.\*": lookahead and lookbehind/],
    ] as const) {
      const r = await run(["plan", "--cluster", cluster(), "--output", join(dir(), "never.json"), ...args]);
      assert.equal(r.code, 2);
      assert.match(singleErrorLine(r.stderr) ?? "", pattern);
    }
  });
});

describe("planner errors name the flag, or the config file and line, the user typed", () => {
  const dir = suiteDir();

  it("flags", async () => {
    for (const [args, pattern] of [
      [["--replace", "1=1"], /^error: --replace: broker 1 cannot replace itself$/],
      [["--replication-factor", "nomatch=2"], /^error: --replication-factor: topic pattern 'nomatch' matches no topic/],
      [["--exclude-brokers", "99"], /^error: --exclude-brokers: broker 99 is not in the cluster$/],
      [["--to-brokers", "99"], /^error: --to-brokers: broker 99 is not in the cluster$/],
    ] as const) {
      const r = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "never.json"), ...args]);
      assert.equal(r.code, 2);
      assert.match(singleErrorLine(r.stderr) ?? "", pattern);
    }
  });

  it("config keys, with the file and line", async () => {
    const config = join(dir(), "balance.yaml");
    for (const [text, pattern] of [
      ["goals: [rack-spread]\nreplicationFactor:\n  orders: 9\n", /^error: .*balance\.yaml:3:3 \(replicationFactor\.orders\): replication factor 9 for 'orders' needs 9/],
      ["excludeBrokers: [1, 77]\n", /^error: .*balance\.yaml:1:21 \(excludeBrokers\[1\]\): broker 77 is not in the cluster$/],
    ] as const) {
      writeFileSync(config, text);
      const r = await run(["describe", "--cluster", DEMO, "--config", config]);
      const p = await run(["plan", "--cluster", DEMO, "--config", config, "--output", join(dir(), "never.json")]);
      assert.equal(p.code, 2);
      assert.match(singleErrorLine(p.stderr) ?? "", pattern);
      if (r.code === 2) assert.match(singleErrorLine(r.stderr) ?? "", /balance\.yaml:\d+:\d+ /);
    }
  });

  it("assign names --topic, --exclude-brokers, --replication-factor or the topics file line", async () => {
    const file = join(dir(), "topics.yaml");
    writeFileSync(file, "topics:\n  - {name: fresh, partitions: 3, replicationFactor: 3}\n  - {name: orders, partitions: 3, replicationFactor: 3}\n");
    for (const [args, pattern] of [
      [["--topic", "orders:3:3"], /^error: --topic: topic 'orders' already exists/],
      [["--topic", "new:3:2", "--exclude-brokers", "77"], /^error: --exclude-brokers: broker 77 is not in the cluster$/],
      [["--topic", "new:3:3", "--replication-factor", "20"], /^error: --replication-factor: replication factor 20 of 'new' needs 20 eligible brokers/],
      [["--topics", file], /^error: .*topics\.yaml:3:5 \(topics\[1\]\): topic 'orders' already exists/],
    ] as const) {
      const r = await run(["assign", "--cluster", DEMO, ...args]);
      assert.equal(r.code, 2);
      assert.match(singleErrorLine(r.stderr) ?? "", pattern);
    }
  });
});

describe("plan says where the snapshot's traffic came from", () => {
  const dir = suiteDir();

  it("in the summary and in --json", async () => {
    const demo = readFileSync(DEMO, "utf8");
    const snapshot = join(dir(), "sampled.yaml");
    writeFileSync(snapshot, demo.replace(/^version: \d+\n/m, "version: 2\ntraffic: {method: sampled, windowSeconds: 60}\n"));
    const text = await run(["plan", "--cluster", snapshot, "--output", join(dir(), "p.json")]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Traffic: sampled over 1m from log growth and consumer groups' offsets$/m);
    const json = await run(["plan", "--cluster", snapshot, "--output", join(dir(), "p.json"), "--json"]);
    assert.deepEqual((JSON.parse(json.stdout) as { traffic?: unknown }).traffic, { method: "sampled", windowSeconds: 60 });
  });
});

describe("ballast plan --exclude-topics written for the earlier rule", () => {
  const dir = suiteDir();

  it("warns about a pattern that matches only part of a name, and plans as before", async () => {
    const old = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "old.json"), "--heuristic-only", "--exclude-topics", "pay"]);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stderr, /^warning: excluded topic pattern "pay" matches only part of "payments"; topic patterns now match the whole name, and this one is applied anywhere in the name for now: write "\.\*pay\.\*" to keep excluding them, or "\^pay\$" for whole names only\n$/);
    const now = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "now.json"), "--heuristic-only", "--exclude-topics", ".*pay.*"]);
    assert.equal(now.code, 0, now.stderr);
    assert.equal(now.stderr, "");
    assert.equal(readFileSync(join(dir(), "old.json"), "utf8"), readFileSync(join(dir(), "now.json"), "utf8"));
  });
});
