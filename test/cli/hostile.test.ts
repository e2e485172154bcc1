/**
 * The CLI against generated hostile input (issue 18): snapshots, configs, plans, journals and flag
 * values drawn from what broke Ballast before — names that are Object.prototype keys or hold shell
 * and terminal syntax, ids beyond int32, zero capacities, duplicate JSON keys, truncated and binary
 * files, unbounded durations and rates, catastrophic regexes, outputs on top of inputs. Every run
 * must end with a documented exit status (never 1, a bug), at most one `error:` line and no stack
 * trace, and leave no half-written file. Inputs are small, so the runs are bounded by size, not by
 * a clock.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { run, tempDir } from "./helpers.js";
import { EXIT_BUG, EXIT_CANCELLED, EXIT_OK, EXIT_PARTIAL, EXIT_STATUS_OF } from "../../src/cli/exit-codes.js";

/** Exit statuses of the README's table other than 1 (a bug). */
/** Statuses that come with one `error:` line: every error code's but a bug's. */
const ERROR_STATUSES = new Set(Object.values(EXIT_STATUS_OF).filter((status) => status !== EXIT_BUG));
const DOCUMENTED = new Set([EXIT_OK, EXIT_PARTIAL, EXIT_CANCELLED, ...ERROR_STATUSES]);

const NAMES = [
  "orders",
  "t-1",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "a b",
  "x;touch /tmp/pwned;#",
  "\u001b]0;pwned\u0007",
  "new\nline",
  "$(id)",
  ".",
  "..",
  "a".repeat(249),
  "a".repeat(250),
  "ünï",
  "",
];
/** Mostly `usual`, sometimes `odd`: runs must get past the first check to test the later ones. */
function mostly<T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: odd, weight: 1 });
}

const name = mostly(fc.constantFrom("orders", "t-1", "constructor", "__proto__", "toString", "hasOwnProperty", "a".repeat(249)), fc.constantFrom(...NAMES));
const id = mostly(fc.constantFrom<unknown>(1, 2, 3, 4), fc.constantFrom<unknown>(0, -1, 1.5, 2147483647, 2147483648, 2 ** 53 - 1, "1", null));
const size = mostly(fc.constantFrom<unknown>(0, 1024, "1MiB", "64MiB"), fc.constantFrom<unknown>("-1", "1 parsec", "1e400", "0.5B", "10MiB/s", "1PiB"));
const capacity = mostly(
  fc.constantFrom<unknown>(undefined, { disk: "2TiB" }, { disk: "1TiB", networkIn: "1GiB/s", networkOut: "1GiB/s" }),
  fc.constantFrom<unknown>({ disk: 0 }, { networkIn: 0 }, { disk: "10MiB/s" }, { cpu: 1 }),
);
const replicas = mostly(fc.uniqueArray(fc.constantFrom<unknown>(1, 2, 3, 4), { minLength: 1, maxLength: 3 }), fc.array(id, { maxLength: 4 }));

const rack = fc.constantFrom<unknown>("r1", "r2");
const brokers = mostly(
  fc.tuple(rack, rack, rack, rack, capacity).map(([a, b, c, d, cap]) => [a, b, c, d].map((r, i) => ({ id: i + 1, rack: r, ...(cap === undefined ? {} : { capacity: cap }) }))),
  fc.array(fc.record({ id, rack: fc.constantFrom<unknown>(undefined, "r1", "r\n3", 7), capacity }, { requiredKeys: ["id"] }), { minLength: 1, maxLength: 5 }),
);
const partitions = fc.uniqueArray(
  fc.record({ partition: id, replicas, size, leader: fc.constantFrom<unknown>(undefined, undefined, 1, 9) }, { requiredKeys: ["partition", "replicas"] }),
  { maxLength: 3, selector: (p) => p.partition },
);
const topic = fc.record({ name, partitions });
const snapshot = fc.record({
  version: mostly(fc.constant<unknown>(1), fc.constantFrom<unknown>(2, 3, "1")),
  brokers,
  topics: fc.uniqueArray(topic, { maxLength: 3, selector: (t) => t.name }),
});

