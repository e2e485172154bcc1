/**
 * Human-readable summaries of balance reports and plans: aligned tables and short totals, coloured
 * through the chalk instance the caller chose (level 0 prints plain text).
 */
import type { ChalkInstance } from "chalk";
import type { Cluster, Reassignment, TrafficSource } from "../model/types.js";
import { printable } from "../model/text.js";
import { formatBytes, formatRate } from "../model/units.js";
import { listIds } from "../model/validate.js";
import type {
  BalanceReport,
  BalanceSummary,
  Band,
  BrokerBalance,
  CapacityStatus,
  Explanation,
  GoalStatus,
  LoadSummary,
  PlanOutcome,
  RackBalance,
  ResourceCapacity,
} from "../solver/types.js";
import { shellCommand } from "./shell.js";

export type PlannedOutcome = Extract<PlanOutcome, { status: "planned" }>;

/** Clusters with more brokers than this show only the most relevant ones. */
export const BROKER_TABLE_LIMIT = 50;
/** How many brokers a shortened table shows. */
export const BROKER_TABLE_SHOWN = 10;

const ARROW = "→";

interface Cell {
  readonly text: string;
  readonly style?: (s: string) => string;
}

interface Column {
  readonly header: string;
  readonly align: "left" | "right";
}

type Row = readonly Cell[];

export interface PlanSummaryInput {
  readonly before: Cluster;
  readonly outcome: PlannedOutcome;
  readonly output: string;
  /** Disk balance threshold, a fraction of a broker's ideal share. */
  readonly diskThreshold: number;
}

/** The `plan` summary: brokers and racks before → after, totals, goals after, and what to run next. */
export function renderPlan(input: PlanSummaryInput, chalk: ChalkInstance): string {
  const { outcome } = input;
  const before = outcome.balanceBefore;
  const after = outcome.balanceAfter;
  const churn = brokerChurn(input.before, outcome.reassignment);
  const shown = pickBrokers(after.brokers, (b) => churn.get(b.id) ?? 0, "most changed");
  const beforeById = new Map(before.brokers.map((b) => [b.id, b]));
  const lines = [
    chalk.bold(`Plan for ${clusterTitle(input.before, after.summary)}`),
    ...(input.before.traffic !== undefined ? [trafficLine(input.before.traffic)] : []),
    "",
    ...section(chalk, "Brokers (before → after)", [
      diskBandLine(input.diskThreshold, before.summary, after.summary),
      ...table(chalk, brokerColumns, shown.brokers.map((b) => brokerChangeRow(chalk, beforeById.get(b.id) ?? b, b))),
      ...omittedLine(shown.omitted),
    ]),
    ...section(chalk, "Racks (before → after)", table(chalk, rackColumns, rackChangeRows(before.racks, after.racks))),
    ...section(chalk, "Totals", planTotals(chalk, outcome)),
    ...(after.capacity ? section(chalk, "Capacity (before → after)", capacityLines(chalk, after.capacity, before.capacity)) : []),
    ...section(chalk, "Goals after the plan", [...goalLines(chalk, after.goals), ...unknownCapacityLines(chalk, after)]),
    ...(outcome.explanations ? section(chalk, "Why each partition changes", explanationLines(outcome.explanations)) : []),
    ...nextSteps(chalk, input),
  ];
  return document(lines);
}

/** Where the snapshot's traffic figures came from. */
export function trafficLine(traffic: TrafficSource): string {
  const window = traffic.windowSeconds !== undefined ? ` over ${formatSeconds(traffic.windowSeconds)}` : "";
  const how =
    traffic.method === "sampled"
      ? `sampled${window} from log growth and consumer groups' offsets`
      : traffic.method === "prometheus"
        ? `Prometheus rates${window}, spread evenly over each topic's partitions`
        : "a metrics file";
  return `Traffic: ${how}`;
}

function formatSeconds(s: number): string {
  return s >= 3600 && s % 3600 === 0 ? `${String(s / 3600)}h` : s >= 60 && s % 60 === 0 ? `${String(s / 60)}m` : `${String(s)}s`;
}

