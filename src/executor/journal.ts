/**
 * The execution journal: everything needed to finish, cancel or roll back an execution after the
 * executor dies, kept in a state folder (default `.ballast/`). Every write goes to a temporary file
 * that is flushed and renamed over the old one, so a crash leaves either the old or the new state,
 * never a torn one. A lock file names the process that runs the execution.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { dictFrom } from "../model/dict.js";
import { BallastError, describeIoError, errorCodeOf } from "../model/errors.js";
import { isTopicName } from "../model/names.js";
import { quote } from "../model/text.js";
import { loadJson } from "../model/parse.js";
import { Checker, readReplicas, type InputPath } from "../model/validate.js";
import { STRATEGY_NAMES, type BatchLimits, type MoveTask, type StrategyName } from "./types.js";

export type TaskState =
  /** Not yet submitted. */
  | "pending"
  /** Recorded as about to be submitted: after a crash, Kafka decides whether it was. */
  | "submitting"
  /** Kafka is copying it. */
  | "moving"
  | "done"
  /** Kafka refused it, or it could not finish; see `note`. */
  | "failed"
  /** Its topic was deleted during the run. */
  | "skipped"
  | "cancelled"
  /** Did not finish within the partition timeout; cancelled in Kafka and reported. */
  | "timed-out";

/** The allowed transitions; anything else is a bug. */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ["submitting", "skipped", "cancelled", "failed"],
  submitting: ["moving", "done", "pending", "failed", "skipped", "cancelled"],
  /** Back to pending: pulled back (reverted in Kafka) by a stop, to be submitted again on resume. */
  moving: ["done", "failed", "timed-out", "skipped", "cancelled", "pending"],
  done: [],
  failed: [],
  skipped: [],
  cancelled: [],
  "timed-out": [],
};

export const FINAL_STATES: ReadonlySet<TaskState> = new Set(["done", "failed", "skipped", "cancelled", "timed-out"]);

export interface TaskRecord extends MoveTask {
  state: TaskState;
  submittedAt?: number;
  finishedAt?: number;
  /** Why it failed, was skipped or paused. */
  note?: string;
  /** Leader election done after completion. */
  elected?: boolean;
}

/** Exactly what Ballast added to the cluster's configs, so exactly that is removed. */
export interface ThrottleRecord {
  /** The throttle rate in bytes/s, or null for an unthrottled run. */
  rate: number | null;
  /** Broker id → config key → the value Ballast set. */
  brokers: Record<string, Record<string, string>>;
  /** Topic → entries ("partition:broker") Ballast appended to each throttled-replicas list. */
  topics: Record<string, { leader: string[]; follower: string[] }>;
}

/** "stopped": ended by a signal with tasks left and Ballast's throttles removed; `execute --resume` finishes it. */
export type ExecutionStatus = "running" | "stopped" | "completed" | "cancelled" | "failed";

export interface ExecutionState {
  version: 1;
  id: string;
  startedAt: number;
  updatedAt: number;
  status: ExecutionStatus;
  /** Set by `ballast cancel`; a running executor sees it and cancels. */
  cancelRequested: boolean;
  limits: BatchLimits;
  strategy: StrategyName[];
  partitionTimeoutMs: number;
  brokerDownTimeoutMs: number;
  throttle: ThrottleRecord;
  tasks: TaskRecord[];
  /** Set while the running executor holds back moves because these brokers are down (since when). */
  paused?: { brokers: number[]; since: number };
}

const STATE_FILE = "state.json";
const LOCK_FILE = "lock";

export function transition(task: TaskRecord, to: TaskState, now: number, note?: string): void {
  if (task.state === to) return;
  if (!TRANSITIONS[task.state].includes(to)) {
    throw new Error(`bug: task ${task.topic}-${String(task.partition)} cannot go from ${task.state} to ${to}`);
  }
  task.state = to;
  // Back to pending: the timeout of its next submission counts from that submission.
  if (to === "pending") delete task.submittedAt;
  if (to === "moving" || to === "submitting") task.submittedAt ??= now;
  if (FINAL_STATES.has(to)) task.finishedAt = now;
  if (note !== undefined) task.note = note;
}

/** Infinity does not survive JSON; limits are stored with null for "no limit". */
function encodeLimits(l: BatchLimits): Record<string, number | null> {
  const enc = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { maxMovesPerBroker: enc(l.maxMovesPerBroker), maxMoves: enc(l.maxMoves), maxBytesInFlight: enc(l.maxBytesInFlight) };
}

