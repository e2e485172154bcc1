/**
 * Numbered items (0 … items − 1), each on at most one of some numbered lists (0 … lists − 1): put
 * on a list, taken off and walked in O(1) per item, in typed arrays (no object per item). The task
 * book keeps its pending tasks this way: on the list of the full broker each waits on, or on the
 * list of those to look at again; a poll walks a few lists and moves tasks between them.
 */
export class NumberLists {
  /** The list each item is on (-1: none). */
  private readonly on: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;

  constructor(items: number, lists: number) {
    this.on = new Int32Array(items).fill(-1);
    this.next = new Int32Array(items).fill(-1);
    this.prev = new Int32Array(items).fill(-1);
    this.head = new Int32Array(lists).fill(-1);
    this.tail = new Int32Array(lists).fill(-1);
  }

  /** The list `item` is on, or -1. */
  listOf(item: number): number {
    return this.on[item]!;
  }

  /** Puts `item` at the end of `list`, taking it off the list it was on (even when that is `list`). */
  put(item: number, list: number): void {
    this.remove(item);
    const last = this.tail[list]!;
    this.prev[item] = last;
    this.next[item] = -1;
    if (last < 0) this.head[list] = item;
    else this.next[last] = item;
    this.tail[list] = item;
    this.on[item] = list;
  }

  /** Takes `item` off its list (nothing when it is on none). */
  remove(item: number): void {
    const list = this.on[item]!;
    if (list < 0) return;
    const before = this.prev[item]!;
    const after = this.next[item]!;
    if (before < 0) this.head[list] = after;
    else this.next[before] = after;
    if (after < 0) this.tail[list] = before;
    else this.prev[after] = before;
    this.on[item] = -1;
    this.prev[item] = -1;
    this.next[item] = -1;
  }

  /**
   * Calls `visit` with each item of `list`, first to last. `visit` may move the item it is given
   * to another list or take it off (the walk goes on with the item that followed it); put back at
   * the end of the list being walked, it is visited again.
   */
  walk(list: number, visit: (item: number) => void): void {
    for (let item = this.head[list]!; item >= 0; ) {
      const after = this.next[item]!;
      visit(item);
      item = after;
    }
  }

  /** The items of `list`, first to last. */
  items(list: number): number[] {
    const out: number[] = [];
    this.walk(list, (item) => out.push(item));
    return out;
  }
}