/** Text as a file might hold it: the data, or the data damaged. */
function damaged(text: string, how: number): string | Buffer {
  switch (how) {
    case 1:
      return text.slice(0, Math.floor(text.length / 2));
    case 2:
      return text.replace('{"id":', '{"id":9,"id":');
    case 3:
      return Buffer.from(`\ufeff${text}`, "utf16le");
    case 4:
      return Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0x9b, 0x07, 0x0a]);
    case 5:
      return `\u001b]0;pwned\u0007${"x".repeat(100_000)}`;
    default:
      return text;
  }
}
const damage = mostly(fc.constant(0), fc.constantFrom(1, 2, 3, 4, 5));

const pattern = mostly(fc.constantFrom("^orders$", "^orders{1,1}$", "(a+)+$", "(a|a)*b", "a,b", "[a,b]", "^t-.*", "constructor"), fc.constantFrom("(a)\\1", "(?=x)y", "orders(", "x".repeat(2000), "\\b"));
const config = fc.record(
  {
    goals: mostly(fc.constant<unknown>(["rack-spread", "replica-count", "leader"]), fc.constantFrom<unknown>(["nope"], "all", ["leader", "leader"])),
    excludeTopics: fc.array(pattern, { maxLength: 2 }),
    replicationFactor: fc.dictionary(pattern, fc.constantFrom<unknown>(1, 2, 0, 2147483648, "x"), { maxKeys: 2 }),
    capacityThreshold: mostly(fc.constant<unknown>({ disk: 0.9 }), fc.constantFrom<unknown>({ disk: 0 }, { disk: 2 }, "x")),
    maxMoves: mostly(fc.constantFrom<unknown>(0, 5), fc.constantFrom<unknown>(-1, 1e20, "5")),
    toString: mostly(fc.constant<unknown>(undefined), fc.constant<unknown>(1)),
  },
  { requiredKeys: [] },
);

const reassignment = fc.record({
  version: mostly(fc.constant<unknown>(1), fc.constant<unknown>(2)),
  partitions: fc.array(
    fc.record(
      {
        topic: mostly(fc.constantFrom("orders", "constructor"), name),
        partition: mostly(fc.constantFrom<unknown>(0, 1), id),
        replicas,
        log_dirs: mostly(fc.constant<unknown>(undefined), fc.constantFrom<unknown>(["any", "any"], ["/d1", "any", "any"], "x")),
      },
      { requiredKeys: ["topic", "partition", "replicas"] },
    ),
    { maxLength: 3 },
  ),
});