const STATUSES: readonly ExecutionStatus[] = ["running", "stopped", "completed", "cancelled", "failed"];
const TASK_STATES = Object.keys(TRANSITIONS) as TaskState[];
const STATE_KEYS = ["version", "id", "startedAt", "updatedAt", "status", "cancelRequested", "limits", "strategy", "partitionTimeoutMs", "brokerDownTimeoutMs", "throttle", "tasks", "paused"];
const TASK_KEYS = ["topic", "partition", "from", "to", "size", "state", "submittedAt", "finishedAt", "note", "elected"];

/**
 * Checks a parsed state file like any other input: a truncated, hand-edited or foreign file is a
 * STATE error naming the path inside it, never a crash half-way through a command. Maps keyed by
 * topic or broker come back without a prototype (dict.ts).
 */
export function validateState(data: unknown, c: Checker): ExecutionState {
  const root = c.asMapping(data, [], "the execution state");
  c.onlyKeys(root, [], STATE_KEYS, "the execution state");
  if (root["version"] !== 1) c.fail("UNSUPPORTED_VERSION", "execution state has an unknown format (version 1 expected)", ["version"]);
  const tasksList = c.list(root, "tasks", [], "tasks");
  const tasks = tasksList.map((_, i) => readTask(tasksList, i, c));
  const seen = new Set<string>();
  tasks.forEach((t, i) => {
    const key = `${t.topic}\u0000${String(t.partition)}`;
    if (seen.has(key)) c.fail("DUPLICATE_PARTITION", `partition ${String(t.partition)} of topic ${t.topic} is in the journal twice`, ["tasks", i]);
    seen.add(key);
  });
  const strategy = c.list(root, "strategy", [], "strategy");
  const state: ExecutionState = {
    version: 1,
    id: c.text(root, "id", [], "execution id"),
    startedAt: time(root, "startedAt", [], c),
    updatedAt: time(root, "updatedAt", [], c),
    status: c.oneOf(root, "status", [], "status", STATUSES),
    cancelRequested: readBoolean(root, "cancelRequested", [], c),
    limits: readLimits(root, c),
    strategy: strategy.map((_, i) => c.oneOf(strategy, i, ["strategy"], "a strategy", STRATEGY_NAMES)),
    partitionTimeoutMs: positive(root, "partitionTimeoutMs", [], c),
    brokerDownTimeoutMs: positive(root, "brokerDownTimeoutMs", [], c),
    throttle: readThrottle(root, c),
    tasks,
  };
  if (root["paused"] !== undefined) {
    const paused = c.mapping(root, "paused", [], "paused", ["brokers", "since"]);
    state.paused = { brokers: readReplicas(c, paused, "brokers", ["paused"]), since: time(paused, "since", ["paused"], c) };
  }
  return state;
}

function readBoolean(obj: Readonly<Record<string, unknown>>, key: string, path: InputPath, c: Checker): boolean {
  const value = obj[key];
  if (typeof value !== "boolean") c.fail("SCHEMA", `${key} must be true or false`, [...path, key]);
  return value as boolean;
}

/** A clock reading in ms (the simulator's clock may be fractional). */
function time(obj: Readonly<Record<string, unknown>>, key: string, path: InputPath, c: Checker): number {
  const value = c.number(obj, key, path, key);
  if (value < 0) c.fail("SCHEMA", `${key} must be a time, not negative`, [...path, key]);
  return value;
}

function positive(obj: Readonly<Record<string, unknown>>, key: string, path: InputPath, c: Checker): number {
  const value = c.integer(obj, key, path, key);
  if (value === 0) c.fail("SCHEMA", `${key} must be more than 0`, [...path, key]);
  return value;
}

function readTask(list: readonly unknown[], i: number, c: Checker): TaskRecord {
  const obj = c.mapping(list, i, ["tasks"], "a task", TASK_KEYS);
  const path = ["tasks", i];
  const task: TaskRecord = {
    topic: c.topicName(obj, "topic", path),
    partition: c.id(obj, "partition", path, "partition number"),
    from: readReplicas(c, obj, "from", path),
    to: readReplicas(c, obj, "to", path),
    size: c.integer(obj, "size", path, "size"),
    state: c.oneOf(obj, "state", path, "task state", TASK_STATES),
  };
  if (obj["submittedAt"] !== undefined) task.submittedAt = time(obj, "submittedAt", path, c);
  if (obj["finishedAt"] !== undefined) task.finishedAt = time(obj, "finishedAt", path, c);
  if (obj["note"] !== undefined) {
    // Notes quote Kafka's messages: any string, escaped when printed.
    if (typeof obj["note"] !== "string") c.fail("SCHEMA", "note must be a string", [...path, "note"]);
    task.note = obj["note"] as string;
  }
  if (obj["elected"] !== undefined) task.elected = readBoolean(obj, "elected", path, c);
  return task;
}

