/**
 * Typed errors. Every error a user can cause carries a code, a message a person can act on and,
 * where it applies, the place in the input (a path such as `topics[2].partitions[0].replicas` and,
 * for files, a line). Expected outcomes of planning (infeasible goals) are results, not errors;
 * an infeasible *request* (one the user asked for and that cannot be met) is a BallastError.
 */
export type ErrorCode =
  | "PARSE_ERROR"
  | "UNSUPPORTED_VERSION"
  | "SCHEMA"
  | "DUPLICATE_BROKER"
  | "DUPLICATE_PARTITION"
  | "DUPLICATE_TOPIC"
  | "UNKNOWN_BROKER"
  | "DUPLICATE_REPLICA"
  | "EMPTY_REPLICAS"
  | "INVALID_NUMBER"
  | "INVALID_UNIT"
  | "MIXED_RACKS"
  | "LEADER_NOT_REPLICA"
  | "CONFIG"
  | "INFEASIBLE"
  | "USAGE"
  | "IO"
  /** A Kafka call failed or the cluster refused a request. */
  | "KAFKA"
  /**
   * Kafka refused who Ballast is (a SASL login, a certificate) or what it may do (a missing ACL).
   * Never retried: waiting does not fix either.
   */
  | "AUTH"
  /** The executor refused to start or go on (stale plan, foreign reassignments, under-replication). */
  | "PREFLIGHT"
  /** The execution state folder is missing, locked, or does not match the plan. */
  | "STATE"
  /** Another Ballast execution holds the cluster's execution lock. */
  | "LOCKED"
  /** A bug in Ballast: a check that should never fail did. */
  | "INTERNAL";

export interface ErrorPlace {
  /** Source name, usually a file path. */
  readonly source?: string;
  /** Path inside the document, e.g. `brokers[3].id`. */
  readonly path?: string;
  /** 1-based line and column in the source text, when known. */
  readonly line?: number;
  readonly column?: number;
}

export class BallastError extends Error {
  readonly code: ErrorCode;
  readonly place: ErrorPlace;
  /**
   * Whether trying the same thing again later may succeed (a broker restarting, a leader moving).
   * False for failures that wait cannot cure: authentication, authorization, configuration. Only
   * KAFKA errors set it; absent means "not known", which the executor treats as retryable.
   */
  readonly retryable?: boolean;

  constructor(code: ErrorCode, message: string, place: ErrorPlace = {}, retryable?: boolean) {
    super(message);
    this.name = "BallastError";
    this.code = code;
    this.place = place;
    if (retryable !== undefined) this.retryable = retryable;
  }

  /** Returns a copy with more place information (the first value wins). */
  withPlace(place: ErrorPlace): BallastError {
    const merged: ErrorPlace = { ...place, ...dropUndefined(this.place) };
    const err = new BallastError(this.code, this.message, merged, this.retryable);
    return err;
  }

  /** One line, the form the CLI prints after `error: `. */
  describe(): string {
    const where = formatPlace(this.place);
    return where ? `${where}: ${this.message}` : this.message;
  }
}

function dropUndefined(place: ErrorPlace): ErrorPlace {
  const out: { -readonly [K in keyof ErrorPlace]: ErrorPlace[K] } = {};
  if (place.source !== undefined) out.source = place.source;
  if (place.path !== undefined) out.path = place.path;
  if (place.line !== undefined) out.line = place.line;
  if (place.column !== undefined) out.column = place.column;
  return out;
}

export function formatPlace(place: ErrorPlace): string {
  let s = place.source ?? "";
  if (place.line !== undefined) {
    s += `${s ? ":" : "line "}${place.line}`;
    if (place.column !== undefined) s += `:${place.column}`;
  }
  if (place.path !== undefined && place.path !== "") s += `${s ? " " : ""}(${place.path})`;
  return s;
}

export function isBallastError(e: unknown): e is BallastError {
  return e instanceof BallastError;
}

/**
 * A check that should never fail did: a bug in Ballast, not in the input. `what` says which check;
 * the CLI adds that it is a bug and what to attach to a report.
 */
export function internalError(what: string): BallastError {
  return new BallastError("INTERNAL", what);
}

const IO_ERROR_TEXT: ReadonlyMap<string, string> = new Map([
  ["ENOENT", "no such file or directory"],
  ["EACCES", "permission denied"],
  ["EPERM", "permission denied"],
  ["EISDIR", "is a directory"],
  ["ENOTDIR", "a parent is not a directory"],
  ["EEXIST", "already exists"],
  ["EROFS", "read-only file system"],
  ["ENOSPC", "no space left on device"],
  ["ELOOP", "too many symbolic links"],
  ["ENAMETOOLONG", "the name is too long"],
  ["EMFILE", "too many open files"],
  ["EINVAL", "invalid argument"],
  ["ERR_STRING_TOO_LONG", "the file is too large to read"],
]);

/** The `code` of a Node system error (ENOENT, EACCES, …), if it has one. */
export function errorCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A file system error in a few words ("permission denied"), without the path Node puts in its message. */
export function describeIoError(err: unknown): string {
  const code = errorCodeOf(err);
  const text = code === undefined ? undefined : IO_ERROR_TEXT.get(code);
  if (text !== undefined) return text;
  if (code !== undefined) return code;
  return err instanceof Error ? err.message : String(err);
}