const journal = fc.record(
  {
    version: fc.constantFrom<unknown>(1, 1, 2),
    id: fc.constantFrom<unknown>("x", "", 5),
    startedAt: fc.constantFrom<unknown>(0, -1),
    updatedAt: fc.constant(0),
    status: fc.constantFrom<unknown>("running", "completed", "lost"),
    cancelRequested: fc.constantFrom<unknown>(false, true, "no"),
    limits: fc.constantFrom<unknown>({}, { maxMovesPerBroker: 0 }, null),
    strategy: fc.constantFrom<unknown>(["small-first"], ["fastest"]),
    partitionTimeoutMs: fc.constantFrom<unknown>(60_000, 0),
    brokerDownTimeoutMs: fc.constant(60_000),
    throttle: fc.constantFrom<unknown>(
      { rate: null, brokers: {}, topics: {} },
      { rate: 1000, brokers: { "1": { "leader.replication.throttled.rate": "1000" } }, topics: { constructor: { leader: ["0:1"], follower: [] } } },
      { rate: 0, brokers: {}, topics: {} },
      { rate: 1000, brokers: { __proto__: {} }, topics: {} },
    ),
    tasks: fc.array(
      fc.oneof(
        fc.record({ topic: name, partition: id, from: fc.constant([1, 2]), to: fc.constant([2, 3]), size: fc.constant(10), state: fc.constantFrom<unknown>("pending", "done", "moving", "odd") }),
        fc.constant(7 as unknown),
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ["version"] },
);

/** Flag values that once crashed, hung or were silently accepted, and some ordinary ones. */
const duration = mostly(fc.constantFrom("1s", "10s", "2m", "500ms"), fc.constantFrom("0", "0.001ms", "99999999999999999999h", "-1s", "abc", "1e3s", "31d"));
const rate = mostly(fc.constantFrom("1MiB/s", "50MiB/s", "1GB/s"), fc.constantFrom("0", "0B/s", "0.4B/s", "-5MiB/s", "1e400B/s", "fast", "\u001b[2J"));
const count = mostly(fc.constantFrom("1", "2", "3"), fc.constantFrom("0", "-1", "1.5", "abc", "100000", "99999999999", "1e3", "", " 2 ", "2147483648"));

const SNAPSHOT = "snap";
interface Case {
  readonly files: Readonly<Record<string, string | Buffer>>;
  /** Arguments, with file names relative to the run's folder written as @name. */
  readonly args: readonly string[];
}

function withSnapshot(extra: fc.Arbitrary<string[]>, command: (snap: string) => string[]): fc.Arbitrary<Case> {
  return fc.tuple(snapshot, fc.constantFrom("json", "yaml"), damage, extra).map(([data, format, how, flags]) => {
    const text = format === "json" ? JSON.stringify(data) : stringify(data);
    const file = `${SNAPSHOT}.${format}`;
    return { files: { [file]: damaged(text, how) }, args: [...command(`@${file}`), ...flags] };
  });
}

const balanceFlags = [
  mostly<readonly string[]>(
    fc.constantFrom(["--exclude-brokers", "4"], ["--capacity-threshold", "disk=0.5"]),
    fc.constantFrom(["--exclude-brokers", "2147483648"], ["--capacity-threshold", "disk=0"], ["--bootstrap-server", "127.0.0.1:1"], ["--command-config", "@missing.properties"]),
  ),
];
const planFlags = fc
  .array(
    fc.oneof(
      pattern.map((p) => ["--exclude-topics", p]),
      pattern.map((p) => ["--replication-factor", `${p}=2`]),
      count.map((n) => ["--max-moves", n]),
      fc.constantFrom(["--replace", "1=1"], ["--replace", "1=9"], ["--to-brokers", "4"], ["--to-brokers", "9"], ["--demote-brokers", "1"], ["--demote-brokers", "2147483648"]),
      fc.constantFrom(["--output", "@snap.yaml"], ["--output", "@snap.json"], ["--explain"], ["--json"], ["--seed", "-1"], ["--seed", "7"]),
      ...balanceFlags,
    ),
    { maxLength: 2 },
  )
  .map((pairs) => pairs.flat());
const describeFlags = fc.array(fc.oneof(fc.constant(["--json"]), ...balanceFlags), { maxLength: 2 }).map((pairs) => pairs.flat());

const cases: fc.Arbitrary<Case> = fc.oneof(
  withSnapshot(planFlags, (snap) => ["plan", "--heuristic-only", "--cluster", snap, "--output", "@out/plan.json"]),
  withSnapshot(describeFlags, (snap) => ["describe", "--cluster", snap]),
  fc.tuple(config, planFlags).map(([c, flags]) => ({
    files: { "balance.yaml": stringify(c) },
    args: ["plan", "--heuristic-only", "--cluster", "@demo", "--config", "@balance.yaml", "--output", "@out/plan.json", ...flags],
  })),
  withSnapshot(
    fc.array(
      fc.oneof(
        fc.tuple(name, count, count).map(([n, p, r]) => ["--topic", `${n}:${p}:${r}`]),
        fc.tuple(name, count).map(([n, p]) => ["--add-partitions", `${n}:${p}`]),
        count.map((n) => ["--replication-factor", n]),
        fc.constantFrom(["--output", "@snap.yaml"], ["--output", "@out/a.json"], ["--json"]),
      ),
      { minLength: 1, maxLength: 3 },
    ).map((pairs) => pairs.flat()),
    (snap) => ["assign", "--cluster", snap],
  ),
  fc
    .array(
      fc.oneof(
        fc.tuple(fc.constantFrom("--brokers", "--racks", "--topics", "--partitions", "--rf", "--new-brokers", "--dead-brokers", "--brokers-per-host"), count),
        fc.tuple(fc.constantFrom("--disk-capacity", "--mean-size"), size.map(String)),
        fc.tuple(fc.constantFrom("--name"), name),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => ({ files: {}, args: ["generate", "--brokers", "4", "--topics", "2", "--partitions", "2", ...pairs.flat(), "-o", "@out/gen.yaml"] })),
  fc
    .tuple(
      reassignment,
      damage,
      fc.array(
        fc.oneof(
          duration.map((d) => ["--poll-interval", d]),
          duration.map((d) => ["--partition-timeout", d]),
          duration.map((d) => ["--broker-down-timeout", d]),
          rate.map((r) => ["--throttle", r]),
          fc.constantFrom("0", "1", "1MiB", "-1").map((b) => ["--max-bytes-in-flight", b]),
          count.map((n) => ["--max-moves-per-broker", n]),
          fc.constantFrom(["--dry-run"], ["--resume"], ["--json"], ["--bootstrap-server", "127.0.0.1:1"], ["--command-config", "@missing.properties"], ["--strategy", "fastest"]),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([plan, how, flags]) => ({
      files: { "plan.json": damaged(JSON.stringify(plan), how) },
      args: ["execute", "@plan.json", "--simulate", "--cluster", "@demo", "--state-dir", "@state", "--partition-timeout", "30s", ...flags.flat()],
    })),
  fc
    .tuple(journal, fc.constantFrom(0, 0, 0, 1), fc.constantFrom<string[]>(["status"], ["status", "--json"], ["rollback", "-o", "@out/rb.json"], ["rollback", "-o", "@state/state.json"]), rate)
    .map(([state, how, command, r]) => ({
      files: { "state/state.json": damaged(JSON.stringify(state), how) },
      args: command[0] === "status" && command.length === 1 ? ["throttle", r, "--state-dir", "@state"] : [...command, "--state-dir", "@state"],
    })),
);

/** Files whose names say they were being written when something failed. */
function partialFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...partialFiles(path));
    else if (/\.tmp($|-)/.test(entry.name)) out.push(path);
  }
  return out;
}

describe("hostile input (property)", () => {
  const base = tempDir();
  after(() => base.cleanup());
  const demo = join(base.dir, "demo.yaml");
  writeFileSync(
    demo,
    "version: 1\nbrokers: [{id: 1, rack: a}, {id: 2, rack: b}, {id: 3, rack: a}, {id: 4, rack: b}]\ntopics:\n" +
      "  - {name: orders, partitions: [{partition: 0, replicas: [1, 2], size: 1MiB}, {partition: 1, replicas: [1, 2], size: 1MiB}]}\n" +
      "  - {name: constructor, partitions: [{partition: 0, replicas: [1, 2], size: 1MiB}]}\n",
  );

  it("every command ends with a documented status, one error line at most, no stack and no partial file", async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const dir = mkdtempSync(join(base.dir, "run-"));
        mkdirSync(join(dir, "out"));
        for (const [file, content] of Object.entries(c.files)) {
          mkdirSync(join(dir, file, ".."), { recursive: true });
          writeFileSync(join(dir, file), content);
        }
        const args = c.args.map((a) => (a === "@demo" ? demo : a.startsWith("@") ? join(dir, a.slice(1)) : a));
        const outputs = readdirSync(join(dir, "out"));
        const r = await run(args);
        const shown = `${args.join(" ").slice(0, 300)}\n${r.stderr.slice(0, 500)}`;
        assert.ok(DOCUMENTED.has(r.code), `exit ${String(r.code)}: ${shown}`);
        assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at \S/, `stack trace: ${shown}`);
        const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
        if (ERROR_STATUSES.has(r.code)) assert.equal(errors.length, 1, shown);
        else assert.equal(errors.length, 0, shown);
        assert.ok(r.stderr.length < 4000, `stderr of ${String(r.stderr.length)} characters: ${shown}`);
        assert.deepEqual(partialFiles(dir), [], shown);
        if (ERROR_STATUSES.has(r.code)) assert.deepEqual(readdirSync(join(dir, "out")), outputs, `an output written by a failed run: ${shown}`);
        assert.ok(!existsSync("/tmp/pwned"));
      }),
      { numRuns: 200, seed: 18 },
    );
  });
});