/**
 * One line per changed partition: its replicas before → after, then each action behind it — the goal
 * that asked, what it did, on which brokers, and the goal's figure there before → after.
 */
export function explanationLines(explanations: readonly Explanation[]): string[] {
  if (explanations.length === 0) return ["No partition changes."];
  return explanations.map((e) => {
    const actions = e.actions.map((a) =>
      a.goal === "take-back"
        ? `take-back ${a.kind} on ${a.brokers.join(",")}`
        : `${a.goal} ${a.kind} on ${a.brokers.join(",")}: ${figure(a.goal, a.before)} → ${figure(a.goal, a.after)}`,
    );
    const why = actions.length > 0 ? actions.join("; ") : "changed by the exact solution (no heuristic action)";
    return `${e.topic}-${String(e.partition)} [${e.from.join(",")}] → [${e.to.join(",")}]  ${why}`;
  });
}

/** A goal's figure in its unit: bytes for disk, bytes/s for the traffic goals, a count otherwise. */
function figure(goal: string, x: number): string {
  if (goal === "disk") return formatBytes(x);
  if (goal === "network-in" || goal === "network-out" || goal === "leader-bytes" || goal === "capacity") return formatRate(x);
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** The `describe` report: brokers, racks, the summary figures and every goal. */
export function renderReport(cluster: Cluster, report: BalanceReport, diskThreshold: number, chalk: ChalkInstance): string {
  const shown = pickBrokers(report.brokers, replicaDistance, "furthest from their replica target");
  const lines = [
    chalk.bold(clusterTitle(cluster, report.summary)),
    "",
    ...section(chalk, "Brokers", [
      diskBandLine(diskThreshold, report.summary),
      ...table(chalk, brokerColumns, shown.brokers.map((b) => brokerRow(chalk, b))),
      ...omittedLine(shown.omitted),
    ]),
    ...section(chalk, "Racks", table(chalk, rackColumns, report.racks.map(rackRow))),
    ...section(chalk, "Balance", summaryLines(report.summary)),
    ...(report.capacity ? section(chalk, "Capacity", capacityLines(chalk, report.capacity)) : []),
    ...section(chalk, "Goals", [...goalLines(chalk, report.goals), ...unknownCapacityLines(chalk, report)]),
    ...(report.notes ?? []).map((note) => chalk.yellow(`note: ${note}`)),
  ];
  return document(lines);
}

function clusterTitle(cluster: Cluster, s: BalanceSummary): string {
  const name = cluster.name !== undefined ? `cluster ${cluster.name}` : "cluster";
  return `${name}: ${s.brokers} brokers (${s.eligibleBrokers} eligible) in ${s.racks} racks, ${s.partitions} partitions, ${s.replicas} replicas`;
}

/** Lines joined into text that ends in exactly one newline. */
function document(lines: readonly string[]): string {
  return `${lines.join("\n").trimEnd()}\n`;
}

function section(chalk: ChalkInstance, title: string, body: readonly string[]): string[] {
  return [chalk.bold.underline(title), ...body, ""];
}

// ---- brokers -------------------------------------------------------------------------------

const brokerColumns: Column[] = [
  { header: "broker", align: "right" },
  { header: "rack", align: "left" },
  { header: "host", align: "left" },
  { header: "state", align: "left" },
  { header: "replicas", align: "right" },
  { header: "target", align: "right" },
  { header: "leaders", align: "right" },
  { header: "disk", align: "right" },
  { header: "net in", align: "right" },
  { header: "net out", align: "right" },
];

function brokerIdentity(b: BrokerBalance): Cell[] {
  return [{ text: String(b.id) }, { text: b.rack }, { text: b.host }, brokerState(b)];
}

function brokerRow(chalk: ChalkInstance, b: BrokerBalance): Row {
  return [
    ...brokerIdentity(b),
    { text: String(b.replicas), style: bandStyle(chalk, b.replicas, b.targetReplicas) },
    { text: formatBand(b.targetReplicas) },
    { text: String(b.leaders) },
    { text: formatDisk(b) },
    { text: formatNet(b.networkIn, b.networkInUtilization) },
    { text: formatNet(b.networkOut, b.networkOutUtilization) },
  ];
}

function brokerChangeRow(chalk: ChalkInstance, before: BrokerBalance, after: BrokerBalance): Row {
  return [
    ...brokerIdentity(after),
    { text: change(String(before.replicas), String(after.replicas)), style: bandStyle(chalk, after.replicas, after.targetReplicas) },
    { text: formatBand(after.targetReplicas) },
    { text: change(String(before.leaders), String(after.leaders)) },
    { text: change(formatDisk(before), formatDisk(after)) },
    { text: changeNet(before.networkIn, before.networkInUtilization, after.networkIn, after.networkInUtilization) },
    { text: changeNet(before.networkOut, before.networkOutUtilization, after.networkOut, after.networkOutUtilization) },
  ];
}

/** A rate with its utilisation; empty for a broker without traffic or capacity (the column then drops out). */
function formatNet(rate: number, utilization: number | undefined): string {
  if (rate === 0 && utilization === undefined) return "";
  const r = formatRate(rate);
  return utilization === undefined ? r : `${r} (${percent(utilization)})`;
}

function changeNet(rb: number, ub: number | undefined, ra: number, ua: number | undefined): string {
  const a = formatNet(ra, ua);
  const b = formatNet(rb, ub);
  return b === "" && a === "" ? "" : change(b === "" ? formatRate(0) : b, a === "" ? formatRate(0) : a);
}

function brokerState(b: BrokerBalance): Cell {
  if (b.status === "dead") return { text: "dead" };
  return { text: b.excluded ? "excluded" : "" };
}

function formatDisk(b: BrokerBalance): string {
  const bytes = formatBytes(b.disk);
  return b.diskUtilization === undefined ? bytes : `${bytes} (${percent(b.diskUtilization)})`;
}

/**
 * The disk goal's band: each eligible broker within ±threshold of its ideal share of the bytes (by
 * disk capacity when every eligible broker has one, else by its replica-count target).
 */
function diskBandLine(threshold: number, before: BalanceSummary, after?: BalanceSummary): string {
  const share = before.disk.utilization ? "disk capacity" : "replica target";
  const furthest = change(percent(before.disk.maxDeviationRatio), percent((after ?? before).disk.maxDeviationRatio));
  return `Disk target: each eligible broker within ±${percent(threshold)} of its ideal share (by ${share}); furthest ${furthest}`;
}

interface BrokerSelection {
  readonly brokers: readonly BrokerBalance[];
  readonly omitted: { readonly count: number; readonly why: string } | null;
}

/** Every broker, or for big clusters the ones that score highest (ties by id), in id order. */
function pickBrokers(brokers: readonly BrokerBalance[], score: (b: BrokerBalance) => number, why: string): BrokerSelection {
  if (brokers.length <= BROKER_TABLE_LIMIT) return { brokers, omitted: null };
  const top = [...brokers]
    .sort((a, b) => score(b) - score(a) || a.id - b.id)
    .slice(0, BROKER_TABLE_SHOWN)
    .sort((a, b) => a.id - b.id);
  return { brokers: top, omitted: { count: brokers.length - top.length, why } };
}

function omittedLine(omitted: BrokerSelection["omitted"]): string[] {
  if (omitted === null) return [];
  return [`(showing the ${BROKER_TABLE_SHOWN} brokers ${omitted.why}; ${omitted.count} more omitted, see --json)`];
}

function replicaDistance(b: BrokerBalance): number {
  return Math.max(b.targetReplicas.min - b.replicas, b.replicas - b.targetReplicas.max, 0);
}

/**
 * How much the plan touches each broker: replicas it gains or loses plus preferred leaderships it
 * gains or loses.
 */
export function brokerChurn(before: Cluster, reassignment: Reassignment): Map<number, number> {
  const current = new Map<string, readonly number[]>();
  for (const t of before.topics) for (const p of t.partitions) current.set(partitionKey(p.topic, p.partition), p.replicas);
  const churn = new Map<number, number>();
  const bump = (id: number | undefined): void => {
    if (id !== undefined) churn.set(id, (churn.get(id) ?? 0) + 1);
  };
  for (const entry of reassignment.partitions) {
    const from = current.get(partitionKey(entry.topic, entry.partition)) ?? [];
    for (const id of entry.replicas) if (!from.includes(id)) bump(id);
    for (const id of from) if (!entry.replicas.includes(id)) bump(id);
    if (from[0] !== entry.replicas[0]) {
      bump(from[0]);
      bump(entry.replicas[0]);
    }
  }
  return churn;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

// ---- racks ---------------------------------------------------------------------------------

const rackColumns: Column[] = [
  { header: "rack", align: "left" },
  { header: "brokers", align: "right" },
  { header: "replicas", align: "right" },
  { header: "leaders", align: "right" },
  { header: "disk", align: "right" },
];

function rackBrokers(r: RackBalance): string {
  return r.eligibleBrokers === r.brokers ? String(r.brokers) : `${r.eligibleBrokers}/${r.brokers} eligible`;
}

function rackRow(r: RackBalance): Row {
  return [{ text: r.rack }, { text: rackBrokers(r) }, { text: String(r.replicas) }, { text: String(r.leaders) }, { text: formatBytes(r.disk) }];
}

function rackChangeRows(before: readonly RackBalance[], after: readonly RackBalance[]): Row[] {
  const beforeByRack = new Map(before.map((r) => [r.rack, r]));
  return after.map((a) => {
    const b = beforeByRack.get(a.rack) ?? a;
    return [
      { text: a.rack },
      { text: rackBrokers(a) },
      { text: change(String(b.replicas), String(a.replicas)) },
      { text: change(String(b.leaders), String(a.leaders)) },
      { text: change(formatBytes(b.disk), formatBytes(a.disk)) },
    ];
  });
}

// ---- totals and goals ----------------------------------------------------------------------

function planTotals(chalk: ChalkInstance, o: PlannedOutcome): string[] {
  const rows: Row[] = [
    [{ text: "replica moves" }, { text: String(o.moves) }, { text: `lower bound ${o.lowerBound.moves}, ratio ${moveRatio(o.moves, o.lowerBound.moves)} (${boundSources(o)})` }],
    [{ text: "bytes to move" }, { text: formatBytes(o.bytesMoved) }, { text: `lower bound ${formatBytes(o.lowerBound.bytesMoved)}` }],
    [{ text: "leadership changes" }, { text: String(o.leaderChanges) }, { text: "" }],
  ];
  const columns: Column[] = [
    { header: "", align: "left" },
    { header: "", align: "right" },
    { header: "", align: "left" },
  ];
  const lines = table(chalk, columns, rows, false);
  if (o.exact) {
    lines.push(
      `Exact: ${String(o.exact.optimalMoves)} moves is the proven fewest for this balance (the heuristic found ${String(o.exact.heuristicMoves)}).`,
    );
  }
  const search = o.integerSearch;
  if (search?.adopted === true) {
    lines.push(
      `Integer search (${search.solver}${search.leadership?.adopted === true ? ", with leadership in the program" : ""}): a placement with ${String(o.moves)} moves, no goal worse, where the heuristic made ${String(search.heuristicMoves)}; the plan uses it.`,
    );
  }
  if (o.budgetLimited) lines.push(chalk.yellow("The movement budget (max moves / max bytes) stopped the plan short of the goals."));
  for (const note of o.notes) lines.push(chalk.yellow(`note: ${note}`));
  return lines;
}

/** Where the bound on moves comes from: the counting bound and the transport relaxation. */
function boundSources(o: PlannedOutcome): string {
  const r = o.lowerBound.relaxation;
  const how = r.method === "lp" ? "LP" : r.exact ? "LP dual, optimal" : "LP dual";
  const i = o.lowerBound.integer;
  const integer = i === undefined ? "" : `, integer program ${String(i.moves)}${i.proven ? ", optimal" : ""}`;
  return `counting ${o.lowerBound.combinatorial.moves}, relaxation ${r.moves} by ${how}${integer}`;
}

/** moves / lowerBound, the price of the plan against the best possible; 1.00 is optimal. */
export function moveRatio(moves: number, lowerBound: number): string {
  if (lowerBound === 0) return moves === 0 ? "1.00" : "n/a";
  return (moves / lowerBound).toFixed(2);
}

function goalLines(chalk: ChalkInstance, goals: readonly GoalStatus[]): string[] {
  const satisfied = goals.filter((g) => g.satisfied).length;
  return [
    `${satisfied} of ${goals.length} goals satisfied`,
    ...goals.map((g) => {
      const mark = g.satisfied ? chalk.green("✓") : g.hard ? chalk.red("✗") : chalk.yellow("✗");
      return `  ${mark} ${g.goal}${g.hard ? " (hard)" : ""}: ${g.detail}`;
    }),
  ];
}

const RESOURCE_LABEL: Readonly<Record<ResourceCapacity["resource"], string>> = { disk: "disk", networkIn: "network in", networkOut: "network out" };

/** Where the capacity file is described, for the line below. */
export const CAPACITY_DOCS = "docs/load-and-capacity.md#the-capacity-file";

/**
 * With the capacity goal on, one line naming the resources it does not limit because some eligible
 * brokers have no capacity for them (every live snapshot without --capacity), and the fix.
 */
export function unknownCapacityLines(chalk: ChalkInstance, report: BalanceReport): string[] {
  if (report.unknownCapacity.length === 0 || !report.goals.some((g) => g.goal === "capacity")) return [];
  const eligible = report.summary.eligibleBrokers;
  const groups = new Map<string, string[]>();
  for (const u of report.unknownCapacity) {
    const n = u.brokers.length;
    const where = `${n} of ${eligible} eligible broker${eligible === 1 ? "" : "s"}${n === eligible ? "" : ` (${listIds(u.brokers)})`}`;
    groups.set(where, [...(groups.get(where) ?? []), RESOURCE_LABEL[u.resource]]);
  }
  const unknown = [...groups].map(([where, labels]) => `${labels.join(", ")} on ${where}`).join("; ");
  return [chalk.yellow(`capacity: unknown for ${unknown} — the capacity goal does not limit ${report.unknownCapacity.length === 1 ? "it" : "them"}; give --capacity FILE (${CAPACITY_DOCS})`)];
}

function summaryLines(s: BalanceSummary): string[] {
  return [
    `replicas per eligible broker: ${s.replicaCount.min}–${s.replicaCount.max} (furthest from target by ${s.replicaCount.maxDeviation})`,
    `preferred leaders per eligible broker: ${s.leaderCount.min}–${s.leaderCount.max} (ideal ${formatNumber(s.leaderCount.ideal)}, furthest by ${formatNumber(s.leaderCount.maxDeviation)})`,
    `disk ${s.disk.utilization ? "utilisation" : "use"}: ${diskRange(s)} (furthest ${percent(s.disk.maxDeviationRatio)} from its ideal share)`,
    ...loadLine("network in", s.networkIn),
    ...loadLine("network out", s.networkOut),
    ...loadLine("leader bytes", s.leaderBytes),
    `topic spread: ${s.topicSpread.max}${s.topicSpread.topic !== null ? ` (${s.topicSpread.topic})` : ""}`,
    `replicas on dead or excluded brokers: ${s.misplacedReplicas}`,
    `partitions breaking the rack rule: ${s.rackViolations}; the host rule: ${s.hostViolations}`,
  ];
}

/** One summary line of a load, or none when the cluster has no such traffic. */
function loadLine(label: string, l: LoadSummary): string[] {
  if (l.max === 0 && !l.utilization) return [];
  const show = l.utilization ? percent : formatRate;
  const what = l.utilization ? `${label} utilisation` : label;
  return [`${what}: ${show(l.min)}–${show(l.max)}, mean ${show(l.mean)} (furthest ${percent(l.maxDeviationRatio)} from its ideal share)`];
}

function diskRange(s: BalanceSummary): string {
  const show = s.disk.utilization ? percent : formatBytes;
  return `${show(s.disk.min)}–${show(s.disk.max)}, mean ${show(s.disk.mean)}`;
}

const capacityColumns: Column[] = [
  { header: "resource", align: "left" },
  { header: "limit", align: "right" },
  { header: "floor (lowest maximum any placement reaches)", align: "left" },
  { header: "maximum", align: "right" },
  { header: "brokers over", align: "right" },
];

/** Capacity problems listed in a summary; --json has them all. */
const PROBLEMS_SHOWN = 5;


/**
 * Per limited resource: the limit, the floor (the lowest largest utilisation any placement reaches)
 * and the largest utilisation, before → after for a plan; then, when the limits cannot be met, what
 * cannot and what would fix it.
 */
function capacityLines(chalk: ChalkInstance, now: CapacityStatus, before?: CapacityStatus): string[] {
  const was = new Map((before?.resources ?? []).map((r) => [r.resource, r]));
  const rows: Row[] = now.resources.map((r) => {
    const b = was.get(r.resource);
    const over = r.maxUtilization > r.threshold * (1 + 1e-9);
    const max = b === undefined ? percent(r.maxUtilization) : change(percent(b.maxUtilization), percent(r.maxUtilization));
    const brokers = b === undefined ? String(r.brokersOver) : change(String(b.brokersOver), String(r.brokersOver));
    return [
      { text: RESOURCE_LABEL[r.resource] },
      { text: percent(r.threshold) },
      { text: `${percent(r.floor)} (${r.floorDetail})` },
      { text: max, style: over ? chalk.yellow : chalk.green },
      { text: brokers },
    ];
  });
  const lines = table(chalk, capacityColumns, rows);
  if (now.feasible) return lines;
  const verb = before === undefined ? "a plan brings" : "the plan brings";
  lines.push(
    chalk.yellow(`warning: the capacity limits cannot be met; ${verb} every broker as far under them as the cluster allows (--strict-capacity refuses instead):`),
    ...now.problems.slice(0, PROBLEMS_SHOWN).map((p) => chalk.yellow(`  ${p.message}${p.path === undefined ? "" : ` (${p.path})`}`)),
  );
  const more = now.problems.length - PROBLEMS_SHOWN;
  if (more > 0) lines.push(chalk.yellow(`  … and ${String(more)} more (--json lists every one)`));
  return lines;
}

function nextSteps(chalk: ChalkInstance, input: PlanSummaryInput): string[] {
  const entries = input.outcome.reassignment.partitions.length;
  if (entries === 0) return [chalk.green(`Nothing to change; wrote an empty plan to ${printable(input.output)}.`)];
  return [
    `Plan written to ${printable(input.output)} (${entries} partitions).`,
    "Next: review its batches and duration, then run the same without --dry-run:",
    `  ${shellCommand(["ballast", "execute", "--dry-run", input.output, "--bootstrap-server", "<broker:9092>", "--throttle", "50MiB/s"])}`,
  ];
}

// ---- formatting ----------------------------------------------------------------------------

function change(before: string, after: string): string {
  return before === after ? after : `${before} ${ARROW} ${after}`;
}

function formatBand(band: Band): string {
  return band.min === band.max ? String(band.min) : `${band.min}–${band.max}`;
}

function bandStyle(chalk: ChalkInstance, value: number, band: Band): (s: string) => string {
  return value >= band.min && value <= band.max ? chalk.green : chalk.yellow;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/**
 * Aligned columns, under a dim header unless `withHeader` is false; columns with no text in any row are left out. Padding is
 * computed on plain text, then colour is applied.
 */
function table(chalk: ChalkInstance, columns: readonly Column[], rows: readonly Row[], withHeader = true): string[] {
  const kept = columns.map((_, i) => i).filter((i) => rows.some((r) => (r[i]?.text ?? "") !== ""));
  const header: Row = columns.map((c) => ({ text: c.header, style: chalk.dim }));
  const all = withHeader ? [header, ...rows] : rows;
  const widths = columns.map((_, i) => Math.max(...all.map((r) => r[i]?.text.length ?? 0)));
  return all.map((row) =>
    kept
      .map((i) => {
        const cell = row[i] ?? { text: "" };
        const width = widths[i] ?? 0;
        const padded = columns[i]?.align === "right" ? cell.text.padStart(width) : cell.text.padEnd(width);
        return cell.style !== undefined && cell.text !== "" ? cell.style(padded) : padded;
      })
      .join("  ")
      .trimEnd(),
  );
}
