/**
 * The execution journal: everything needed to finish, cancel or roll back an execution after the
 * executor dies, kept in a state folder (default `.ballast/`). Every write goes to a temporary file
 * that is flushed and renamed over the old one, so a crash leaves either the old or the new state,
 * never a torn one. A lock file names the process that runs the execution.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { BallastError } from "../model/errors.js";
import type { BatchLimits, MoveTask, StrategyName } from "./types.js";

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
  moving: ["done", "failed", "timed-out", "skipped", "cancelled"],
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

export type ExecutionStatus = "running" | "completed" | "cancelled" | "failed";

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
}

const STATE_FILE = "state.json";
const LOCK_FILE = "lock";

export function transition(task: TaskRecord, to: TaskState, now: number, note?: string): void {
  if (task.state === to) return;
  if (!TRANSITIONS[task.state].includes(to)) {
    throw new Error(`bug: task ${task.topic}-${String(task.partition)} cannot go from ${task.state} to ${to}`);
  }
  task.state = to;
  if (to === "moving" || to === "submitting") task.submittedAt ??= now;
  if (FINAL_STATES.has(to)) task.finishedAt = now;
  if (note !== undefined) task.note = note;
}

/** Infinity does not survive JSON; limits are stored with null for "no limit". */
function encodeLimits(l: BatchLimits): Record<string, number | null> {
  const enc = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { maxMovesPerBroker: enc(l.maxMovesPerBroker), maxMoves: enc(l.maxMoves), maxBytesInFlight: enc(l.maxBytesInFlight) };
}

function decodeLimits(raw: unknown): BatchLimits {
  const r = (raw ?? {}) as Record<string, number | null>;
  const dec = (x: number | null | undefined): number => (typeof x === "number" ? x : Number.POSITIVE_INFINITY);
  return { maxMovesPerBroker: dec(r["maxMovesPerBroker"]), maxMoves: dec(r["maxMoves"]), maxBytesInFlight: dec(r["maxBytesInFlight"]) };
}

export class StateStore {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, name);
  }

  exists(): boolean {
    return existsSync(this.path(STATE_FILE));
  }

  load(): ExecutionState {
    let text: string;
    try {
      text = readFileSync(this.path(STATE_FILE), "utf8");
    } catch {
      throw new BallastError("STATE", "no execution state here: start one with 'ballast execute <plan.json>', or pass the --state-dir it used", {
        source: this.dir,
      });
    }
    let raw: ExecutionState & { limits: unknown };
    try {
      raw = JSON.parse(text) as ExecutionState & { limits: unknown };
    } catch (e) {
      throw new BallastError("STATE", `execution state is unreadable: ${(e as Error).message}`, { source: this.path(STATE_FILE) });
    }
    if (raw.version !== 1 || !Array.isArray(raw.tasks)) {
      throw new BallastError("STATE", "execution state has an unknown format", { source: this.path(STATE_FILE) });
    }
    return { ...raw, limits: decodeLimits(raw.limits) };
  }

  /** Atomic replace: write, flush, rename. */
  save(state: ExecutionState): void {
    mkdirSync(this.dir, { recursive: true });
    this.writeAtomic(STATE_FILE, `${JSON.stringify({ ...state, limits: encodeLimits(state.limits) }, null, 1)}\n`);
  }

  /** Writes a side file (the plan, the rollback plan) atomically. */
  writeAtomic(name: string, text: string): void {
    mkdirSync(this.dir, { recursive: true });
    const final = this.path(name);
    const tmp = `${final}.tmp-${String(process.pid)}`;
    const fd = openSync(tmp, "w");
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
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
    } catch {
      return null;
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
    mkdirSync(this.dir, { recursive: true });
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

  /** The pid in the lock file, or null. */
  lockHolder(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.path(LOCK_FILE), "utf8").trim(), 10);
      return Number.isFinite(pid) ? pid : null;
    } catch {
      return null;
    }
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
