/**
 * The journal read back like any other input: a truncated, hand-edited or foreign state file is a
 * STATE error naming where it is wrong; maps keyed by topic come back without a prototype.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StateStore } from "../../src/executor/journal.js";
import { newExecutionState } from "../../src/executor/runner.js";
import { DEFAULT_LIMITS } from "../../src/executor/types.js";
import { isBallastError } from "../../src/model/errors.js";

const OPTIONS = {
  limits: DEFAULT_LIMITS,
  strategy: ["small-first" as const],
  throttle: 1000,
  partitionTimeoutMs: 60_000,
  brokerDownTimeoutMs: 60_000,
  pollMs: 1000,
  allowUnderReplicated: false,
};

function withStore(fn: (store: StateStore, write: (text: string) => void) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "ballast-journal-"));
  try {
    fn(new StateStore(dir), (text) => writeFileSync(join(dir, "state.json"), text));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("StateStore.load", () => {
  it("reads back what it saved, topic names such as constructor and __proto__ included", () => {
    withStore((store) => {
      const state = newExecutionState("x", 5, [{ topic: "constructor", partition: 0, from: [1, 2], to: [2, 3], size: 10 }], OPTIONS);
      state.throttle.topics["__proto__"] = { leader: ["0:1"], follower: ["0:3"] };
      state.throttle.topics["constructor"] = { leader: ["0:1"], follower: [] };
      state.throttle.brokers["1"] = { "leader.replication.throttled.rate": "1000" };
      store.save(state);
      const back = store.load();
      assert.deepEqual(Object.keys(back.throttle.topics).sort(), ["__proto__", "constructor"]);
      assert.equal(Object.getPrototypeOf(back.throttle.topics), null);
      assert.equal(back.throttle.topics["toString"], undefined);
      assert.deepEqual(back.throttle.topics["__proto__"], { leader: ["0:1"], follower: ["0:3"] });
      assert.equal(back.limits.maxMoves, Number.POSITIVE_INFINITY);
      assert.deepEqual(back.tasks, state.tasks);
    });
  });

  it("refuses truncated, partial and foreign state files with a STATE error", () => {
    const good = JSON.stringify({ ...newExecutionState("x", 5, [{ topic: "t", partition: 0, from: [1], to: [2], size: 1 }], OPTIONS), limits: {} });
    const bad = [
      "",
      good.slice(0, good.length / 2),
      '{"version":1,"tasks":[]}',
      good.replace('"tasks":[{', '"tasks":[7,{'),
      good.replace('"state":"pending"', '"state":"lost"'),
      good.replace('"topic":"t"', '"topic":"t;rm -rf /"'),
      good.replace('"from":[1]', '"from":"1"'),
      good.replace('"rate":1000', '"rate":0'),
      good.replace('"version":1', '"version":2'),
      good.replace('"brokers":{}', '"brokers":{"x":{}}'),
      "[]",
      "null",
    ];
    withStore((store, write) => {
      for (const text of bad) {
        write(text);
        assert.throws(
          () => store.load(),
          (e: unknown) => isBallastError(e) && e.code === "STATE" && /execution state is unreadable/.test(e.message),
          text.slice(0, 80),
        );
      }
      write(good);
      assert.equal(store.load().tasks.length, 1);
    });
  });
});

/**
 * A file that exists but cannot be read is not "absent". These tests make it unreadable by putting a
 * folder in its place (EISDIR), which works as root too; a file without read permission (EACCES)
 * takes the same path in the code but cannot be tested here, as the tests run as root, who may read
 * any file.
 */
describe("StateStore with an unreadable file", () => {
  const unreadable = (e: unknown): boolean => isBallastError(e) && e.code === "STATE" && /is a directory/.test(e.message);

  it("refuses a lock file it cannot read rather than taking the lock over", () => {
    withStore((store) => {
      mkdirSync(join(store.dir, "lock"));
      assert.throws(() => store.lockHolder(), unreadable);
      assert.throws(() => store.lock(), unreadable);
      assert.throws(() => store.lockedByOther(), unreadable);
    });
  });

  it("refuses a pending request it cannot read rather than dropping it", () => {
    withStore((store) => {
      mkdirSync(join(store.dir, "cancel"));
      assert.throws(() => store.takeRequest("cancel"), (e: unknown) => unreadable(e) && /"cancel"/.test((e as Error).message));
      assert.equal(store.takeRequest("throttle"), null);
    });
  });

  it("refuses a state file it cannot read", () => {
    withStore((store) => {
      mkdirSync(join(store.dir, "state.json"));
      assert.equal(store.exists(), true);
      assert.throws(() => store.load(), unreadable);
    });
  });
});
