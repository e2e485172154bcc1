/** NumberLists against a plain model (each item's list, each list's items in order) over random runs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NumberLists } from "../../src/executor/number-lists.js";

const ITEMS = 12;
const LISTS = 4;

type Step = { readonly op: "put" | "remove" | "walk"; readonly item: number; readonly list: number };

const steps = fc.array(
  fc.record({ op: fc.constantFrom<Step["op"]>("put", "put", "remove", "walk"), item: fc.nat(ITEMS - 1), list: fc.nat(LISTS - 1) }),
  { maxLength: 120 },
);

test("property: lists hold what a plain model holds, in order, whatever is put, removed or moved during a walk", () => {
  fc.assert(
    fc.property(steps, (run) => {
      const lists = new NumberLists(ITEMS, LISTS);
      const model: number[][] = Array.from({ length: LISTS }, () => []);
      const modelPut = (item: number, list: number): void => {
        for (const l of model) if (l.includes(item)) l.splice(l.indexOf(item), 1);
        model[list]!.push(item);
      };
      for (const { op, item, list } of run) {
        if (op === "put") {
          lists.put(item, list);
          modelPut(item, list);
        } else if (op === "remove") {
          lists.remove(item);
          for (const l of model) if (l.includes(item)) l.splice(l.indexOf(item), 1);
        } else {
          // Walk a list, moving every other item to the next list (as the task book moves tasks).
          const seen: number[] = [];
          const target = (list + 1) % LISTS;
          const snapshot = [...model[list]!];
          lists.walk(list, (x) => {
            seen.push(x);
            if (seen.length % 2 === 0) lists.put(x, target);
          });
          assert.deepEqual(seen, snapshot);
          snapshot.forEach((x, i) => {
            if ((i + 1) % 2 === 0) modelPut(x, target);
          });
        }
        for (let l = 0; l < LISTS; l++) assert.deepEqual(lists.items(l), model[l]);
        for (let x = 0; x < ITEMS; x++) assert.equal(lists.listOf(x), model.findIndex((l) => l.includes(x)));
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("an item put back on the list being walked is visited again", () => {
  const lists = new NumberLists(3, 1);
  lists.put(0, 0);
  lists.put(1, 0);
  const seen: number[] = [];
  lists.walk(0, (x) => {
    seen.push(x);
    if (x === 0 && seen.length === 1) lists.put(0, 0);
  });
  assert.deepEqual(seen, [0, 1, 0]);
  assert.deepEqual(lists.items(0), [1, 0]);
});
