/**
 * A number per small integer key (a rack, a topic), remembered for the length of one call and
 * forgotten by the next `begin` without clearing anything: each entry carries the stamp of the call
 * that wrote it. Reused from call to call (the planner is single-threaded and a call ends before the
 * next begins), so hot loops build no map per call.
 */
export class CallMemo {
  private stamp = new Uint32Array(0);
  private value = new Float64Array(0);
  private now = 0;

  /** Forgets every key's value; room for keys 0 .. size - 1. */
  begin(size: number): this {
    if (this.stamp.length < size) {
      this.stamp = new Uint32Array(size);
      this.value = new Float64Array(size);
      this.now = 0;
    }
    if (++this.now === 0xffffffff) {
      this.stamp.fill(0);
      this.now = 1;
    }
    return this;
  }

  has(key: number): boolean {
    return this.stamp[key] === this.now;
  }

  /** The value set for `key` in this call (only after has(key)). */
  get(key: number): number {
    return this.value[key]!;
  }

  set(key: number, v: number): void {
    this.stamp[key] = this.now;
    this.value[key] = v;
  }
}
