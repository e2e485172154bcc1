/**
 * The unattended job's settings (`ballast balance --config balance.yaml`): when it may act, what
 * makes it act, what it heals on its own, and how it executes. They sit in the same YAML file as the
 * balance config (config.ts: goals, budgets, capacities), which config-parse.ts reads with these keys
 * allowed; this module reads only these keys, with the same Checker and the same kind of errors
 * (CONFIG, with the key's path and line).
 */
import { loadYaml } from "./parse.js";
import { quote } from "./text.js";
import { Checker } from "./validate.js";

type Mapping = Readonly<Record<string, unknown>>;

/** The job's keys, allowed next to the balance config's in one file. */
export const JOB_KEYS = ["mode", "window", "timeZone", "triggers", "selfHealing", "throttle", "maxMovesPerBroker", "partitionTimeout", "notify"] as const;

export const JOB_MODES = ["execute", "propose", "approve"] as const;
export type JobMode = (typeof JOB_MODES)[number];

/** A daily time window in the job's time zone, in minutes after midnight; `end` before `start` crosses midnight. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
  /** As written, e.g. "01:00-05:00". */
  readonly text: string;
}

/**
 * What makes a run act. A threshold is exceeded when the figure is above it; the boolean triggers act
 * on any occurrence. Without a `triggers` key, any goal the assessment finds unmet triggers.
 */
export interface Triggers {
  /** Largest minus smallest replica count over eligible brokers. */
  readonly replicaSpread?: number;
  /** Largest minus smallest preferred-leader count. */
  readonly leaderSpread?: number;
  /** Largest distance of a broker's disk use from its ideal share, as a fraction (0.2 = 20%). */
  readonly diskDeviation?: number;
  /** The same for network in and network out. */
  readonly networkDeviation?: number;
  /** Largest spread of one topic's replica counts across brokers. */
  readonly topicSpread?: number;
  /** Any partition breaking the rack (or host) rule. Default true. */
  readonly rackViolations: boolean;
}

export interface SelfHealing {
  /** A broker missing this long has its replicas moved; null: never (its replicas wait for it). */
  readonly brokerFailureMs: number | null;
  /** Offline replicas on live brokers (a failed log directory) get new homes. */
  readonly offlineReplicas: boolean;
  /** Move preferred leadership off outlier brokers (no data moves). */
  readonly demoteOutliers: boolean;
  /** A broker is an outlier when its disk or network use is above this many times its peers' median. */
  readonly outlierFactor: number;
}

export interface JobConfig {
  readonly mode: JobMode;
  /** Empty: any time. */
  readonly windows: readonly TimeWindow[];
  /** An IANA time zone name for the windows. */
  readonly timeZone: string;
  /** Undefined: act on any unmet goal. */
  readonly triggers?: Triggers;
  readonly selfHealing: SelfHealing;
  /** Replication throttle in bytes/s, or none. */
  readonly throttle: number | null;
  readonly maxMovesPerBroker: number;
  readonly partitionTimeoutMs: number;
  /** Webhook URLs (may hold secrets: never printed whole). */
  readonly notify: readonly string[];
}

export const DEFAULT_JOB_CONFIG: JobConfig = {
  mode: "execute",
  windows: [],
  timeZone: "UTC",
  selfHealing: { brokerFailureMs: 15 * 60_000, offlineReplicas: true, demoteOutliers: false, outlierFactor: 2 },
  throttle: null,
  maxMovesPerBroker: 5,
  partitionTimeoutMs: 3_600_000,
  notify: [],
};

const TRIGGER_KEYS = ["replicaSpread", "leaderSpread", "diskDeviation", "networkDeviation", "topicSpread", "rackViolations"];
const HEALING_KEYS = ["brokerFailure", "offlineReplicas", "demoteOutliers", "outlierFactor"];

