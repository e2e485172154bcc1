/**
 * The HTML report in a real browser (headless Chromium): every figure shown equals `describe --json`
 * or `plan --json`, tables sort and filter, an ISR-short replica shows the ISR colour, markup in a
 * name stays text, and the page asks for nothing over the network. Screenshots of each page of the
 * live fixture's plan report go to test-output/report/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { formatCluster } from "../../src/model/format.js";
import { generateCluster } from "../../src/model/generate.js";
import { parseCluster } from "../../src/model/parse.js";
import { applyReassignment, parseReassignment } from "../../src/model/reassignment.js";
import { createRng } from "../../src/model/random.js";
import { formatBytes, formatRate } from "../../src/model/units.js";
import { DEMO, LIVE, run, suiteDir } from "../cli/helpers.js";
import { type OpenedReport, TEST_OUTPUT, launch, openReport, skipReason } from "./chromium.js";

const ISR_COLOUR = "rgb(240, 160, 32)";
const OFFLINE_COLOUR = "rgb(208, 48, 58)";

type Json = Record<string, unknown>;

function at(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of path.split(".")) cur = cur === null || cur === undefined ? undefined : (cur as Json)[part];
  return cur;
}

/** A figure as the report and the CLI write it. */
function formatted(value: unknown, unit: string): string {
  if (value === null || value === undefined) return "—";
  const n = value as number;
  switch (unit) {
    case "bytes":
      return formatBytes(n);
    case "rate":
      return formatRate(n);
    case "pct":
      return `${(n * 100).toFixed(1)}%`;
    case "bool":
      return value === true ? "yes" : "no";
    case "text":
      return String(value);
    default:
      return typeof value === "number" ? (Number.isInteger(n) ? String(n) : n.toFixed(2)) : String(value);
  }
}

/** Checks every `data-fig` of the page in view against the JSON it claims to show; returns how many. */
async function checkFigures(page: Page, roots: Readonly<Record<string, unknown>>): Promise<number> {
  const figures = await page.$$eval("[data-fig]", (nodes) =>
    nodes
      .filter((n) => (n as unknown as { offsetParent: unknown }).offsetParent !== null)
      .map((n) => ({ fig: n.getAttribute("data-fig")!, unit: n.getAttribute("data-unit")!, value: n.getAttribute("data-value")!, text: n.textContent })),
  );
  for (const f of figures) {
    const [root, path] = f.fig.split(":") as [string, string];
    const expected = at(roots[root], path) ?? null;
    assert.deepEqual(JSON.parse(f.value), expected, f.fig);
    assert.equal(f.text, formatted(expected, f.unit), f.fig);
  }
  return figures.length;
}

/** The text of one column over the table's rows in view. */
function column(page: Page, table: string, key: string): Promise<string[]> {
  return page.$$eval(`#table-${table} tbody td[data-col='${key}']`, (cells) => cells.map((c) => c.textContent ?? ""));
}

function clean(opened: OpenedReport): void {
  assert.deepEqual(opened.errors, [], "no console errors");
  assert.deepEqual(opened.requests, [], "no network requests");
  assert.deepEqual(opened.dialogs, [], "no dialogs");
}

const skip = skipReason();

