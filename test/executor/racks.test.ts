/**
 * The rack rule on a plan about to run: breaks are found where the racks could keep the rule, and
 * only there.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { rackRuleBreaks } from "../../src/executor/racks.js";

const node = (id: number, rack?: string) => ({ id, host: "h", port: 9092, ...(rack !== undefined ? { rack } : {}) });
const entry = (replicas: number[]) => ({ topic: "t", partition: 0, replicas });

test("two replicas in one rack of two is a break; one per rack is not", () => {
  const brokers = [node(1, "a"), node(2, "b"), node(3, "a"), node(4, "b")];
  assert.deepEqual(rackRuleBreaks([entry([4, 1])], brokers), []);
  assert.deepEqual(rackRuleBreaks([entry([3, 1])], brokers), [{ partition: "t-0", replicas: [3, 1], rack: "a", count: 2, share: 1 }]);
  // Three replicas over two racks: two in one rack is the rule's share, three is not.
  assert.deepEqual(rackRuleBreaks([entry([1, 3, 2])], brokers), []);
  assert.equal(rackRuleBreaks([entry([1, 3, 5])], [...brokers, node(5, "a")]).length, 1);
});

test("no break where the racks cannot keep the rule, nor without racks", () => {
  // Five replicas over racks of 3, 1 and 1 brokers: at most 2 per rack leaves room for 4.
  const brokers = [node(1, "a"), node(2, "a"), node(3, "a"), node(4, "b"), node(5, "c")];
  assert.deepEqual(rackRuleBreaks([entry([1, 2, 3, 4, 5])], brokers), []);
  assert.deepEqual(rackRuleBreaks([entry([1, 2])], [node(1), node(2), node(3)]), []);
  assert.deepEqual(rackRuleBreaks([entry([1, 2])], [node(1, "a"), node(2, "a")]), [], "one rack: nothing to spread over");
});