/** Reads the job's keys of a config file; every other key is the balance config's (config-parse.ts checks them). */
export function parseJobConfig(text: string, source?: string): JobConfig {
  const { data, locate } = loadYaml(text, source);
  if (data === null || data === undefined) return DEFAULT_JOB_CONFIG;
  const c = new Checker(locate, () => "CONFIG");
  const root = c.asMapping(data, [], "the configuration");
  const d = DEFAULT_JOB_CONFIG;
  const has = (key: string): boolean => root[key] !== undefined;
  const triggers = has("triggers") ? readTriggers(root, c) : undefined;
  return {
    mode: has("mode") ? c.oneOf(root, "mode", [], "mode", JOB_MODES) : d.mode,
    windows: has("window") ? readWindows(root, c) : d.windows,
    timeZone: has("timeZone") ? readTimeZone(root, c) : d.timeZone,
    ...(triggers !== undefined && { triggers }),
    selfHealing: has("selfHealing") ? readSelfHealing(root, c) : d.selfHealing,
    throttle: has("throttle") ? readThrottle(root, c) : d.throttle,
    maxMovesPerBroker: has("maxMovesPerBroker") ? positive(c.integer(root, "maxMovesPerBroker", [], "maxMovesPerBroker"), "maxMovesPerBroker", c) : d.maxMovesPerBroker,
    partitionTimeoutMs: has("partitionTimeout") ? readDuration(root, "partitionTimeout", [], c, 10_000, 30 * 86_400_000) : d.partitionTimeoutMs,
    notify: has("notify") ? readUrls(root, c) : d.notify,
  };
}

function positive(n: number, key: string, c: Checker): number {
  if (n < 1) c.fail("CONFIG", `${key} must be at least 1`, [key]);
  return n;
}

/** `window: "01:00-05:00"` or a list of such windows. */
function readWindows(root: Mapping, c: Checker): TimeWindow[] {
  const value = root["window"];
  const list = Array.isArray(value) ? value : [value];
  const path = Array.isArray(value) ? ["window"] : [];
  const container = Array.isArray(value) ? (value as readonly unknown[]) : root;
  return list.map((_, i) => {
    const key = Array.isArray(value) ? i : "window";
    const text = c.text(container, key, path, "a time window such as \"01:00-05:00\"");
    const window = parseWindow(text);
    if (window === undefined) c.fail("CONFIG", `a time window is HH:MM-HH:MM on a 24-hour clock, e.g. "01:00-05:00" (\"22:00-04:00\" crosses midnight); found ${quote(text)}`, [...path, key]);
    return window;
  });
}

/** "HH:MM-HH:MM" as minutes after midnight; undefined when malformed or empty (start equal to end). */
export function parseWindow(text: string): TimeWindow | undefined {
  const m = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]|24):([0-5]\d)\s*$/.exec(text);
  if (m === null) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (end > 24 * 60 || start === end) return undefined;
  return { start, end: end % (24 * 60), text: text.trim() };
}

function readTimeZone(root: Mapping, c: Checker): string {
  const zone = c.text(root, "timeZone", [], "timeZone (an IANA name such as Europe/Berlin)");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    c.fail("CONFIG", `timeZone ${quote(zone)} is not a time zone this Node.js knows; use an IANA name such as UTC, Europe/Berlin or America/New_York`, ["timeZone"]);
  }
  return zone;
}

function readTriggers(root: Mapping, c: Checker): Triggers {
  const t = c.mapping(root, "triggers", [], "triggers", TRIGGER_KEYS);
  const path = ["triggers"];
  const count = (key: string): number | undefined => (t[key] === undefined ? undefined : c.integer(t, key, path, `triggers.${key}`));
  const fraction = (key: string): number | undefined => {
    if (t[key] === undefined) return undefined;
    const v = c.number(t, key, path, `triggers.${key}`);
    if (v < 0) c.fail("CONFIG", `triggers.${key} is a fraction of the ideal, 0 or more (0.2 for 20%); found ${String(v)}`, [...path, key]);
    return v;
  };
  const out = {
    replicaSpread: count("replicaSpread"),
    leaderSpread: count("leaderSpread"),
    diskDeviation: fraction("diskDeviation"),
    networkDeviation: fraction("networkDeviation"),
    topicSpread: count("topicSpread"),
  };
  return {
    ...Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)),
    rackViolations: t["rackViolations"] === undefined ? true : c.boolean(t, "rackViolations", path, "triggers.rackViolations"),
  };
}

