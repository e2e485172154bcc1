/**
 * Sizes and rates as they appear in files ("2TiB", "100 MiB/s" or plain numbers) and as people read
 * them ("1.5 GiB"). Parsed values are whole bytes (or bytes per second).
 */
import { BallastError } from "./errors.js";
import { quote } from "./text.js";

/** A quantity in a file is either a size (bytes) or a rate (bytes per second). */
export type QuantityKind = "size" | "rate";

/** Multipliers of every unit a file may use. Decimal units are powers of 1000, binary ones of 1024. */
const UNIT_FACTORS: ReadonlyMap<string, number> = new Map([
  ["B", 1],
  ["kB", 1e3],
  ["KB", 1e3],
  ["MB", 1e6],
  ["GB", 1e9],
  ["TB", 1e12],
  ["PB", 1e15],
  ["KiB", 2 ** 10],
  ["MiB", 2 ** 20],
  ["GiB", 2 ** 30],
  ["TiB", 2 ** 40],
  ["PiB", 2 ** 50],
]);

const ACCEPTED_UNITS =
  "B, KB (or kB), MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)";

/** A number, optional spaces, then whatever follows (the unit). */
const QUANTITY_PATTERN = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;
const RATE_SUFFIX = /\s*\/\s*s$/;

/** Why a value is not a quantity; turned into a BallastError by whoever knows where the value is. */
export class QuantityProblem {
  constructor(
    readonly code: "INVALID_NUMBER" | "INVALID_UNIT",
    readonly message: string,
  ) {}
}

/**
 * Reads a size or rate without throwing: the whole number of bytes (per second), or the problem.
 * The fast path for plain numbers allocates nothing, which matters for snapshots with millions of
 * partitions.
 */
export function readQuantity(value: unknown, kind: QuantityKind): number | QuantityProblem {
  if (typeof value === "number") return checkAmount(value, value, kind);
  if (typeof value === "string") return readQuantityString(value, kind);
  return new QuantityProblem("INVALID_NUMBER", `expected ${expectation(kind)}; found ${describeValue(value)}`);
}

/**
 * Like readQuantity, but the unit must be written: a bare number (`2000`, `"2000"`, `"100/s"`) is
 * refused. For figures that are easy to get wrong by a factor of a million, such as capacities.
 */
export function readQuantityWithUnit(value: unknown, kind: QuantityKind): number | QuantityProblem {
  const result = readQuantity(value, kind);
  if (result instanceof QuantityProblem) return result;
  const unit = typeof value === "string" ? (QUANTITY_PATTERN.exec(value)?.[2] ?? "").replace(RATE_SUFFIX, "") : "";
  if (unit !== "") return result;
  const example = kind === "size" ? `"2TiB"` : `"100MiB/s"`;
  return new QuantityProblem("INVALID_UNIT", `${describeValue(value)} has no unit; write the ${kind} with its unit, e.g. ${example}`);
}

function readQuantityString(text: string, kind: QuantityKind): number | QuantityProblem {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) {
    return new QuantityProblem("INVALID_NUMBER", `expected ${expectation(kind)}; found ${quote(text)}`);
  }
  const amount = Number(match[1]);
  const factor = unitFactor(match[2] ?? "", text, kind);
  if (factor instanceof QuantityProblem) return factor;
  return checkAmount(amount * factor, text, kind);
}

/** The multiplier for the unit part of a quantity string, enforcing "/s" on rates and only on rates. */
function unitFactor(unitText: string, text: string, kind: QuantityKind): number | QuantityProblem {
  if (unitText === "") return 1;
  const isRate = RATE_SUFFIX.test(unitText);
  if (kind === "size" && isRate) {
    return new QuantityProblem("INVALID_UNIT", `${quote(text)} is a rate, but a size is expected here (e.g. "500GB")`);
  }
  if (kind === "rate" && !isRate) {
    return new QuantityProblem("INVALID_UNIT", `${quote(text)} is a size, but a rate is expected here; end the unit with /s (e.g. "100MiB/s")`);
  }
  const unit = unitText.replace(RATE_SUFFIX, "");
  if (kind === "rate" && unit === "") return 1;
  const factor = UNIT_FACTORS.get(unit);
  if (factor === undefined) {
    return new QuantityProblem("INVALID_UNIT", `unknown unit ${quote(unit)} in ${quote(text)}; use ${ACCEPTED_UNITS}${kind === "rate" ? " followed by /s" : ""}`);
  }
  return factor;
}

