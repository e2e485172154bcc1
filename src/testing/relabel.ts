/**
 * Order-preserving relabelling for metamorphic tests: broker ids, racks and hosts renamed without
 * changing their order, topics listed in another order. A plan of the relabelled cluster must be the
 * plan of the original, relabelled.
 */
import assert from "node:assert/strict";
import type { Cluster } from "../model/types.js";
import { plan } from "../solver/index.js";
import type { PlanOptions } from "../solver/types.js";
import { assertClose, planned } from "./invariants.js";

export const relabelId = (id: number): number => 3 * id + 100;

/** Broker ids → 3·id + 100, racks and hosts prefixed "z-", topics in the order `order` gives. */
export function relabel(cluster: Cluster, order: readonly number[]): Cluster {
  return {
    ...cluster,
    brokers: cluster.brokers.map((b) => ({
      ...b,
      id: relabelId(b.id),
      ...(b.rack === undefined ? {} : { rack: `z-${b.rack}` }),
      ...(b.host === undefined ? {} : { host: `z-${b.host}` }),
    })),
    topics: order.map((i) => {
      const t = cluster.topics[i]!;
      return {
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, replicas: p.replicas.map(relabelId), leader: relabelId(p.leader) })),
      };
    }),
  };
}

/** Plans `cluster` and its relabelling (topics in `order`) with `options` and checks the second is the first, relabelled. */
export function assertRelabelledPlan(cluster: Cluster, options: PlanOptions, order: readonly number[]): void {
  const a = planned(plan(cluster, options));
  const mapped: PlanOptions = {
    ...options,
    ...(options.excludeBrokers ? { excludeBrokers: options.excludeBrokers.map(relabelId) } : {}),
  };
  const b = planned(plan(relabel(cluster, order), mapped));
  const expected = a.reassignment.partitions.map((e) => ({ ...e, replicas: e.replicas.map(relabelId) }));
  assert.deepEqual(b.reassignment.partitions, expected);
  assert.equal(b.moves, a.moves);
  assertClose(b.bytesMoved, a.bytesMoved, "bytes moved");
  assert.deepEqual(b.lowerBound, a.lowerBound);
  assert.deepEqual(b.integerSearch, a.integerSearch);
}