describe("the HTML report in Chromium", { skip }, () => {
  const dir = suiteDir();
  let browser: Browser;
  const file = (name: string): string => join(dir(), name);
  let liveDescribe: Json;
  let livePlan: Json;
  let demoPlan: Json;

  before(async () => {
    browser = await launch();
    liveDescribe = JSON.parse((await run(["describe", "--cluster", LIVE, "--json", "--report", file("live.html")])).stdout) as Json;
    livePlan = JSON.parse((await run(["plan", "--cluster", LIVE, "--output", file("live-plan.json"), "--json", "--report", file("live-plan.html")])).stdout) as Json;
    demoPlan = JSON.parse((await run(["plan", "--cluster", DEMO, "--output", file("demo-plan.json"), "--json", "--report", file("demo-plan.html")])).stdout) as Json;
    await run(["report", "--cluster", DEMO, "--plan", file("demo-plan.json"), "-o", file("demo-file.html")]);
  });
  after(() => browser?.close());

  it("shows the overview figures of describe --json", async () => {
    const opened = await openReport(browser, file("live.html"));
    const count = await checkFigures(opened.page, { describe: liveDescribe });
    assert.ok(count > 40, `${count} figures checked`);
    assert.match((await opened.page.textContent("#problems")) ?? "", /3 partition\(s\) with replicas out of the ISR.*2 partition\(s\) with offline replicas.*dead brokers: 6/s);
    clean(opened);
  });

  it("shows each broker's figures as describe prints them", async () => {
    const opened = await openReport(browser, file("live.html"), "brokers");
    const brokers = liveDescribe["brokers"] as { id: number; replicas: number; leaders: number; disk: number; diskUtilization?: number }[];
    assert.deepEqual(await column(opened.page, "brokers", "id"), brokers.map((b) => String(b.id)));
    assert.deepEqual(await column(opened.page, "brokers", "replicas"), brokers.map((b) => String(b.replicas)));
    assert.deepEqual(await column(opened.page, "brokers", "leaders"), brokers.map((b) => String(b.leaders)));
    assert.deepEqual(
      await column(opened.page, "brokers", "disk"),
      brokers.map((b) => `${formatBytes(b.disk)}${b.diskUtilization === undefined ? "" : ` (${(b.diskUtilization * 100).toFixed(1)}%)`}`),
    );
    assert.equal(await opened.page.$$eval("#heatmap .cell", (cells) => cells.length), brokers.length);
    assert.equal(await opened.page.getAttribute("#heatmap .cell[data-broker='6']", "class"), "cell dead");
    await opened.page.click("#heatmap .cell[data-broker='5']");
    assert.equal(await opened.page.textContent("#broker-figures td[data-col='rack']"), "<img src=x onerror=alert(1)>", "markup in a rack name is shown as text");
    assert.equal(await opened.page.$$eval("#table-broker-partitions tbody tr", (rows) => rows.length), 5);
    clean(opened);
  });

  it("sorts and filters tables", async () => {
    const opened = await openReport(browser, file("live.html"), "brokers");
    const { page } = opened;
    const numbers = async (key: string): Promise<number[]> => (await column(page, "brokers", key)).map(Number);
    await page.click("#table-brokers th[data-key='replicas']");
    const up = await numbers("replicas");
    assert.deepEqual(up, [...up].sort((a, b) => a - b));
    await page.click("#table-brokers th[data-key='replicas']");
    const down = await numbers("replicas");
    assert.deepEqual(down, [...up].sort((a, b) => b - a));
    await page.fill("#filter-brokers", "eu-west-1b");
    await page.waitForSelector("#table-brokers tbody tr:last-child:nth-child(2)");
    assert.deepEqual(await column(page, "brokers", "id"), ["3", "4"]);
    await page.click("#nav-partitions");
    await page.fill("#filter-partitions", "b:6");
    await page.waitForSelector('#pager-partitions:text-is("rows 1–2 of 2")');
    assert.deepEqual(await column(page, "partitions", "topic"), ["payments", "payments"]);
    await page.fill("#filter-partitions", "");
    await page.selectOption("#partition-state", "under-replicated");
    await page.waitForSelector('#pager-partitions:text-is("rows 1–3 of 3")');
    await page.click("#table-partitions th[data-key='size']");
    assert.deepEqual(await column(page, "partitions", "size"), ["10 GiB", "11 GiB", "42 GiB"]);
    clean(opened);
  });

  it("colours a replica out of the ISR and an offline replica", async () => {
    const opened = await openReport(browser, file("live.html"), "partitions");
    const { page } = opened;
    const colour = (row: number, broker: number): Promise<string> =>
      page.$eval(`#table-partitions tr[data-row='${row}'] .rep[data-broker='${broker}']`, (n) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(n).backgroundColor);
    // orders-1 (row 1): broker 5 is out of the ISR; payments-0 (row 4): broker 6 is offline.
    assert.equal(await colour(1, 5), ISR_COLOUR);
    assert.notEqual(await colour(1, 1), ISR_COLOUR);
    assert.equal(await colour(4, 6), OFFLINE_COLOUR);
    assert.equal(await page.getAttribute("#table-partitions tr[data-row='4'] .rep[data-broker='2']", "class"), "rep leader", "payments-0 is led by 2");
    assert.equal(await page.textContent("#table-partitions tr[data-row='1'] td[data-col='state']"), "under-replicated");
    clean(opened);
  });

  it("shows who follows whom, busiest pair first", async () => {
    const opened = await openReport(browser, file("live.html"), "followers");
    const counts = (await column(opened.page, "pairs", "partitions")).map(Number);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.equal(counts.reduce((n, x) => n + x, 0), 25 - 9, "every replica but the leader follows once");
    assert.ok(await opened.page.$("#pairs-matrix"));
    clean(opened);
  });

  it("shows the plan's figures of plan --json, before → after and every moved partition", async () => {
    for (const [name, json] of [["live-plan.html", livePlan], ["demo-plan.html", demoPlan]] as const) {
      const opened = await openReport(browser, file(name), "plan");
      const count = await checkFigures(opened.page, { plan: json });
      assert.ok(count >= 6 + 2 * (json["after"] as { goals: unknown[] }).goals.length, `${name}: ${count} figures`);
      const entries = (json["moves"] as number) > 0 ? await opened.page.$$eval("#table-moves tbody tr", (rows) => rows.length) : 0;
      assert.ok(entries > 0 || json["moves"] === 0);
      assert.ok(await opened.page.$("#chart-before-after"), "the before → after chart is drawn");
      clean(opened);
    }
  });

  it("shows a plan file's moves, with the bound left to plan --report", async () => {
    const plan = parseReassignment(readFileSync(file("demo-plan.json"), "utf8"));
    const applied = applyReassignment(parseCluster(readFileSync(DEMO, "utf8"), { format: "yaml" }), plan);
    writeFileSync(file("demo-after.json"), formatCluster(applied, "json"));
    const described = JSON.parse((await run(["describe", "--cluster", file("demo-after.json"), "--json"])).stdout) as Json;
    const opened = await openReport(browser, file("demo-file.html"), "plan");
    const count = await checkFigures(opened.page, { plan: demoPlan, after: described });
    assert.ok(count >= 3 + (demoPlan["after"] as { goals: unknown[] }).goals.length * 2, `${count} figures`);
    assert.ok(await opened.page.$("#plan-file-note"));
    clean(opened);
  });

  it("writes a screenshot of each page of the live fixture's plan report", async () => {
    const out = join(TEST_OUTPUT, "report");
    mkdirSync(out, { recursive: true });
    const opened = await openReport(browser, file("live-plan.html"));
    for (const tab of ["overview", "brokers", "topics", "partitions", "followers", "plan"]) {
      await opened.page.click(`#nav-${tab}`);
      await opened.page.screenshot({ path: join(out, `${tab}.png`), fullPage: true });
    }
    clean(opened);
  });

  it("opens a 215-broker cluster with its partitions paged", async () => {
    const cluster = generateCluster({ brokers: 200, newBrokers: 15, topics: 150, partitions: { min: 20, max: 120 }, placement: "random" }, createRng(3));
    const snapshot = file("big.json");
    writeFileSync(snapshot, formatCluster(cluster, "json"));
    const report = await run(["report", "--cluster", snapshot, "-o", file("big.html")]);
    assert.equal(report.code, 0, report.stderr);
    const partitions = cluster.topics.reduce((n, t) => n + t.partitions.length, 0);
    const opened = await openReport(browser, file("big.html"), "partitions");
    const { page } = opened;
    assert.equal(await page.textContent("#pager-partitions"), `rows 1–100 of ${partitions}`);
    await page.click("#next-partitions");
    assert.equal(await page.textContent("#pager-partitions"), `rows 101–200 of ${partitions}`);
    await page.click("#table-partitions th[data-key='size']");
    await page.click("#table-partitions th[data-key='size']");
    const largest = Math.max(...cluster.topics.flatMap((t) => t.partitions.map((p) => p.size)));
    assert.equal((await column(page, "partitions", "size"))[0], formatBytes(largest));
    await page.click("#nav-brokers");
    assert.equal(await page.$$eval("#heatmap .cell", (cells) => cells.length), 215);
    await page.click("#nav-followers");
    assert.ok(await page.$("#pairs-matrix"));
    clean(opened);
  });
});
