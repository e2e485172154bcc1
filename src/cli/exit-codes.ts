/**
 * Every exit status of `ballast`, in one table: what ends a command, and the status a script sees.
 * docs/exit-codes.md is this table in prose; test/cli/exit-codes.test.ts keeps the two in step.
 */
import type { ErrorCode } from "../model/errors.js";

export const EXIT_OK = 0;
/** A bug in Ballast (an INTERNAL error, or anything thrown that is not a BallastError). */
export const EXIT_BUG = 1;
/** Bad input: a flag, a file, a plan that does not fit the cluster; nothing was changed. */
export const EXIT_USAGE = 2;
/** `execute`: the execution ended with moves that failed or timed out. */
export const EXIT_PARTIAL = 3;
/** `execute`: the execution was cancelled (`ballast cancel`). */
export const EXIT_CANCELLED = 4;
/** Another Ballast execution holds the cluster's execution lock (execute, cancel). */
export const EXIT_LOCKED = 5;
/** `plan`, `assign`: the request cannot be met (replication factor above the brokers, --strict-capacity, …). */
export const EXIT_INFEASIBLE = 6;
/** A Kafka call failed: no connection, authentication or authorization refused, a request refused. */
export const EXIT_KAFKA = 7;
/** The execution state folder (--state-dir) is missing, unreadable, locked or for another plan. */
export const EXIT_STATE = 8;
/**
 * `balance`: the job refused to act (under-replicated partitions it does not heal, reassignments it
 * did not start, a plan it cannot make, healing turned off).
 */
export const EXIT_REFUSED = 9;
/** `execute` stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
/** `execute` stopped by SIGTERM (128 + SIGTERM). */
export const EXIT_TERMINATED = 143;

/** The exit status of each error code. Adding a code without a status here fails to compile. */
export const EXIT_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  PARSE_ERROR: EXIT_USAGE,
  UNSUPPORTED_VERSION: EXIT_USAGE,
  SCHEMA: EXIT_USAGE,
  DUPLICATE_BROKER: EXIT_USAGE,
  DUPLICATE_PARTITION: EXIT_USAGE,
  DUPLICATE_TOPIC: EXIT_USAGE,
  UNKNOWN_BROKER: EXIT_USAGE,
  DUPLICATE_REPLICA: EXIT_USAGE,
  EMPTY_REPLICAS: EXIT_USAGE,
  INVALID_NUMBER: EXIT_USAGE,
  INVALID_UNIT: EXIT_USAGE,
  MIXED_RACKS: EXIT_USAGE,
  LEADER_NOT_REPLICA: EXIT_USAGE,
  CONFIG: EXIT_USAGE,
  USAGE: EXIT_USAGE,
  IO: EXIT_USAGE,
  PREFLIGHT: EXIT_USAGE,
  INFEASIBLE: EXIT_INFEASIBLE,
  KAFKA: EXIT_KAFKA,
  AUTH: EXIT_KAFKA,
  STATE: EXIT_STATE,
  LOCKED: EXIT_LOCKED,
  INTERNAL: EXIT_BUG,
};
