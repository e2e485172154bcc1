/**
 * Ballast over secured listeners of the test cluster (scripts/kafka-cluster.sh --secure, which
 * scripts/kafka-test.sh starts): snapshot, plan and a throttled execute over SASL_SSL with SCRAM and
 * over mutual TLS, the cancel of a running execution, `balance --dry-run` over both and a real
 * `balance` over mutual TLS, each principal holding exactly the ACLs docs/security.md lists; the
 * refusal of a principal without them (execute and balance), before anything changes; a refused
 * login that is not retried; and no secret in any output, JSON event, journal or state file afterwards.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import kafkajs, { type Admin } from "kafkajs";
import { formatCluster } from "../../src/model/format.js";
import { parseCluster } from "../../src/model/parse.js";
import { StateStore } from "../../src/executor/journal.js";
import { parseReassignment } from "../../src/model/reassignment.js";
import { run, type RunResult } from "../cli/helpers.js";
import { describeResult, finish, running as children, startCli } from "./cli-helpers.js";
import { kafkaSkip, producer, uniqueName, withAdmin } from "./harness.js";

/** secure/secure.env of the running cluster, or undefined when it was not started with --secure. */
function secureEnv(): Map<string, string> | undefined {
  const stateDir = process.env["KAFKA_STATE_DIR"];
  if (stateDir === undefined || stateDir === "") return undefined;
  const file = join(stateDir, "cluster", "secure", "secure.env");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.includes("="));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

const env = secureEnv();
const skip = kafkaSkip() || (env === undefined ? "the cluster is not secured (start it with scripts/kafka-cluster.sh --secure)" : false);
const get = (key: string): string => {
  const value = env?.get(key);
  if (value === undefined) throw new Error(`secure.env has no ${key}`);
  return value;
};

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

type Grant = readonly [resource: "cluster" | "topic" | "group" | "group-prefix", name: string, operations: readonly (keyof typeof AclOperationTypes)[]];

