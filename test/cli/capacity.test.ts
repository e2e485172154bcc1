/** `--capacity FILE` on describe, plan and snapshot, and the config's `capacity` key. */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCapacityFile } from "../../src/model/capacity-file.js";
import { DEMO, REPO_ROOT, run, singleErrorLine, suiteDir } from "./helpers.js";
import { EXIT_INFEASIBLE } from "../../src/cli/exit-codes.js";

const CAPACITY = join(REPO_ROOT, "fixtures", "capacity", "capacity.yaml");
/** demo.yaml without capacities, as a live snapshot has it. */
const LIVE = join(REPO_ROOT, "fixtures", "capacity", "demo-live.yaml");
const TiB = 2 ** 40;
const MiBs = 2 ** 20;

interface BrokerJson {
  id: number;
  diskCapacity?: number;
  networkInCapacity?: number;
  networkOutCapacity?: number;
}

interface ReportJson {
  brokers: BrokerJson[];
  goals: { goal: string; detail: string }[];
  notes: string[];
}

async function describeJson(args: readonly string[]): Promise<ReportJson> {
  const result = await run(["describe", ...args, "--json"]);
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  return JSON.parse(result.stdout) as ReportJson;
}

function capacities(report: ReportJson): Map<number, (number | undefined)[]> {
  return new Map(report.brokers.map((b) => [b.id, [b.diskCapacity, b.networkInCapacity, b.networkOutCapacity]]));
}

/** The capacities fixtures/capacity/capacity.yaml gives demo.yaml's brokers. */
const EXPECTED = new Map<number, (number | undefined)[]>([
  [1, [2 * TiB, 200 * MiBs, 400 * MiBs]],
  [2, [2 * TiB, 200 * MiBs, 400 * MiBs]],
  [3, [2 * TiB, 200 * MiBs, 400 * MiBs]],
  [4, [2 * TiB, 200 * MiBs, 400 * MiBs]],
  [5, [2 * TiB, 250 * MiBs, 500 * MiBs]],
  [6, [4 * TiB, 250 * MiBs, 500 * MiBs]],
]);

