/**
 * The copy meter: what the adding replicas hold, read from the brokers' log dirs, with the rules for
 * brokers that answer without a replica, brokers that do not answer, several log dirs, and tasks
 * that leave the flight.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CopyMeter } from "../../src/executor/progress.js";
import type { KafkaPort, ReplicaLogDir } from "../../src/executor/port.js";
import type { MoveTask } from "../../src/executor/types.js";

/** A port whose describeLogDirs answers from `dirs` (brokers missing from it do not answer). */
function portWith(dirs: () => Map<number, ReplicaLogDir[]>): KafkaPort {
  return {
    describeLogDirs: (ids: readonly number[]) => Promise.resolve(new Map([...dirs()].filter(([b]) => ids.includes(b)))),
  } as unknown as KafkaPort;
}

const replica = (topic: string, partition: number, size: number, isFuture = true): ReplicaLogDir => ({ topic, partition, logDir: "/d", size, isFuture });

test("the meter counts what each adding replica holds, capped at the partition size", async () => {
  // a-0 adds 4 and 5 (1,000 bytes each); b-1 adds 6; c-2 only reorders.
  const a: MoveTask = { topic: "a", partition: 0, from: [1, 2], to: [4, 5], size: 1000 };
  const b: MoveTask = { topic: "b", partition: 1, from: [1], to: [6], size: 300 };
  const c: MoveTask = { topic: "c", partition: 2, from: [1, 2], to: [2, 1], size: 50 };
  let dirs = new Map<number, ReplicaLogDir[]>([
    // Broker 4 holds a-0 in two log dirs (the largest counts) and a replica no task adds.
    [4, [replica("a", 0, 100), replica("a", 0, 250), replica("z", 9, 999)]],
    [5, [replica("a", 0, 2000)]],
    [6, []],
  ]);
  const meter = new CopyMeter(portWith(() => dirs));
  assert.equal(await meter.read([a, b, c], 0), true);
  assert.equal(meter.copiedOf(a), 250 + 1000);
  assert.equal(meter.copiedOf(b), 0);
  assert.equal(meter.copiedOf(c), 0);
  // Too soon: no read.
  assert.equal(await meter.read([a, b], 1000), false);
  // Broker 5 does not answer: its figure stays; broker 4 answers without a-0: 0; 6 now holds 120.
  dirs = new Map([
    [4, []],
    [6, [replica("b", 1, 120)]],
  ]);
  assert.equal(await meter.read([a, b], 5000), true);
  assert.equal(meter.copiedOf(a), 1000);
  assert.equal(meter.copiedOf(b), 120);
  // A task that left the flight is forgotten; brokers that are down are not asked.
  assert.equal(await meter.read([b], 10_000, false, new Set([4, 5])), false);
  assert.equal(meter.copiedOf(a), 0);
  assert.equal(meter.copiedOf(b), 120);
});