/** The ACLs docs/security.md lists for snapshot, plan and execute (with the execution lock). */
const EXECUTE_GRANTS: readonly Grant[] = [
  ["cluster", "kafka-cluster", ["DESCRIBE", "ALTER", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"]],
  ["topic", "*", ["DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"]],
  ["topic", "__ballast_lock", ["CREATE", "READ"]],
  ["group", "ballast-execution-lock", ["READ", "DESCRIBE"]],
];
/** What `balance` needs besides: the job's memory topic and its reader groups. */
const BALANCE_GRANTS: readonly Grant[] = [
  ["topic", "__ballast_balance_job", ["CREATE", "READ", "WRITE"]],
  ["group-prefix", "ballast-memory-reader-", ["READ"]],
];
/** What a read-only principal has: enough for snapshot and plan, not for execute. */
const READER_GRANTS: readonly Grant[] = [
  ["cluster", "kafka-cluster", ["DESCRIBE"]],
  ["topic", "*", ["DESCRIBE", "DESCRIBE_CONFIGS"]],
];

const RESOURCE = { cluster: AclResourceTypes.CLUSTER, topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, "group-prefix": AclResourceTypes.GROUP } as const;

async function grant(admin: Admin, principal: string, grants: readonly Grant[]): Promise<void> {
  await admin.createAcls({
    acl: grants.flatMap(([resource, name, operations]) =>
      operations.map((op) => ({
        resourceType: RESOURCE[resource],
        resourceName: name,
        resourcePatternType: resource === "group-prefix" ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
        principal,
        host: "*",
        operation: AclOperationTypes[op],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  });
}

/** Every regular file under `dir`. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("secured clusters: TLS, SASL and ACLs", { skip, timeout: 600_000 }, () => {
  let work = "";
  let configs = "";
  const outputs: RunResult[] = [];
  const topics: string[] = [];
  const cli = async (args: readonly string[]): Promise<RunResult> => {
    const r = await run(args);
    outputs.push(r);
    return r;
  };
  const dirs = (): string => get("dir");
  const sasl = (user: string, mechanism: string, password: string): string =>
    [
      "security.protocol=SASL_SSL",
      `sasl.mechanism=${mechanism}`,
      `sasl.jaas.config=org.apache.kafka.common.security.${mechanism === "PLAIN" ? "plain.PlainLoginModule" : "scram.ScramLoginModule"} required \\`,
      `    username="${user}" password="${password}";`,
      "ssl.truststore.type=PKCS12",
      `ssl.truststore.location=${join(dirs(), "truststore.p12")}`,
      `ssl.truststore.password=${get("store_password")}`,
      "",
    ].join("\n");
  const mtls = (client: string): string =>
    [
      "security.protocol=SSL",
      "ssl.truststore.type=PEM",
      `ssl.truststore.location=${join(dirs(), "ca.crt")}`,
      "ssl.keystore.type=PKCS12",
      `ssl.keystore.location=${join(dirs(), `${client}.p12`)}`,
      `ssl.keystore.password=${get("store_password")}`,
      "",
    ].join("\n");
  const config = (name: string, text: string): string => {
    const path = join(configs, `${name}.properties`);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "ballast-secure-"));
    configs = join(work, "configs");
    mkdirSync(configs);
    await withAdmin(async (admin) => {
      await grant(admin, "User:ballast", [...EXECUTE_GRANTS, ...BALANCE_GRANTS]);
      await grant(admin, "User:ballast-client", [...EXECUTE_GRANTS, ...BALANCE_GRANTS]);
      await grant(admin, "User:reader", READER_GRANTS);
    });
  });

  after(async () => {
    for (const child of children) child.kill("SIGKILL");
    await withAdmin(async (admin) => {
      if (topics.length > 0) await admin.deleteTopics({ topics });
      await admin.deleteAcls({
        filters: ["User:ballast", "User:ballast-client", "User:reader"].map((principal) => ({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal,
          host: "*",
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        })),
      });
    });
    rmSync(work, { recursive: true, force: true });
  });

  /** A topic whose replicas all sit on brokers 3 and 4, with some data, so that draining 4 moves them. */
  const skewedTopic = async (records = 300): Promise<string> => {
    const topic = uniqueName("secure");
    topics.push(topic);
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [{ topic, replicaAssignment: [0, 1, 2].map((partition) => ({ partition, replicas: partition % 2 === 0 ? [4, 3] : [3, 4] })) }],
        waitForLeaders: true,
      }),
    );
    const p = await producer();
    try {
      const value = Buffer.alloc(1024, 7);
      for (let sent = 0; sent < records; sent += 300) {
        await p.send({ topic, messages: Array.from({ length: Math.min(300, records - sent) }, (_, i) => ({ partition: i % 3, value })) });
      }
    } finally {
      await p.disconnect();
    }
    return topic;
  };

  /** snapshot → plan (draining broker 4, this topic only), over `bootstrap` with `file`. */
  const planned = async (name: string, bootstrap: string, file: string, records?: number): Promise<{ topic: string; dir: string; connect: string[]; planPath: string }> => {
    const topic = await skewedTopic(records);
    const dir = join(work, name);
    mkdirSync(dir);
    const connect = ["--bootstrap-server", bootstrap, "--command-config", file];
    const live = join(dir, "live.yaml");
    const snap = await cli(["snapshot", ...connect, "-o", live]);
    assert.equal(snap.code, 0, snap.stderr);
    const full = parseCluster(readFileSync(live, "utf8"), { format: "yaml" });
    assert.ok(full.topics.some((t) => t.name === topic), "the snapshot sees the topic");
    const mine = join(dir, "mine.yaml");
    writeFileSync(mine, formatCluster({ ...full, topics: full.topics.filter((t) => t.name === topic) }, "yaml"));
    const planPath = join(dir, "plan.json");
    const planned = await cli(["plan", "--cluster", mine, "--output", planPath, "--exclude-brokers", "4"]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal(parseReassignment(readFileSync(planPath, "utf8")).partitions.length, 3);
    return { topic, dir, connect, planPath };
  };

  /** planned → a throttled execute, over the same connection. */
  const roundTrip = async (name: string, bootstrap: string, file: string): Promise<void> => {
    const { topic, dir, connect, planPath } = await planned(name, bootstrap, file);
    const executed = await cli(["execute", planPath, ...connect, "--state-dir", join(dir, "state"), "--throttle", "5MiB/s", "--poll-interval", "1s", "--json"]);
    assert.equal(executed.code, 0, executed.stderr);
    const events = executed.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; status?: string });
    assert.deepEqual(events.at(-1)?.type === "end" ? events.at(-1)?.status : events.at(-1), "completed");
    await withAdmin(async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      for (const p of md.topics[0]?.partitions ?? []) assert.ok(!p.replicas.includes(4), `partition ${String(p.partitionId)} left broker 4`);
    });
  };

  it("snapshot, plan and a throttled execute over SASL_SSL with SCRAM-SHA-512 (PKCS12 trust store)", async () => {
    await roundTrip("scram", get("sasl_ssl_bootstrap"), config("scram", sasl("ballast", "SCRAM-SHA-512", get("ballast_password"))));
  });

  it("snapshot, plan and a throttled execute over mutual TLS (PKCS12 key store, PEM CA)", async () => {
    await roundTrip("mtls", get("ssl_bootstrap"), config("mtls", mtls("ballast-client")));
  });

  it("SASL PLAIN and SCRAM-SHA-256 connect too; describe reads the live cluster over mutual TLS", async () => {
    for (const [mechanism, name] of [["PLAIN", "plain"], ["SCRAM-SHA-256", "scram256"]] as const) {
      const r = await cli(["snapshot", "--bootstrap-server", get("sasl_ssl_bootstrap"), "--command-config", config(name, sasl("reader", mechanism, get("reader_password")))]);
      assert.equal(r.code, 0, `${mechanism}: ${r.stderr}`);
    }
    const described = await cli(["describe", "--bootstrap-server", get("ssl_bootstrap"), "--command-config", config("describe", mtls("ballast-client"))]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /rack-a/);
  });

  it("a principal without ALTER on CLUSTER and ALTER_CONFIGS gets one error naming them, and nothing changes", async () => {
    const topic = await skewedTopic();
    const dir = join(work, "refused");
    mkdirSync(dir);
    const file = config("reader", sasl("reader", "SCRAM-SHA-256", get("reader_password")));
    const connect = ["--bootstrap-server", get("sasl_ssl_bootstrap"), "--command-config", file];
    // The reader may snapshot (and so plan)…
    const live = join(dir, "live.yaml");
    assert.equal((await cli(["snapshot", ...connect, "-o", live])).code, 0);
    const full = parseCluster(readFileSync(live, "utf8"), { format: "yaml" });
    const mine = join(dir, "mine.yaml");
    writeFileSync(mine, formatCluster({ ...full, topics: full.topics.filter((t) => t.name === topic) }, "yaml"));
    const planPath = join(dir, "plan.json");
    assert.equal((await cli(["plan", "--cluster", mine, "--output", planPath, "--exclude-brokers", "4"])).code, 0);
    // …but not execute.
    const stateDir = join(dir, "state");
    const refused = await cli(["execute", planPath, ...connect, "--state-dir", stateDir, "--throttle", "5MiB/s", "--json"]);
    assert.equal(refused.code, 7, refused.stderr);
    const lines = refused.stderr.trim().split("\n");
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0] ?? "", /^error: the principal User:reader lacks ALTER on CLUSTER \(to reassign partitions and elect leaders\), ALTER_CONFIGS on CLUSTER .*ALTER_CONFIGS on TOPIC /);
    assert.match(lines[0] ?? "", /nothing was changed\. Grant them with: kafka-acls\.sh --bootstrap-server <host:port> --add --allow-principal User:reader --operation Alter --operation AlterConfigs --operation DescribeConfigs --cluster ; kafka-acls\.sh .* --operation AlterConfigs --topic secure-/);
    assert.equal(refused.stdout, "");
    await withAdmin(async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      for (const p of md.topics[0]?.partitions ?? []) assert.ok(p.replicas.includes(4), "no partition moved");
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ["leader.replication.throttled.replicas", "follower.replication.throttled.replicas"] }],
        includeSynonyms: false,
      });
      for (const entry of configs.resources[0]?.configEntries ?? []) assert.equal(entry.configValue, "", `${entry.configName} untouched`);
    });
  });

  it("cancel reverts a running throttled execution and removes its throttles, over SASL_SSL with SCRAM", async () => {
    // 2 MB a partition at 100 KiB/s: the moves outlast the cancel (a follower's first fetch takes up to 1 MB whatever the throttle).
    const file = config("cancel", sasl("ballast", "SCRAM-SHA-512", get("ballast_password")));
    const { topic, dir, connect, planPath } = await planned("cancel", get("sasl_ssl_bootstrap"), file, 6000);
    const stateDir = join(dir, "state");
    // A child process: a cancel from the executor's own process would not see it as running.
    const running = startCli(["execute", planPath, ...connect, "--state-dir", stateDir, "--throttle", "100KiB/s", "--poll-interval", "1s", "--json"], dir);
    const store = new StateStore(stateDir);
    const deadline = Date.now() + 60_000;
    while (!(store.exists() && store.load().tasks.some((t) => t.state === "moving"))) {
      assert.ok(running.child.exitCode === null && Date.now() < deadline, `the execution started moving partitions: ${running.stdout()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cancelled = await cli(["cancel", ...connect, "--state-dir", stateDir, "--json"]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((JSON.parse(cancelled.stdout.trim().split("\n").at(-1) ?? "{}") as { status?: string }).status, "cancelled", cancelled.stdout);
    const executed = await finish(running, 60_000, "execute");
    outputs.push({ code: executed.code ?? -1, stdout: executed.stdout, stderr: executed.stderr });
    assert.equal(executed.code, 4, describeResult(executed));
    const tasks = store.load().tasks;
    assert.ok(tasks.some((t) => t.state === "cancelled"), `partitions were in flight at the cancel: ${tasks.map((t) => t.state).join(", ")}`);
    await withAdmin(async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      for (const t of tasks.filter((t) => t.state === "cancelled")) {
        const p = md.topics[0]?.partitions.find((p) => p.partitionId === t.partition);
        assert.ok(p?.replicas.includes(4), `cancelled partition ${String(t.partition)} is back on broker 4`);
      }
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ["leader.replication.throttled.replicas", "follower.replication.throttled.replicas"] }],
        includeSynonyms: false,
      });
      for (const entry of configs.resources[0]?.configEntries ?? []) assert.equal(entry.configValue, "", `${entry.configName} removed`);
    });
  });

  /** `balance --dry-run` over `bootstrap` with `file`: a proposal (or nothing to do), nothing executed. */
  const balanceDryRun = async (name: string, bootstrap: string, file: string): Promise<void> => {
    const stateDir = join(work, name, "state");
    const r = await cli(["balance", "--dry-run", "--bootstrap-server", bootstrap, "--command-config", file, "--state-dir", stateDir, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { outcome?: string };
    assert.ok(report.outcome === "proposed" || report.outcome === "nothing-to-do", r.stdout);
    assert.ok(!new StateStore(stateDir).exists(), "nothing executed");
  };

  it("balance --dry-run over SASL_SSL with SCRAM and over mutual TLS", async () => {
    await balanceDryRun("balance-scram", get("sasl_ssl_bootstrap"), config("balance-scram", sasl("ballast", "SCRAM-SHA-512", get("ballast_password"))));
    await balanceDryRun("balance-mtls", get("ssl_bootstrap"), config("balance-mtls", mtls("ballast-client")));
  });

  it("balance executes a budgeted plan over mutual TLS", async () => {
    await skewedTopic();
    const dir = join(work, "balance-run");
    mkdirSync(dir);
    const cfg = join(dir, "balance.yaml");
    writeFileSync(cfg, "maxMoves: 4\nthrottle: 10MiB/s\n");
    const connect = ["--bootstrap-server", get("ssl_bootstrap"), "--command-config", config("balance-run", mtls("ballast-client"))];
    const r = await cli(["balance", ...connect, "--config", cfg, "--state-dir", join(dir, "state"), "--poll-interval", "1s", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { outcome?: string; moves?: number };
    assert.equal(report.outcome, "done", r.stdout);
    assert.ok((report.moves ?? 0) > 0 && (report.moves ?? 0) <= 4, r.stdout);
    assert.equal(new StateStore(join(dir, "state")).load().status, "completed");
  });

  it("balance by a principal without execute's and the job memory's ACLs gets one error naming them, and nothing changes", async () => {
    const dir = join(work, "balance-refused");
    mkdirSync(dir);
    // The dry runs above made the job's memory topic, so its ACLs are checked too.
    const memory = (): Promise<string> => withAdmin(async (admin) => JSON.stringify(await admin.fetchTopicOffsets("__ballast_balance_job")));
    const before = await memory();
    const file = config("balance-reader", sasl("reader", "SCRAM-SHA-256", get("reader_password")));
    const stateDir = join(dir, "state");
    const refused = await cli(["balance", "--bootstrap-server", get("sasl_ssl_bootstrap"), "--command-config", file, "--state-dir", stateDir, "--json"]);
    assert.equal(refused.code, 7, refused.stderr);
    const lines = refused.stderr.trim().split("\n");
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0] ?? "", /^error: the principal User:reader lacks ALTER on CLUSTER \(to reassign partitions and elect leaders\), .*READ on TOPIC __ballast_balance_job .*WRITE on TOPIC __ballast_balance_job .*nothing was changed\. Grant them with: .* --operation Read --operation Write --topic __ballast_balance_job$/);
    assert.equal(refused.stdout, "");
    assert.ok(!new StateStore(stateDir).exists(), "no execution journal");
    assert.equal(await memory(), before, "the job's memory is untouched");
  });

  it("a refused login fails at once, as AUTH, without retrying", async () => {
    const file = config("wrong", sasl("ballast", "SCRAM-SHA-512", "not-the-password"));
    const dir = join(work, "wrong");
    mkdirSync(dir);
    const r = await cli(["snapshot", "--bootstrap-server", get("sasl_ssl_bootstrap"), "--command-config", file, "-o", join(dir, "live.yaml")]);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /^error: .*the SASL login was refused .*check sasl\.mechanism and the user name and password in sasl\.jaas\.config\n$/);
    const noCert = config("nocert", mtls("ballast-client").replace(/^ssl\.keystore.*\n/gm, ""));
    const r2 = await cli(["snapshot", "--bootstrap-server", get("ssl_bootstrap"), "--command-config", noCert]);
    assert.equal(r2.code, 7, r2.stderr);
    assert.match(r2.stderr, /^error: .*the broker refused the client certificate/);
  });

  it("no secret appears in any output, JSON event, journal or state file", () => {
    const secrets = [get("ballast_password"), get("reader_password"), get("store_password"), "not-the-password"];
    // A line from the middle of each private key's PEM.
    for (const key of ["ballast-client.key", "ballast-reader.key", "broker.key", "ca.key"]) {
      secrets.push(readFileSync(join(dirs(), key), "utf8").split("\n")[5] ?? "");
    }
    const texts: Array<readonly [string, string]> = outputs.map((r, i) => [`output ${String(i)}`, r.stdout + r.stderr]);
    const files = filesUnder(work).filter((f) => !f.startsWith(configs));
    for (const run of ["scram", "mtls", "cancel", "balance-scram", "balance-mtls", "balance-run"]) {
      assert.ok(files.some((f) => f.startsWith(join(work, run, "state"))), `the ${run} run left a state folder`);
    }
    for (const f of files) texts.push([f, readFileSync(f, "latin1")]);
    for (const [where, text] of texts) {
      for (const secret of secrets) assert.ok(secret.length >= 8 && !text.includes(secret), `a secret appears in ${where}`);
    }
  });
});
