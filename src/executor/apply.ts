/**
 * Applying a plan from a program rather than the CLI: the plan as the executor takes it, and the
 * execution context over a port and a state folder. The executor's operations themselves are in
 * execute.ts; this file only assembles their inputs the way `ballast execute` does.
 */
import type { Reassignment } from "../model/types.js";
import type { ExecutionContext } from "./execute.js";
import { StateStore } from "./journal.js";
import type { KafkaPort } from "./port.js";
import type { Emit, ExecutionPlan, StopSignal } from "./runner.js";
import { systemClock, type Clock } from "./types.js";

/**
 * A reassignment ready to execute. A plan Ballast wrote records the replicas each partition had
 * when it was made (`madeFrom`): the executor then refuses partitions that have changed since.
 */
export function executionPlan(reassignment: Reassignment): ExecutionPlan {
  if (reassignment.madeFrom === undefined) return { reassignment };
  return { reassignment, madeFrom: new Map(reassignment.madeFrom.map((o) => [`${o.topic}-${String(o.partition)}`, o.replicas])) };
}

export interface ContextOptions {
  /** The state folder: the journal, the plan and its rollback (as `ballast execute --state-dir`). */
  readonly stateDir: string;
  /** Sees every event: start, progress, finished partitions, warnings, the end (default: none). */
  readonly emit?: Emit;
  /** Set `level` (or `halt`) from outside to stop the run; see StopSignal (default: never stops). */
  readonly stop?: StopSignal;
  /** The executor's clock (default: the system's; the simulator brings its own). */
  readonly clock?: Clock;
  /** Time between passes of the loop, ms (default 1000). */
  readonly pollMs?: number;
}

/** The context startExecution, resumeExecution and cancelExecution take, over `port`. */
export function executionContext(port: KafkaPort, options: ContextOptions): ExecutionContext {
  return {
    port,
    store: new StateStore(options.stateDir),
    clock: options.clock ?? systemClock,
    emit: options.emit ?? (() => undefined),
    stop: options.stop ?? { level: 0 },
    pollMs: options.pollMs ?? 1000,
  };
}
