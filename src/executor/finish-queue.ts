/**
 * The simulator's copies in the order they will finish, so that a step of the simulation looks at
 * the few copies that finish next rather than at every copy running.
 *
 * A copy runs at a constant rate between events; its progress is kept as bytes `base` at virtual
 * time `baseAt` (ms). Finding the next event by scanning every copy costs the number of copies per
 * event, and a simulation of tens of thousands of copies has tens of thousands of events. Here each
 * copy waits in a heap keyed by its estimated finish time, set when its rate changes. The estimate
 * is only used to find candidates: the step and the copies it finishes are then computed from the
 * candidates exactly as a scan of every copy computes them (`msToFinish`, and the same tolerance),
 * so the simulation takes the same steps, to the last bit, as one that scans. A candidate window far
 * wider than any rounding in the estimate makes sure that no copy the scan would pick is missed.
 */

/** A copy as the queue sees it. The queue keeps `queued` (set it to 0 on a new copy). */
export interface QueuedCopy {
  /** Bytes to copy in all. */
  readonly size: number;
  /** Bytes copied at `baseAt` (virtual ms). */
  base: number;
  baseAt: number;
  /** Bytes/s; a copy at 0 (or NaN) waits and never finishes. */
  rate: number;
  /** Finished copies come out in this order (the order the copies started in). */
  readonly order: number;
  /** The queue's mark: which of its entries for the copy is current (odd: the copy is queued). */
  queued: number;
}

/** Bytes a copy holds at `t` (ms). */
export function copiedAt(c: QueuedCopy, t: number): number {
  return Math.min(c.size, c.base + (c.rate * (t - c.baseAt)) / 1000);
}

/** Ms from `t` until a copy finishes at its rate. */
export function msToFinish(c: QueuedCopy, t: number): number {
  return ((c.size - copiedAt(c, t)) / c.rate) * 1000;
}

/** Whether a copy finishes within `step` ms from `t` (within rounding). */
export function finishesWithin(c: QueuedCopy, t: number, step: number): boolean {
  return msToFinish(c, t) <= step * (1 + 1e-9) + 1e-9;
}

/** When a copy finishes at its rate (ms), as estimated when its rate was set. */
function estimatedFinish(c: QueuedCopy): number {
  return c.baseAt + ((c.size - c.base) / c.rate) * 1000;
}

/** The next step of a simulation: how long the rates hold, and the copies that finish at its end. */
export interface FinishStep<C> {
  readonly step: number;
  readonly finished: C[];
}

export class FinishQueue<C extends QueuedCopy> {
  private readonly estimates: number[] = [];
  private readonly copies: C[] = [];
  private readonly marks: number[] = [];
  private count = 0;

  /** Copies queued: those running at a rate above 0. */
  get active(): number {
    return this.count;
  }

  /** Takes a copy in, or its new rate and progress (call after every change of `rate`). */
  update(c: C): void {
    this.remove(c);
    if (!(c.rate > 0)) return;
    c.queued += 1;
    this.count++;
    this.push(estimatedFinish(c), c, c.queued);
  }

  /** Takes a copy out (it stopped). */
  remove(c: C): void {
    if (c.queued % 2 === 0) return;
    c.queued += 1;
    this.count--;
  }

  /**
   * The step from `t` to the next copy finishing or to `toMs`, whichever comes first, and the copies
   * that finish at its end (in `order`); undefined when no copy runs. Exactly what scanning every
   * queued copy gives: the step is the least msToFinish (capped at `toMs - t`), the copies those
   * finishesWithin it. The finished copies are out of the queue but counted in `active` until removed.
   */
  next(t: number, toMs: number): FinishStep<C> | undefined {
    this.dropStale();
    if (this.copies.length === 0) return undefined;
    const first = this.estimates[0]!;
    // Rounding in an estimate is a few parts in 1e16 of the times involved; this window is far wider.
    const window = first + 1e-6 + 1e-8 * (Math.abs(first) + Math.abs(t));
    const candidates: C[] = [];
    while (this.copies.length > 0 && this.estimates[0]! <= window) {
      const mark = this.marks[0]!;
      const c = this.pop();
      if (c.queued === mark) candidates.push(c);
    }
    let nextFinish = Number.POSITIVE_INFINITY;
    for (const c of candidates) nextFinish = Math.min(nextFinish, msToFinish(c, t));
    const step = Math.min(toMs - t, nextFinish);
    const finished: C[] = [];
    for (const c of candidates) {
      if (finishesWithin(c, t, step)) finished.push(c);
      else this.push(estimatedFinish(c), c, c.queued);
    }
    finished.sort((a, b) => a.order - b.order);
    return { step, finished };
  }

  /** Pops stale entries off the top. */
  private dropStale(): void {
    while (this.copies.length > 0 && this.copies[0]!.queued !== this.marks[0]) this.pop();
  }

  private push(estimate: number, c: C, mark: number): void {
    let i = this.estimates.length;
    this.put(i, estimate, c, mark);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.estimates[parent]! <= estimate) break;
      this.shift(parent, i);
      i = parent;
    }
    this.put(i, estimate, c, mark);
  }

  private pop(): C {
    const { estimates } = this;
    const top = this.copies[0]!;
    const estimate = estimates.pop()!;
    const c = this.copies.pop()!;
    const mark = this.marks.pop()!;
    const n = estimates.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const least = right < n && estimates[right]! < estimates[left]! ? right : left;
      if (estimates[least]! >= estimate) break;
      this.shift(least, i);
      i = least;
    }
    this.put(i, estimate, c, mark);
    return top;
  }

  /** Writes an entry at heap index `i`. */
  private put(i: number, estimate: number, c: C, mark: number): void {
    this.estimates[i] = estimate;
    this.copies[i] = c;
    this.marks[i] = mark;
  }

  /** Copies the entry at heap index `from` to `to`. */
  private shift(from: number, to: number): void {
    this.put(to, this.estimates[from]!, this.copies[from]!, this.marks[from]!);
  }
}