/**
 * Rounds to whole bytes and rejects what cannot be a size: negative, NaN, infinite, beyond 2^53.
 * `written` is the value as found, described only when there is a problem.
 */
function checkAmount(amount: number, written: number | string, kind: QuantityKind): number | QuantityProblem {
  // "+ 0" turns -0 (from "-0") into 0.
  if (amount >= 0 && amount <= Number.MAX_SAFE_INTEGER) return Math.round(amount) + 0;
  const found = describeValue(written);
  if (Number.isNaN(amount) || !Number.isFinite(amount)) {
    return new QuantityProblem("INVALID_NUMBER", `expected ${expectation(kind)}; found ${found}`);
  }
  if (amount < 0) {
    return new QuantityProblem("INVALID_NUMBER", `${found} is negative; a ${kind} must be zero or more`);
  }
  return new QuantityProblem("INVALID_NUMBER", `${found} is too large (more than ${Number.MAX_SAFE_INTEGER} bytes)`);
}

function expectation(kind: QuantityKind): string {
  return kind === "size"
    ? `a size: a number of bytes or a string such as "500GB" or "2TiB"`
    : `a rate: a number of bytes per second or a string such as "20MB/s" or "100MiB/s"`;
}

/** A short, readable rendering of any value for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return quote(value);
  return String(value);
}

function quantityOrThrow(value: unknown, path: string, kind: QuantityKind): number {
  const result = readQuantity(value, kind);
  if (result instanceof QuantityProblem) throw new BallastError(result.code, result.message, { path });
  return result;
}

/** Parses a size: a non-negative number of bytes or a string such as "2TiB", "500GB", "1.5 GiB". */
export function parseBytes(value: unknown, path: string): number {
  return quantityOrThrow(value, path, "size");
}

/** Parses a rate: a non-negative number of bytes per second or a string such as "100MiB/s". */
export function parseRate(value: unknown, path: string): number {
  return quantityOrThrow(value, path, "rate");
}

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** A size for people: "512 B", "1.5 GiB", "123 TiB" (three significant digits, binary units). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  let value = Math.abs(n);
  let unit = 0;
  while (unit < BINARY_UNITS.length - 1 && roundForDisplay(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${sign}${roundForDisplay(value)} ${BINARY_UNITS[unit]}`;
}

/** A rate for people: "200 MiB/s". */
export function formatRate(n: number): string {
  return `${formatBytes(n)}/s`;
}

/** Three significant digits, at most two decimals, no trailing zeros. */
function roundForDisplay(value: number): number {
  const decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
  return Number(value.toFixed(decimals));
}

/** Units for writing, largest first ("kB" is only accepted, never written). */
const UNITS_LARGEST_FIRST = [...UNIT_FACTORS].filter(([unit]) => unit !== "kB").sort((a, b) => b[1] - a[1]);

/**
 * A short unit string that parses back to exactly `n` when there is one ("2TiB", "1.5GiB", "500GB"),
 * else `n` itself. Used by the YAML writer: it reads better than 2199023255552.
 */
export function exactQuantity(n: number, kind: QuantityKind): number | string {
  if (n === 0 || !Number.isSafeInteger(n)) return n;
  for (const [unit, factor] of UNITS_LARGEST_FIRST) {
    const amount = String(n / factor);
    // The same arithmetic as the parser, so the string reads back as exactly n.
    if (n >= factor && amount.length <= 6 && Math.round(Number(amount) * factor) === n) {
      return unit === "B" ? n : `${amount}${unit}${kind === "rate" ? "/s" : ""}`;
    }
  }
  return n;
}
