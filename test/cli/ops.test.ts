/**
 * The broker and topic operations through the CLI, in-process: plan's --to-brokers, --replace,
 * --demote-brokers and --replication-factor (flags and config keys), and `ballast assign`.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCluster } from "../../src/model/parse.js";
import { parseReassignment } from "../../src/model/reassignment.js";
import { REPO_ROOT, run, singleErrorLine, suiteDir } from "./helpers.js";

const NEW_BROKERS = join(REPO_ROOT, "fixtures", "new-brokers.yaml");
const DEMO = join(REPO_ROOT, "fixtures", "demo.yaml");
const STANDBY = join(REPO_ROOT, "fixtures", "assign", "standby.yaml");
const TOPICS = join(REPO_ROOT, "fixtures", "assign", "topics.yaml");

describe("plan operations", () => {
  const dir = suiteDir();

  const planFile = (name: string): string => join(dir(), name);
  const brokersIn = (path: string): Set<number> => new Set(parseReassignment(readFileSync(path, "utf8")).partitions.flatMap((e) => e.replicas));

  it("--to-brokers sends replicas only to the listed brokers", async () => {
    const out = planFile("to.json");
    const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", out, "--to-brokers", "7,8", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const cluster = parseCluster(readFileSync(NEW_BROKERS, "utf8"), { format: "yaml" });
    const was = new Map(cluster.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}/${String(p.partition)}`, p.replicas] as const)));
    for (const e of parseReassignment(readFileSync(out, "utf8")).partitions) {
      const added = e.replicas.filter((b) => !(was.get(`${e.topic}/${String(e.partition)}`) ?? []).includes(b));
      assert.ok(added.every((b) => b === 7 || b === 8), `${e.topic}-${String(e.partition)} gained ${added.join(",")}`);
    }
    assert.ok(!brokersIn(out).has(9));
  });

  it("toBrokers and replicationFactor work from the config file", async () => {
    const config = join(dir(), "ops.yaml");
    writeFileSync(config, "toBrokers: [7, 8, 9]\nreplicationFactor:\n  inventory: 4\n");
    const out = planFile("config.json");
    const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", out, "--config", config, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const plan = parseReassignment(readFileSync(out, "utf8"));
    assert.ok(plan.partitions.filter((e) => e.topic === "inventory").every((e) => e.replicas.length === 4));
  });

  it("--replace writes the relabelled partitions only", async () => {
    const out = planFile("replace.json");
    const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", out, "--replace", "1=7", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { moves: number };
    assert.equal(json.moves, 18);
    const plan = parseReassignment(readFileSync(out, "utf8"));
    assert.equal(plan.partitions.length, 18);
    assert.ok(plan.partitions.every((e) => e.replicas.includes(7) && !e.replicas.includes(1)));
  });

  it("--demote-brokers moves no data and notes partitions it cannot demote", async () => {
    const out = planFile("demote.json");
    const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", out, "--demote-brokers", "1,3,5"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /replica moves\s+0/);
    assert.match(r.stdout, /note: orders-0: every available replica is on a demoted broker \[1,3,5\]; its leader stays/);
  });

  it("--replication-factor changes the factor of the matching topics", async () => {
    const out = planFile("rf.json");
    const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", out, "--replication-factor", "orders=2"]);
    assert.equal(r.code, 0, r.stderr);
    const plan = parseReassignment(readFileSync(out, "utf8"));
    assert.ok(plan.partitions.filter((e) => e.topic === "orders").length === 12);
    assert.ok(plan.partitions.filter((e) => e.topic === "orders").every((e) => e.replicas.length === 2));
  });

  for (const [args, message] of [
    [["--replace", "1=2"], /broker 2 already holds 18 replica\(s\)/],
    [["--replace", "1"], /--replace: expected OLD=NEW broker ids/],
    [["--to-brokers", "42"], /broker 42 is not in the cluster/],
    [["--replication-factor", "nope=2"], /matches no topic/],
    [["--replication-factor", "orders=0"], /--replication-factor: must be at least 1/],
    [["--demote-brokers", "1", "--to-brokers", "7"], /cannot be combined with --to-brokers/],
  ] as const) {
    it(`refuses ${args.join(" ")} with one error line and exit 2`, async () => {
      const r = await run(["plan", "--cluster", NEW_BROKERS, "--output", planFile("bad.json"), ...args]);
      assert.equal(r.code, 2);
      const line = singleErrorLine(r.stderr);
      assert.ok(line !== undefined, r.stderr);
      assert.match(line, message);
    });
  }
});

describe("ballast assign", () => {
  const dir = suiteDir();

  it("prints the kafka-topics.sh command per topic and writes the reassignment JSON", async () => {
    const out = join(dir(), "assign.json");
    const r = await run(["assign", "--cluster", NEW_BROKERS, "--topic", "payments:3:3", "--output", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /payments \(new topic, 3 partitions\):/);
    assert.match(r.stdout, /kafka-topics\.sh --bootstrap-server <broker:9092> --create --topic payments --replica-assignment 7:8:9,8:7:9,9:7:8/);
    const plan = parseReassignment(readFileSync(out, "utf8"));
    assert.deepEqual(plan.partitions.map((e) => e.replicas), [[7, 8, 9], [8, 7, 9], [9, 7, 8]]);
  });

  it("takes a topics file with new topics and added partitions", async () => {
    const r = await run(["assign", "--cluster", DEMO, "--topics", TOPICS, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { topics: { topic: string; created: boolean; partitions: number; replicaAssignment: string }[] };
    assert.deepEqual(json.topics.map((t) => [t.topic, t.created, t.partitions]), [["payments", false, 12], ["refunds", true, 6]]);
    assert.equal(json.topics[1]!.replicaAssignment.split(",").length, 6);
  });

  it("lays out a primary's topics on a standby with --topics-from and --replication-factor", async () => {
    const r = await run(["assign", "--cluster", STANDBY, "--topics-from", DEMO, "--replication-factor", "2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { reassignment: { partitions: { replicas: number[] }[] } };
    assert.equal(json.reassignment.partitions.length, 40);
    assert.ok(json.reassignment.partitions.every((e) => e.replicas.length === 2));
  });

  for (const [args, message] of [
    [["--topic", "payments:3"], /--topic: expected NAME:PARTITIONS:RF/],
    [["--topic", "orders:3:3"], /topic 'orders' already exists/],
    [["--add-partitions", "orders:4"], /the new count must be larger/],
    [[], /nothing to assign/],
    [["--topic", "x;touch /tmp/pwned;#:3:2"], /--topic: "x;touch \/tmp\/pwned;#" is not a legal Kafka topic name/],
    [["--topic", "a\u001b]0;pwn\u0007:3:2"], /--topic: "a\\x1b\]0;pwn\\x07" is not a legal Kafka topic name/],
    [["--add-partitions", `${"o".repeat(300)}:4`], /--add-partitions: "o{80}…" \(300 characters\) is not a legal Kafka topic name/],
    [["--topic", "x:100000000:3"], /--topic: must be at most 100000/],
    [Array.from({ length: 34 }, (_, i) => ["--topic", `t${String(i)}:100000:3`]).flat(), /--topic: 10200000 replicas to place is above Ballast's limit of 10000000/],
  ] as const) {
    it(`refuses ${args.join(" ").slice(0, 80) || "no topics"} with one error line and exit 2`, async () => {
      const r = await run(["assign", "--cluster", NEW_BROKERS, ...args]);
      assert.equal(r.code, 2);
      const line = singleErrorLine(r.stderr);
      assert.ok(line !== undefined, r.stderr);
      assert.match(line, message);
    });
  }

  it("refuses a topics file whose topic name would forge a second command", async () => {
    const file = join(dir(), "forged.yaml");
    writeFileSync(file, 'topics:\n  - {name: "x --delete\\nkafka-topics.sh --delete --topic orders", partitions: 3, replicationFactor: 3}\n');
    const r = await run(["assign", "--cluster", NEW_BROKERS, "--topics", file]);
    assert.equal(r.code, 2);
    assert.match(singleErrorLine(r.stderr) ?? "", /forged\.yaml:2:12 \(topics\[0\]\.name\): the topic name "x --delete\\nkafka-topics\.sh.*" is not a legal Kafka topic name/);
    assert.equal(r.stdout, "");
  });

  it("reports a bad topics file with its path and line", async () => {
    const file = join(dir(), "bad-topics.yaml");
    writeFileSync(file, "topics:\n  - {name: x, partitions: 3, replication: 3}\n");
    const r = await run(["assign", "--cluster", NEW_BROKERS, "--topics", file]);
    assert.equal(r.code, 2);
    assert.match(singleErrorLine(r.stderr) ?? "", /bad-topics\.yaml:2.*unknown key "replication"/);
  });
});
