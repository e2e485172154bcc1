/** Shared by the model tests: fixture files and assertions on BallastErrors. */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isBallastError, type BallastError, type ErrorCode } from "../../src/model/errors.js";
import { FIXTURES } from "../support/fixtures.js";

export { FIXTURES };

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

/** The names of fixture files in a folder of fixtures/ ("" for the top), by extension. */
export function fixtureNames(folder: string, extension: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith(extension))
    .sort();
}

export interface ExpectedError {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message?: RegExp;
}

/** Runs `fn`, which must throw a BallastError matching `expected`; returns the error. */
export function throwsBallast(fn: () => unknown, expected: ExpectedError): BallastError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(isBallastError(thrown), `expected a BallastError ${expected.code}, got ${String(thrown)}`);
  assert.equal(thrown.code, expected.code, thrown.describe());
  if (expected.path !== undefined) assert.equal(thrown.place.path, expected.path, thrown.describe());
  if (expected.line !== undefined) assert.equal(thrown.place.line, expected.line, thrown.describe());
  if (expected.column !== undefined) assert.equal(thrown.place.column, expected.column, thrown.describe());
  if (expected.message !== undefined) assert.match(thrown.message, expected.message);
  return thrown;
}