/** Infinity does not survive JSON; null stands for "no limit". */
function readLimits(root: Readonly<Record<string, unknown>>, c: Checker): BatchLimits {
  const obj = c.mapping(root, "limits", [], "limits", ["maxMovesPerBroker", "maxMoves", "maxBytesInFlight"]);
  const dec = (key: string): number => (obj[key] === null || obj[key] === undefined ? Number.POSITIVE_INFINITY : positive(obj, key, ["limits"], c));
  return { maxMovesPerBroker: dec("maxMovesPerBroker"), maxMoves: dec("maxMoves"), maxBytesInFlight: dec("maxBytesInFlight") };
}

function readThrottle(root: Readonly<Record<string, unknown>>, c: Checker): ThrottleRecord {
  const obj = c.mapping(root, "throttle", [], "throttle", ["rate", "brokers", "topics"]);
  const path = ["throttle"];
  const rate = obj["rate"] === null ? null : positive(obj, "rate", path, c);
  const brokers = c.asMapping(obj["brokers"], [...path, "brokers"], "throttled brokers");
  const topics = c.asMapping(obj["topics"], [...path, "topics"], "throttled topics");
  return {
    rate,
    brokers: dictFrom(
      Object.keys(brokers).map((id) => {
        if (!/^(0|[1-9]\d{0,9})$/.test(id)) c.fail("SCHEMA", "a throttled broker must be a broker id", [...path, "brokers", id], "key");
        const configs = c.asMapping(brokers[id], [...path, "brokers", id], "a broker's throttle configs");
        return [id, dictFrom(Object.keys(configs).map((key) => [key, c.text(configs, key, [...path, "brokers", id], "a config value")]))] as const;
      }),
    ),
    topics: dictFrom(
      Object.keys(topics).map((topic) => {
        if (!isTopicName(topic)) c.fail("SCHEMA", "a throttled topic must be a legal topic name", [...path, "topics", topic], "key");
        const entry = c.mapping(topics, topic, [...path, "topics"], "a topic's throttle entries", ["leader", "follower"]);
        const list = (side: string): string[] => {
          const items = c.list(entry, side, [...path, "topics", topic], side);
          return items.map((_, j) => c.text(items, j, [...path, "topics", topic, side], "a throttle entry"));
        };
        return [topic, { leader: list("leader"), follower: list("follower") }] as const;
      }),
    ),
  };
}

/**
 * Makes `dir` and any missing parents, one level at a time. Node's `mkdirSync(…, {recursive: true})`
 * never returns under /proc (it retries ENOENT forever); here a level that still fails after its
 * parent was made is an error.
 */
export function makeDirectory(dir: string, depth = 0): void {
  try {
    mkdirSync(dir);
    return;
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === "EEXIST") {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      return;
    }
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir || depth > 64) throw err;
    makeDirectory(parent, depth + 1);
  }
  mkdirSync(dir);
}

export class StateStore {
  private made = false;

  constructor(readonly dir: string) {}

  /** The state folder, made when missing; any problem is a STATE error that names the folder. */
  private ensureDir(): void {
    if (this.made) return;
    try {
      makeDirectory(this.dir);
    } catch (err) {
      throw this.ioError("cannot use", err);
    }
    this.made = true;
  }

