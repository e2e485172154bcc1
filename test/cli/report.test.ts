/**
 * `ballast report` and `--report` on plan and describe, without a browser: the embedded data equals
 * what `describe --json` and `plan --json` print, names are never markup, and bad input fails with a
 * usage error. The page itself is tested in a browser (test/browser/report.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatCluster } from "../../src/model/format.js";
import { parseCluster } from "../../src/model/parse.js";
import { applyReassignment, parseReassignment } from "../../src/model/reassignment.js";
import { reportData } from "../../src/cli/report/data.js";
import { escapeHtml, scriptJson } from "../../src/cli/report/html.js";
import { DEMO, LIVE, embeddedData, run, singleErrorLine, suiteDir } from "./helpers.js";

/** A plan --json object without its timing (which differs from run to run). */
function untimed(json: Record<string, unknown>): Record<string, unknown> {
  const { elapsedMs: _, ...rest } = json;
  return rest;
}

describe("ballast report", () => {
  const dir = suiteDir();

  it("embeds describe --json for a snapshot and writes one file with nothing to fetch", async () => {
    const out = join(dir(), "demo.html");
    const result = await run(["report", "--cluster", DEMO, "-o", out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Report written to .*demo\.html \(\d+(\.\d+)? KiB\)\.\n$/);
    const html = readFileSync(out, "utf8");
    const described = await run(["describe", "--cluster", DEMO, "--json"]);
    assert.deepEqual(embeddedData(html).describe, JSON.parse(described.stdout));
    assert.equal(embeddedData(html).plan, null);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i, "no external script, style or image");
  });

  it("describe --report writes the same report beside the usual output", async () => {
    const viaReport = join(dir(), "a.html");
    const viaDescribe = join(dir(), "b.html");
    await run(["report", "--cluster", LIVE, "-o", viaReport]);
    const result = await run(["describe", "--cluster", LIVE, "--json", "--report", viaDescribe]);
    assert.equal(result.code, 0, result.stderr);
    JSON.parse(result.stdout);
    assert.match(result.stderr, /^Report written to /, "with --json the note goes to stderr");
    assert.deepEqual(embeddedData(readFileSync(viaDescribe, "utf8")), embeddedData(readFileSync(viaReport, "utf8")));
  });

  it("plan --report carries the plan --json figures and the goal behind each move", async () => {
    const out = join(dir(), "plan.html");
    const planFile = join(dir(), "plan.json");
    const result = await run(["plan", "--cluster", DEMO, "--output", planFile, "--json", "--report", out]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(json["explanations"], undefined, "--report alone does not add explanations to --json");
    const plan = embeddedData(readFileSync(out, "utf8")).plan!;
    assert.equal(plan["origin"], "planned");
    assert.deepEqual(untimed(plan["summary"] as Record<string, unknown>), untimed(json));
    const moves = plan["moves"] as { topic: string; partition: number; to: number[]; goals: string[] }[];
    const written = JSON.parse(readFileSync(planFile, "utf8")) as { partitions: { topic: string; partition: number; replicas: number[] }[] };
    assert.deepEqual(
      moves.map((m) => [m.topic, m.partition, m.to]),
      written.partitions.map((p) => [p.topic, p.partition, p.replicas]),
    );
    const explained = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "p2.json"), "--json", "--explain"]);
    const why = (JSON.parse(explained.stdout) as { explanations: { topic: string; partition: number; actions: { goal: string }[] }[] }).explanations;
    for (const m of moves) {
      const e = why.find((x) => x.topic === m.topic && x.partition === m.partition);
      assert.deepEqual(m.goals, [...new Set(e?.actions.map((a) => a.goal))], `${m.topic}-${m.partition}`);
    }
  });

  it("report --plan shows a plan file's moves, bytes and leadership changes as plan counted them", async () => {
    const planFile = join(dir(), "plan-live.json");
    const planned = JSON.parse((await run(["plan", "--cluster", LIVE, "--output", planFile, "--json"])).stdout) as Record<string, number>;
    const out = join(dir(), "file.html");
    const result = await run(["report", "--cluster", LIVE, "--plan", planFile, "-o", out]);
    assert.equal(result.code, 0, result.stderr);
    const plan = embeddedData(readFileSync(out, "utf8")).plan!;
    assert.equal(plan["origin"], "file");
    const summary = plan["summary"] as Record<string, unknown>;
    for (const key of ["moves", "bytesMoved", "leaderChanges"]) assert.equal(summary[key], planned[key], key);
    assert.deepEqual(summary["after"], (planned as unknown as Record<string, unknown>)["after"]);
  });

  it("warns when the plan was made from another placement", async () => {
    const planFile = join(dir(), "plan-demo.json");
    await run(["plan", "--cluster", DEMO, "--output", planFile]);
    const moved = join(dir(), "moved.yaml");
    // The demo with the plan applied: every partition the plan moves now has other replicas.
    const cluster = applyReassignment(parseCluster(readFileSync(DEMO, "utf8"), { format: "yaml" }), parseReassignment(readFileSync(planFile, "utf8")));
    writeFileSync(moved, formatCluster(cluster, "yaml"));
    const result = await run(["report", "--cluster", moved, "--plan", planFile, "-o", join(dir(), "stale.html")]);
    assert.equal(result.code, 0, result.stderr);
    const entries = (JSON.parse(readFileSync(planFile, "utf8")) as { partitions: unknown[] }).partitions.length;
    assert.match(result.stderr, new RegExp(`^warning: the plan was made when ${entries} of its partitions had other replicas`));
    const fresh = await run(["report", "--cluster", DEMO, "--plan", planFile, "-o", join(dir(), "fresh.html")]);
    assert.equal(fresh.stderr, "");
  });

  it("names are data, never markup: a rack that is an HTML tag stays inside the JSON", async () => {
    const out = join(dir(), "live.html");
    await run(["report", "--cluster", LIVE, "-o", out]);
    const html = readFileSync(out, "utf8");
    assert.doesNotMatch(html, /<img/i);
    assert.ok(html.includes("\\u003cimg src=x onerror=alert(1)\\u003e"));
    assert.equal(scriptJson({ a: "</script><!--\u2028&" }), '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026"}');
    assert.deepEqual(JSON.parse(scriptJson({ a: "</script>\u2028" })), { a: "</script>\u2028" });
    assert.equal(escapeHtml(`<a href="x">'&`), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;");
  });

  it("needs a cluster and an output, and refuses to overwrite an input", async () => {
    const none = await run(["report", "-o", join(dir(), "x.html")]);
    assert.equal(none.code, 2);
    assert.match(singleErrorLine(none.stderr) ?? none.stderr, /--cluster: 'ballast report' needs either --cluster/);
    const noOutput = await run(["report", "--cluster", DEMO]);
    assert.equal(noOutput.code, 2);
    assert.match(singleErrorLine(noOutput.stderr) ?? noOutput.stderr, /--output/);
    const clobber = await run(["report", "--cluster", DEMO, "-o", DEMO]);
    assert.equal(clobber.code, 2);
    assert.match(singleErrorLine(clobber.stderr) ?? clobber.stderr, /is also the input of --cluster/);
    const onPlan = await run(["plan", "--cluster", DEMO, "--output", join(dir(), "same.json"), "--report", join(dir(), "same.json")]);
    assert.equal(onPlan.code, 2);
    assert.match(singleErrorLine(onPlan.stderr) ?? onPlan.stderr, /--report: .* is also the input of --output/);
  });

  it("reports a bad plan file by its path, without a stack", async () => {
    const bad = join(dir(), "bad-plan.json");
    writeFileSync(bad, '{"version": 1, "partitions": [{"topic": "nope", "partition": 0, "replicas": [1], "log_dirs": ["any"]}]}');
    const result = await run(["report", "--cluster", DEMO, "--plan", bad, "-o", join(dir(), "y.html")]);
    assert.equal(result.code, 2);
    assert.match(singleErrorLine(result.stderr) ?? result.stderr, /bad-plan\.json.*not in the cluster/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe("report data", () => {
  const cluster = parseCluster(readFileSync(LIVE, "utf8"), { format: "yaml", source: LIVE });
  const data = reportData({ cluster, source: "test", generator: "test", describe: {} });

  it("lists the replicas out of the ISR and the offline ones per partition", () => {
    // orders-1 (index 1) lacks 5 in its ISR; payments-0 and -1 (indexes 4, 5) have 6 offline and out of the ISR.
    assert.deepEqual(data.partitions.outOfSync, [1, 1, 5, 4, 1, 6, 5, 1, 6]);
    assert.deepEqual(data.partitions.offlineReplicas, [4, 1, 6, 5, 1, 6]);
    const payments = data.topics.find((t) => t.name === "payments")!;
    assert.deepEqual([payments.underReplicated, payments.offline, payments.brokers, payments.racks], [2, 2, 5, 3]);
  });

  it("counts who follows whom by current leader", () => {
    const { pairs } = data;
    const pair = (leader: number, follower: number): number => {
      const k = pairs.leader.findIndex((id, at) => id === leader && pairs.follower[at] === follower);
      return k < 0 ? 0 : pairs.partitions[k]!;
    };
    // Broker 1 leads orders-0, orders-3 and payments-2: followers 3, 5; 2, 3; 4, 5.
    assert.equal(pair(1, 3), 2);
    assert.equal(pair(1, 5), 2);
    assert.equal(pair(1, 6), 0);
    const followed = pairs.partitions.reduce((n, x) => n + x, 0);
    const replicas = data.partitions.replicas.length;
    assert.equal(followed, replicas - data.partitions.topic.length, "every replica but the leader follows once");
  });

  it("is the same for the same input", () => {
    assert.equal(JSON.stringify(reportData({ cluster, source: "test", generator: "test", describe: {} })), JSON.stringify(data));
  });
});
