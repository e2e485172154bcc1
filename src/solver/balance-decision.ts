/**
 * The unattended job's decisions, pure: whether the time `now` (given, never read) falls in a window
 * of the job's time zone, which triggers a balance report exceeds, and which brokers are outliers.
 */
import type { TimeWindow, Triggers } from "../model/balance-config.js";
import type { BalanceReport } from "./types.js";

/** Minutes after midnight of `nowMs` in `timeZone` (an IANA name). */
export function minuteOfDay(nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(nowMs));
  const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
  return field("hour") * 60 + field("minute");
}

/** True when there are no windows, or `nowMs` is inside one of them (start inclusive, end exclusive). */
export function inWindow(nowMs: number, windows: readonly TimeWindow[], timeZone: string): boolean {
  if (windows.length === 0) return true;
  const minute = minuteOfDay(nowMs, timeZone);
  return windows.some((w) => (w.start < w.end ? minute >= w.start && minute < w.end : minute >= w.start || minute < w.end));
}

/**
 * What in `report` calls for a balance, one line each; empty when the cluster is balanced enough.
 * Without triggers, every unmet goal does. Dead brokers and offline replicas are the job's own
 * anomalies (self-healing), decided outside this function.
 */
export function triggerReasons(report: BalanceReport, triggers: Triggers | undefined): string[] {
  const s = report.summary;
  if (triggers === undefined) return report.goals.filter((g) => !g.satisfied).map((g) => `goal ${g.goal} unmet: ${g.detail}`);
  const reasons: string[] = [];
  const above = (what: string, value: number, limit: number | undefined, show: (n: number) => string = String): void => {
    if (limit !== undefined && value > limit) reasons.push(`${what} ${show(value)} is above the trigger ${show(limit)}`);
  };
  const percent = (n: number): string => `${(n * 100).toFixed(1)}%`;
  above("replica spread", s.replicaCount.max - s.replicaCount.min, triggers.replicaSpread);
  above("leader spread", s.leaderCount.max - s.leaderCount.min, triggers.leaderSpread);
  above("disk deviation", s.disk.maxDeviationRatio, triggers.diskDeviation, percent);
  above("network-in deviation", s.networkIn.maxDeviationRatio, triggers.networkDeviation, percent);
  above("network-out deviation", s.networkOut.maxDeviationRatio, triggers.networkDeviation, percent);
  above("topic spread", s.topicSpread.max, triggers.topicSpread);
  if (triggers.rackViolations && s.rackViolations + s.hostViolations > 0) {
    reasons.push(`${String(s.rackViolations)} partition(s) break the rack rule and ${String(s.hostViolations)} the host rule`);
  }
  return reasons;
}

export interface Outlier {
  readonly broker: number;
  readonly resource: "disk" | "networkIn" | "networkOut";
  readonly value: number;
  /** The median of the other eligible brokers. */
  readonly median: number;
}

/**
 * Eligible brokers whose disk use, network in or network out (utilisation where capacities are
 * known, else bytes) is above `factor` times the median of the other eligible brokers. Needs at
 * least three eligible brokers, so that "the others" is a crowd.
 */
export function findOutliers(report: BalanceReport, factor: number): Outlier[] {
  const eligible = report.brokers.filter((b) => b.eligible);
  if (eligible.length < 3) return [];
  const out: Outlier[] = [];
  const figures = {
    disk: (b: (typeof eligible)[number]) => b.diskUtilization ?? b.disk,
    networkIn: (b: (typeof eligible)[number]) => b.networkInUtilization ?? b.networkIn,
    networkOut: (b: (typeof eligible)[number]) => b.networkOutUtilization ?? b.networkOut,
  } as const;
  for (const resource of ["disk", "networkIn", "networkOut"] as const) {
    const figure = figures[resource];
    for (const b of eligible) {
      const others = eligible.filter((o) => o !== b).map(figure);
      const med = median(others);
      const value = figure(b);
      if (med > 0 && value > factor * med) out.push({ broker: b.id, resource, value, median: med });
    }
  }
  return out.sort((a, b) => a.broker - b.broker || (a.resource < b.resource ? -1 : 1));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