function readSelfHealing(root: Mapping, c: Checker): SelfHealing {
  const h = c.mapping(root, "selfHealing", [], "selfHealing", HEALING_KEYS);
  const d = DEFAULT_JOB_CONFIG.selfHealing;
  const path = ["selfHealing"];
  const flag = (key: string, fallback: boolean): boolean => (h[key] === undefined ? fallback : c.boolean(h, key, path, `selfHealing.${key}`));
  let brokerFailureMs = d.brokerFailureMs;
  if (h["brokerFailure"] === false) brokerFailureMs = null;
  else if (h["brokerFailure"] !== undefined) brokerFailureMs = readDuration(h, "brokerFailure", path, c, 0, 30 * 86_400_000);
  let outlierFactor = d.outlierFactor;
  if (h["outlierFactor"] !== undefined) {
    outlierFactor = c.number(h, "outlierFactor", path, "selfHealing.outlierFactor");
    if (!(outlierFactor > 1)) c.fail("CONFIG", `selfHealing.outlierFactor must be more than 1 (2: twice the peers' median); found ${String(outlierFactor)}`, [...path, "outlierFactor"]);
  }
  return {
    brokerFailureMs,
    offlineReplicas: flag("offlineReplicas", d.offlineReplicas),
    demoteOutliers: flag("demoteOutliers", d.demoteOutliers),
    outlierFactor,
  };
}

function readThrottle(root: Mapping, c: Checker): number {
  const rate = c.quantity(root, "throttle", [], "rate");
  if (rate < 1) c.fail("CONFIG", `throttle must be at least 1 B/s (a throttle of 0 would stall every move); leave it out for none`, ["throttle"]);
  return rate;
}

/** `15m`, `30s`, `2h`, `1d`, `500ms`, or a number of seconds, as milliseconds from min to max. */
function readDuration(container: Mapping, key: string, path: readonly string[], c: Checker, min: number, max: number): number {
  const raw = container[key];
  const ms = typeof raw === "number" ? raw * 1000 : typeof raw === "string" ? parseDuration(raw) : undefined;
  if (ms === undefined || !(ms >= min && ms <= max)) {
    c.fail("CONFIG", `${[...path, key].join(".")} must be a duration such as 30s, 15m or 2h, from ${String(min / 1000)} s to ${String(max / 86_400_000)} days; found ${quote(String(raw))}`, [...path, key]);
  }
  return Math.round(ms);
}

/** A duration (`30s`, `15m`, `2h`, `1d`, `500ms`, or plain seconds) in milliseconds, or undefined. */
export function parseDuration(raw: string): number | undefined {
  const m = /^\s*(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (m === null) return undefined;
  const unit = m[2] ?? "s";
  return Number(m[1]) * (unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 86_400_000);
}

function readUrls(root: Mapping, c: Checker): string[] {
  const list = c.list(root, "notify", [], "notify (webhook URLs)");
  return list.map((_, i) => {
    const url = c.text(list, i, ["notify"], "a webhook URL");
    if (webhookProblem(url) !== undefined) c.fail("CONFIG", `notify[${String(i)}]: ${webhookProblem(url)!}`, ["notify", i]);
    return url;
  });
}

/** Why a webhook URL cannot be used, or undefined. The URL itself is never quoted: it may hold a secret. */
export function webhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a URL (expected http:// or https://…)";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `a webhook URL must be http or https, not ${parsed.protocol.replace(/:$/, "")}`;
  return undefined;
}

/**
 * A webhook URL as it may be printed: scheme, host and port only. Slack-style webhooks carry their
 * secret in the path, others in the query or user info, so nothing past the host is shown.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(a webhook URL)";
  }
}
