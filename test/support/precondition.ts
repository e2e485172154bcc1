/**
 * Counting for filtered properties: how many generated cases met the precondition, of how many tried.
 * fast-check replaces a case that fails `fc.pre` with another, so a filter that keeps few cases only
 * slows a property down; one that keeps almost none checks little. `atLeast` makes both visible.
 */
import assert from "node:assert/strict";
import fc from "fast-check";

export class Precondition {
  private tried = 0;
  private met = 0;

  /** `what`: the cases kept, for the failure message ("clusters with a plan"). */
  constructor(private readonly what: string) {}

  /** `fc.pre(condition)`, counted. (Declare the instance with its type for the assertion to narrow.) */
  pre(condition: boolean): asserts condition {
    this.tried++;
    if (condition) this.met++;
    fc.pre(condition);
  }

  /** At least `least` cases met the precondition, and at least `share` of those tried. */
  atLeast(least: number, share: number): void {
    const line = `${String(this.met)} of ${String(this.tried)} cases were ${this.what}`;
    assert.ok(this.met >= least, `only ${line} (at least ${String(least)} wanted)`);
    assert.ok(this.met >= share * this.tried, `only ${line} (at least ${String(share * 100)} % wanted)`);
  }
}
