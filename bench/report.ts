/**
 * The HTML report at the bench shapes: generates each cluster (as bench/run.ts does), writes its
 * report with `ballast report` (and, for the shapes marked, `ballast plan --report`), then opens it in
 * headless Chromium and times the load and the heaviest interactions. Rewrites the "HTML report"
 * section of docs/BENCHMARKS.md unless told not to.
 *
 *   npm run bench:report [-- --only <name-substring>] [-- --no-write]
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.js";
import { formatCluster } from "../src/model/format.js";
import { type GenerateOptions, generateCluster } from "../src/model/generate.js";
import { createRng } from "../src/model/random.js";
import { partitionCount, replicaCount } from "../src/model/types.js";
import { launch, openReport } from "../test/browser/chromium.js";
import { bytes, count, duration, machine, markdownTable, textTable, type Table } from "./format.js";
import { REPORT_HEADING, withReportSection } from "./report-section.js";

interface Shape {
  readonly name: string;
  readonly seed: number;
  readonly cluster: GenerateOptions;
  /** Also `plan --report` (the plan's own time is in the main table). */
  readonly plan?: boolean;
}

/** Shapes of bench/run.ts, by the same names and seeds. */
const SHAPES: readonly Shape[] = [
  { name: "small", seed: 1, cluster: {}, plan: true },
  { name: "scale-out-200+20", seed: 2, plan: true, cluster: { brokers: 200, newBrokers: 20, placement: "balanced", topics: 100, partitions: { min: 100, max: 100 }, replicationFactor: 3 } },
  { name: "random-1000", seed: 5, cluster: { brokers: 1000, placement: "random", topics: 1000, partitions: { min: 100, max: 100 }, replicationFactor: 3 } },
  {
    name: "scale-out-200+15-2.8m",
    seed: 7,
    plan: true,
    cluster: { brokers: 200, newBrokers: 15, placement: "balanced", topics: 3000, partitions: { min: 2, max: 620 }, replicationFactor: 3 },
  },
];

let chromiumVersion = "Chromium";
const loadAtStart = os.loadavg()[0]!.toFixed(1);

const OUT = fileURLToPath(new URL("../../bench/out/", import.meta.url));

interface Measured {
  readonly shape: Shape;
  readonly mode: "describe" | "plan";
  readonly brokers: number;
  readonly partitions: number;
  readonly replicas: number;
  readonly writeMs: number;
  readonly size: number;
  readonly loadMs: number;
  readonly sortMs: number;
  readonly filterMs: number;
}

async function cli(args: readonly string[]): Promise<number> {
  let stderr = "";
  const started = performance.now();
  const code = await main(["node", "ballast", ...args], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
  if (code !== 0) throw new Error(`ballast ${args.join(" ")}: ${stderr}`);
  return performance.now() - started;
}

async function measure(shape: Shape): Promise<Measured[]> {
  const cluster = generateCluster(shape.cluster, createRng(shape.seed));
  const snapshot = join(OUT, `report-${shape.name}.json`);
  writeFileSync(snapshot, formatCluster(cluster, "json"));
  const figures = { brokers: cluster.brokers.length, partitions: partitionCount(cluster), replicas: replicaCount(cluster) };
  const runs: { mode: "describe" | "plan"; file: string; args: string[] }[] = [
    { mode: "describe", file: join(OUT, `report-${shape.name}.html`), args: ["report", "--cluster", snapshot, "-o"] },
  ];
  if (shape.plan === true) {
    runs.push({ mode: "plan", file: join(OUT, `report-${shape.name}-plan.html`), args: ["plan", "--cluster", snapshot, "--output", join(OUT, `plan-${shape.name}.json`), "--report"] });
  }
  const out: Measured[] = [];
  for (const r of runs) {
    process.stdout.write(`${shape.name} (${r.mode}) …\n`);
    const writeMs = await cli([...r.args, r.file]);
    const browser = await launch();
    try {
      const opened = await openReport(browser, r.file, "partitions");
      const loadMs = Number(await opened.page.getAttribute("body", "data-ready-ms"));
      chromiumVersion = `Chromium ${browser.version()}`;
      opened.page.setDefaultTimeout(600_000);
      const sortStarted = performance.now();
      await opened.page.click("#table-partitions th[data-key='size']");
      const sortMs = performance.now() - sortStarted;
      const filterStarted = performance.now();
      const unfiltered = (await opened.page.textContent("#pager-partitions")) ?? "";
      await opened.page.fill("#filter-partitions", `b:${String(cluster.brokers[0]?.id ?? 0)}`);
      await opened.page.waitForSelector(`#pager-partitions:not(:text-is("${unfiltered}"))`);
      const filterMs = performance.now() - filterStarted;
      if (opened.errors.length > 0 || opened.requests.length > 0) throw new Error(`${r.file}: ${[...opened.errors, ...opened.requests].join("; ")}`);
      out.push({ shape, mode: r.mode, ...figures, writeMs, size: statSync(r.file).size, loadMs, sortMs, filterMs });
    } finally {
      await browser.close();
    }
  }
  return out;
}

function table(results: readonly Measured[]): Table {
  return {
    header: ["shape", "report of", "brokers", "partitions", "replicas", "command", "file size", "load in Chromium", "sort partitions by size", "filter by broker"],
    rows: results.map((m) => [
      m.shape.name,
      m.mode === "plan" ? "plan --report" : "report",
      count(m.brokers),
      count(m.partitions),
      count(m.replicas),
      duration(m.writeMs),
      bytes(m.size),
      duration(m.loadMs),
      duration(m.sortMs),
      duration(m.filterMs),
    ]),
  };
}

function section(results: readonly Measured[]): string {
  return `${REPORT_HEADING}

\`npm run bench:report\` writes the report of each shape above with \`ballast report\` (and, where
listed, \`ballast plan --report\`, which includes planning with \`--explain\`), then opens it in headless
Chromium (Debian's \`chromium\`, driven by playwright-core): **load** is from the start of navigation
to the page drawn (the file read, the data parsed, the partitions page shown), **sort** a click on the
partitions' size column until the page is drawn again (every partition sorted), **filter** typing
\`b:ID\` until the partitions holding that broker are shown (150 ms of it is the filter's typing delay).
**command** is the whole CLI run from reading the snapshot to the file written; for \`plan --report\`
it includes planning (whose own time, on a quieter machine, is in the table above). Rewritten only by that
command; \`npm run bench\` keeps it.

${machine()}
- ${chromiumVersion}
- Load average when the run began: ${loadAtStart} (the machine is shared; under load every figure grows)

${markdownTable(table(results))}
`;
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--only");
  const only = at >= 0 ? args[at + 1] : undefined;
  const write = !args.includes("--no-write") && only === undefined;
  mkdirSync(OUT, { recursive: true });
  const results: Measured[] = [];
  for (const shape of SHAPES.filter((s) => only === undefined || s.name.includes(only))) results.push(...(await measure(shape)));
  process.stdout.write(`\n${textTable(table(results))}\n`);
  if (!write) return;
  const target = new URL("../../docs/BENCHMARKS.md", import.meta.url);
  writeFileSync(target, withReportSection(readFileSync(target, "utf8"), section(results)));
  process.stdout.write("\nwrote the HTML report section of docs/BENCHMARKS.md\n");
}

await run();