  private ioError(doing: string, err: unknown): BallastError {
    const reason = errorCodeOf(err) === "ENOTDIR" && existsSync(this.dir) ? "it exists and is not a folder" : describeIoError(err);
    return new BallastError("STATE", `${doing} the state folder ${quote(this.dir)} (--state-dir): ${reason}`);
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Whether the folder holds an execution state; one that cannot be looked at is a STATE error, not "absent". */
  exists(): boolean {
    try {
      statSync(this.path(STATE_FILE));
      return true;
    } catch (err) {
      if (errorCodeOf(err) === "ENOENT" || errorCodeOf(err) === "ENOTDIR") return false;
      throw this.ioError("cannot look into", err);
    }
  }

  load(): ExecutionState {
    let text: string;
    try {
      text = readFileSync(this.path(STATE_FILE), "utf8");
    } catch (err) {
      if (errorCodeOf(err) !== "ENOENT") throw this.ioError("cannot read", err);
      throw new BallastError("STATE", "no execution state here: start one with 'ballast execute <plan.json>', or pass the --state-dir it used", {
        source: this.dir,
      });
    }
    const source = this.path(STATE_FILE);
    try {
      const { data, locate } = loadJson(text, source);
      return validateState(data, new Checker(locate, () => "STATE"));
    } catch (e) {
      if (e instanceof BallastError) {
        throw new BallastError("STATE", `execution state is unreadable: ${e.message}; fix or remove '${this.dir}' (its plan.json and rollback.json may help)`, e.place);
      }
      throw e;
    }
  }

  /** Atomic replace: write, flush, rename. */
  save(state: ExecutionState): void {
    this.writeAtomic(STATE_FILE, `${JSON.stringify({ ...state, limits: encodeLimits(state.limits) }, null, 1)}\n`);
  }

  /** Writes a side file (the plan, the rollback plan) atomically. */
  writeAtomic(name: string, text: string): void {
    this.ensureDir();
    const final = this.path(name);
    const tmp = `${final}.tmp-${String(process.pid)}`;
    try {
      const fd = openSync(tmp, "w");
      try {
        writeFileSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, final);
    } catch (err) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Never made: nothing to remove.
      }
      throw this.ioError("cannot write to", err);
    }
  }

  /** Leaves a request (cancel, a new throttle rate) for the process running the execution. */
  putRequest(name: string, value: string): void {
    this.writeAtomic(name, value);
  }

  /** Takes a pending request: its value, or null when there is none. */
  takeRequest(name: string): string | null {
    const path = this.path(name);
    let value: string;
    try {
      value = readFileSync(path, "utf8");
    } catch (err) {
      if (errorCodeOf(err) === "ENOENT") return null;
      throw this.ioError(`cannot read the request ${quote(name)} in`, err);
    }
    rmSync(path, { force: true });
    return value.trim();
  }

  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }

  /**
   * Takes the lock for this process. A lock left by a process that no longer runs is taken over
   * (the executor was killed); a lock held by a live process is an error.
   */
  lock(): void {
    this.ensureDir();
    const holder = this.lockHolder();
    if (holder !== null && holder !== process.pid && isAlive(holder)) {
      throw new BallastError("STATE", `another ballast process (pid ${String(holder)}) is running the execution in '${this.dir}'`, {
        source: this.dir,
      });
    }
    this.writeAtomic(LOCK_FILE, `${String(process.pid)}\n`);
  }

  unlock(): void {
    if (this.lockHolder() === process.pid) rmSync(this.path(LOCK_FILE), { force: true });
  }

  /**
   * The pid in the lock file, or null when there is no lock file or it names no pid. A lock file
   * that exists but cannot be read (a folder in its place, no permission) is a STATE error, not
   * "unlocked": taking the lock over could run two executors at once.
   */
  lockHolder(): number | null {
    let text: string;
    try {
      text = readFileSync(this.path(LOCK_FILE), "utf8");
    } catch (err) {
      if (errorCodeOf(err) === "ENOENT") return null;
      throw this.ioError(`cannot read the lock file ${quote(LOCK_FILE)} of`, err);
    }
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isFinite(pid) ? pid : null;
  }

  /** Whether a live process other than this one holds the lock. */
  lockedByOther(): boolean {
    const holder = this.lockHolder();
    return holder !== null && holder !== process.pid && isAlive(holder);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A state store held in memory, for simulated executions whose journal nobody resumes: the same
 * calls as StateStore, without writing (and flushing) the journal on every change.
 */
export class MemoryStateStore extends StateStore {
  private state: ExecutionState | undefined;
  private readonly files = new Map<string, string>();

  constructor() {
    super("(in memory)");
  }

  override exists(): boolean {
    return this.state !== undefined;
  }

  override load(): ExecutionState {
    if (this.state === undefined) throw new BallastError("STATE", "no execution state in memory");
    return this.state;
  }

  override save(state: ExecutionState): void {
    this.state = state;
  }

  override writeAtomic(name: string, text: string): void {
    this.files.set(name, text);
  }

  override takeRequest(name: string): string | null {
    const value = this.files.get(name);
    this.files.delete(name);
    return value === undefined ? null : value.trim();
  }

  override read(name: string): string {
    const value = this.files.get(name);
    if (value === undefined) throw new BallastError("STATE", `no ${name} in memory`);
    return value;
  }

  override lock(): void {}

  override unlock(): void {}

  override lockHolder(): number | null {
    return null;
  }

  override lockedByOther(): boolean {
    return false;
  }
}