describe("--capacity", () => {
  const dir = suiteDir();
  const file = (name: string, text: string): string => {
    const path = join(dir(), name);
    writeFileSync(path, text);
    return path;
  };

  it("describe applies the file to a snapshot without capacities, and the capacity goal limits", async () => {
    const before = await describeJson(["--cluster", LIVE]);
    assert.ok(before.brokers.every((b) => b.diskCapacity === undefined && b.networkInCapacity === undefined));
    const report = await describeJson(["--cluster", LIVE, "--capacity", CAPACITY]);
    assert.deepEqual(capacities(report), EXPECTED);
    const goal = report.goals.find((g) => g.goal === "capacity");
    assert.match(goal?.detail ?? "", /^disk at most \d+% of capacity \(limit 85%\); network in .*; network out .*limit 80%\)$/);
    assert.deepEqual(report.notes, [], "nothing in the snapshot was replaced");
  });

  it("replaces what the snapshot had, and says so in a note", async () => {
    const report = await describeJson(["--cluster", DEMO, "--capacity", CAPACITY]);
    assert.deepEqual(capacities(report), EXPECTED);
    const note = `capacities from ${CAPACITY} replace the snapshot's: disk of broker 6; network in of brokers 5, 6; network out of brokers 5, 6`;
    assert.deepEqual(report.notes, [note]);
    const text = await run(["describe", "--cluster", DEMO, "--capacity", CAPACITY]);
    assert.ok(text.stdout.includes(`note: ${note}\n`), text.stdout);
  });

  it("plan plans with the file's capacities and writes the plan", async () => {
    const output = join(dir(), "plan.json");
    const result = await run(["plan", "--cluster", LIVE, "--capacity", CAPACITY, "--heuristic-only", "--output", output, "--json"]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const summary = JSON.parse(result.stdout) as { after: { goals: { goal: string; satisfied: boolean; detail: string }[] } };
    const goal = summary.after.goals.find((g) => g.goal === "capacity");
    assert.equal(goal?.satisfied, true);
    assert.match(goal?.detail ?? "", /^disk at most \d+% of capacity/);
    assert.ok(existsSync(output));
  });

  it("a plan the file's capacities cannot hold is written with a warning, and refused with one error line under --strict-capacity", async () => {
    const tiny = file("tiny.yaml", "default: {disk: 100GiB}\n");
    const output = join(dir(), "best-effort.json");
    const planned = await run(["plan", "--cluster", LIVE, "--capacity", tiny, "--heuristic-only", "--output", output]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /warning: the capacity limits cannot be met; the plan brings every broker as far under them as the cluster allows/);
    assert.match(planned.stdout, /\n {2}disk: the cluster needs .* short by/);
    assert.ok(existsSync(output));
    const refused = join(dir(), "refused.json");
    const result = await run(["plan", "--cluster", LIVE, "--capacity", tiny, "--heuristic-only", "--strict-capacity", "--output", refused]);
    assert.equal(result.code, EXIT_INFEASIBLE);
    assert.match(singleErrorLine(result.stderr) ?? "", /^error: disk: the cluster needs .* short by/);
    assert.ok(!existsSync(refused));
  });

  it("takes the config's capacity key; --capacity replaces it", async () => {
    const config = file("balance.yaml", "capacity:\n  default: {disk: 3TiB}\n  brokers:\n    1: {networkIn: 1GiB/s}\n");
    const fromConfig = capacities(await describeJson(["--cluster", LIVE, "--config", config]));
    assert.deepEqual(fromConfig.get(1), [3 * TiB, 2 ** 30, undefined]);
    assert.deepEqual(fromConfig.get(2), [3 * TiB, undefined, undefined]);
    const fromFlag = capacities(await describeJson(["--cluster", LIVE, "--config", config, "--capacity", CAPACITY]));
    assert.deepEqual(fromFlag, EXPECTED);
  });

  it("docs/snapshot-format.md shows fixtures/capacity/capacity.yaml as it is, and its commands work", async () => {
    const readme = readFileSync(join(REPO_ROOT, "docs", "snapshot-format.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The capacity file"));
    const shown = /`fixtures\/capacity\/capacity\.yaml`:\n\n```yaml\n([^`]*)```/.exec(section)?.[1];
    assert.ok(shown !== undefined, "the README shows the file");
    const strip = (text: string): string => text.replace(/\s*#.*$/gm, "").trim();
    assert.equal(strip(shown), strip(readFileSync(CAPACITY, "utf8")));
    const commands = /```sh\n([^`]*)```/.exec(section)?.[1]?.trim().split("\n") ?? [];
    assert.equal(commands.length, 2);
    for (const command of commands) {
      const args = command.replace(/^npx ballast /, "").split(" ").map((a) => (a === "plan.json" ? join(dir(), "readme-plan.json") : a));
      const result = await run(args.map((a) => (a.startsWith("fixtures/") ? join(REPO_ROOT, a) : a)));
      assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    }
    assert.ok(parseCapacityFile(shown).brokers.has(6));
  });

  describe("unknown capacities", () => {
    const ALL_UNKNOWN =
      "capacity: unknown for disk, network in, network out on 6 of 6 eligible brokers — the capacity goal does not limit them; give --capacity FILE (docs/load-and-capacity.md#the-capacity-file)";

    it("describe says which capacities are unknown and what to do, in text and --json", async () => {
      const text = await run(["describe", "--cluster", LIVE]);
      assert.equal(text.code, 0);
      assert.deepEqual(text.stdout.split("\n").filter((l) => l.startsWith("capacity:")), [ALL_UNKNOWN]);
      const report = (await describeJson(["--cluster", LIVE])) as ReportJson & { unknownCapacity: unknown };
      const all = [1, 2, 3, 4, 5, 6];
      assert.deepEqual(report.unknownCapacity, [
        { resource: "disk", brokers: all },
        { resource: "networkIn", brokers: all },
        { resource: "networkOut", brokers: all },
      ]);
    });

    it("names the brokers when only some lack a capacity, and leaves out those not eligible", async () => {
      const some = file("some.yaml", "default: {networkIn: 1GiB/s, networkOut: 1GiB/s}\nbrokers:\n  5: {disk: 1TiB}\n  6: {disk: 1TiB}\n");
      const text = await run(["describe", "--cluster", LIVE, "--capacity", some, "--exclude-brokers", "1"]);
      assert.deepEqual(text.stdout.split("\n").filter((l) => l.startsWith("capacity:")), [
        "capacity: unknown for disk on 3 of 5 eligible brokers (2, 3, 4) — the capacity goal does not limit it; give --capacity FILE (docs/load-and-capacity.md#the-capacity-file)",
      ]);
    });

    it("says nothing once every eligible broker has every capacity", async () => {
      const text = await run(["describe", "--cluster", LIVE, "--capacity", CAPACITY]);
      assert.doesNotMatch(text.stdout, /^capacity:/m);
      const report = (await describeJson(["--cluster", DEMO])) as ReportJson & { unknownCapacity: unknown };
      assert.deepEqual(report.unknownCapacity, []);
    });

    it("says nothing when the config turns the capacity goal off (--json still lists them)", async () => {
      const config = file("no-capacity-goal.yaml", "goals: [rack-spread, replica-count]\n");
      const text = await run(["describe", "--cluster", LIVE, "--config", config]);
      assert.doesNotMatch(text.stdout, /^capacity:/m);
      const report = (await describeJson(["--cluster", LIVE, "--config", config])) as ReportJson & { unknownCapacity: unknown[] };
      assert.equal(report.unknownCapacity.length, 3);
    });

    it("plan's summary and --json say the same", async () => {
      const output = join(dir(), "unknown.json");
      const text = await run(["plan", "--cluster", LIVE, "--heuristic-only", "--output", output]);
      assert.equal(text.code, 0);
      assert.deepEqual(text.stdout.split("\n").filter((l) => l.startsWith("capacity:")), [ALL_UNKNOWN]);
      const json = await run(["plan", "--cluster", LIVE, "--heuristic-only", "--output", output, "--json"]);
      const summary = JSON.parse(json.stdout) as { unknownCapacity: { resource: string }[] };
      assert.deepEqual(summary.unknownCapacity.map((u) => u.resource), ["disk", "networkIn", "networkOut"]);
      const known = await run(["plan", "--cluster", LIVE, "--capacity", CAPACITY, "--heuristic-only", "--output", output, "--json"]);
      assert.deepEqual((JSON.parse(known.stdout) as { unknownCapacity: unknown[] }).unknownCapacity, []);
    });
  });

  describe("bad files: one error line naming the file, line and key; exit 2", () => {
    const cases: [name: string, text: string, expected: RegExp][] = [
      ["unknown broker", "default: {disk: 2TiB}\nbrokers:\n  9: {disk: 4TiB}\n", /^error: .*unknown-broker\.yaml:3:3 \(brokers\["9"\]\): broker 9 is not in the cluster \(brokers: 1, 2, 3, 4, 5, 6\)$/],
      ["unknown rack", "racks:\n  us-east-1z: {disk: 4TiB}\n", /^error: .*unknown-rack\.yaml:2:3 \(racks\.us-east-1z\): no broker of the cluster is in rack "us-east-1z" \(racks: us-east-1a, us-east-1b, us-east-1c\)$/],
      ["negative", "default:\n  disk: -2TiB\n", /^error: .*negative\.yaml:2:9 \(default\.disk\): disk of default: "-2TiB" is negative/],
      ["zero", "default:\n  networkIn: 0MiB/s\n", /^error: .*zero\.yaml:2:14 \(default\.networkIn\): networkIn of default must be more than zero/],
      ["unit-less", "brokers:\n  1: {disk: 2000}\n", /^error: .*unit-less\.yaml:2:13 \(brokers\["1"\]\.disk\): disk of broker 1: 2000 has no unit; write the size with its unit, e.g. "2TiB"$/],
      ["unit-less rate", "racks:\n  us-east-1a: {networkOut: 100}\n", /^error: .*unit-less-rate\.yaml:2:28 \(racks\.us-east-1a\.networkOut\): networkOut of rack "us-east-1a": 100 has no unit/],
      ["unknown key", "default: {disk: 2TiB}\nbroker:\n  1: {disk: 4TiB}\n", /^error: .*unknown-key\.yaml:2:1 \(broker\): unknown key "broker" in the capacity file \(did you mean "brokers"\?\)/],
      ["unknown entry key", "default:\n  disk: 2TiB\n  network: 1GiB/s\n", /^error: .*unknown-entry-key\.yaml:3:3 \(default\.network\): unknown key "network" in the capacities of default/],
      ["duplicate key", "brokers:\n  1: {disk: 2TiB}\n  1: {disk: 4TiB}\n", /^error: .*duplicate-key\.yaml:3:3: invalid YAML: Map keys must be unique$/],
      ["empty", "", /^error: .*empty\.yaml: the capacity file is empty/],
    ];
    for (const [name, text, expected] of cases) {
      it(name, async () => {
        const path = file(`${name.replace(/ /g, "-")}.yaml`, text);
        for (const command of [["describe"], ["plan", "--heuristic-only", "--output", join(dir(), "never.json")]]) {
          const result = await run([...command, "--cluster", LIVE, "--capacity", path]);
          assert.equal(result.code, 2, `${command[0] ?? ""}: ${result.stderr}`);
          assert.equal(result.stdout, "");
          assert.match(singleErrorLine(result.stderr) ?? result.stderr, expected);
        }
        assert.ok(!existsSync(join(dir(), "never.json")), "no plan is written");
      });
    }

    it("a file that does not exist", async () => {
      const result = await run(["describe", "--cluster", LIVE, "--capacity", join(dir(), "missing.yaml")]);
      assert.equal(result.code, 2);
      assert.match(singleErrorLine(result.stderr) ?? "", /^error: cannot read capacity file ".*missing\.yaml": no such file or directory$/);
    });

    it("snapshot reads the file before it connects", async () => {
      const path = file("snapshot-bad.yaml", "default: {disk: 2000}\n");
      // Port 1 on loopback has no Kafka: the error must be the file's, found before any connection.
      const result = await run(["snapshot", "--bootstrap-server", "127.0.0.1:1", "--capacity", path]);
      assert.equal(result.code, 2);
      assert.match(singleErrorLine(result.stderr) ?? "", /^error: .*snapshot-bad\.yaml:1:17 \(default\.disk\): disk of default: 2000 has no unit/);
    });
  });
});
