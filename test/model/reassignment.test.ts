import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCluster } from "../../src/model/parse.js";
import { applyReassignment, diffClusters, formatReassignment, parseReassignment } from "../../src/model/reassignment.js";
import type { Cluster, Reassignment } from "../../src/model/types.js";
import { readFixture, throwsBallast } from "./helpers.js";

const CLUSTER = parseCluster(
  `version: 1
brokers: [{id: 1}, {id: 2}, {id: 3}, {id: 4}]
topics:
  - name: orders
    partitions:
      - {partition: 0, replicas: [1, 2, 3], size: 10}
      - {partition: 1, replicas: [2, 3, 4], leader: 3, size: 20}
  - name: audit
    partitions:
      - {partition: 0, replicas: [4, 1]}
`,
  { format: "yaml" },
);

const PLAN: Reassignment = {
  version: 1,
  partitions: [
    { topic: "orders", partition: 1, replicas: [4, 1, 2], log_dirs: ["any", "any", "any"] },
    { topic: "audit", partition: 0, replicas: [1, 4], log_dirs: ["any", "any"] },
  ],
};

describe("formatReassignment", () => {
  it("writes Kafka's reassignment JSON, one partition per line", () => {
    assert.equal(
      formatReassignment(PLAN),
      '{"version":1,"partitions":[\n' +
        '{"topic":"orders","partition":1,"replicas":[4,1,2],"log_dirs":["any","any","any"]},\n' +
        '{"topic":"audit","partition":0,"replicas":[1,4],"log_dirs":["any","any"]}\n' +
        "]}\n",
    );
  });

  it("writes an empty plan", () => {
    assert.equal(formatReassignment({ version: 1, partitions: [] }), '{"version":1,"partitions":[]}\n');
  });

  it("is valid JSON that parses back to the same plan", () => {
    assert.deepEqual(JSON.parse(formatReassignment(PLAN)), PLAN);
    assert.deepEqual(parseReassignment(formatReassignment(PLAN)), PLAN);
  });

  it("escapes log dirs", () => {
    const plan: Reassignment = { version: 1, partitions: [{ topic: "a.b", partition: 0, replicas: [1], log_dirs: ['/data/"1"'] }] };
    assert.deepEqual(parseReassignment(formatReassignment(plan)), plan);
  });
});

describe("parseReassignment", () => {
  it("defaults log_dirs to any", () => {
    const r = parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":3,"replicas":[2,1]}]}');
    assert.deepEqual(r, { version: 1, partitions: [{ topic: "t", partition: 3, replicas: [2, 1], log_dirs: ["any", "any"] }] });
  });

  it("keeps given log dirs", () => {
    const r = parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/d1","any"]}]}');
    assert.deepEqual(r.partitions[0]?.log_dirs, ["/d1", "any"]);
  });

  it("reports syntax errors as PARSE_ERROR with the source", () => {
    const e = throwsBallast(() => parseReassignment('{"version":1,\n"partitions":[', "plan.json"), { code: "PARSE_ERROR", line: 2 });
    assert.equal(e.place.source, "plan.json");
  });

  it("checks the shape, with paths", () => {
    const entry = (fields: string): string => `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]},{${fields}}]}`;
    throwsBallast(() => parseReassignment("[]"), { code: "SCHEMA", path: "" });
    throwsBallast(() => parseReassignment('{"partitions":[]}'), { code: "SCHEMA", message: /missing "version"/ });
    throwsBallast(() => parseReassignment('{"version":2,"partitions":[]}'), { code: "UNSUPPORTED_VERSION", path: "version" });
    throwsBallast(() => parseReassignment('{"version":1,"partitions":{}}'), { code: "SCHEMA", path: "partitions" });
    throwsBallast(() => parseReassignment('{"version":1,"partitions":[],"extra":1}'), { code: "SCHEMA", path: "extra", message: /version, partitions/ });
    throwsBallast(() => parseReassignment(entry('"partition":0,"replicas":[1]')), { code: "SCHEMA", path: "partitions[1]", message: /missing "topic"/ });
    throwsBallast(() => parseReassignment(entry('"topic":"t","partition":-1,"replicas":[1]')), { code: "SCHEMA", path: "partitions[1].partition" });
    throwsBallast(() => parseReassignment(entry('"topic":"t","partition":1,"replicas":[1,"x"]')), { code: "SCHEMA", path: "partitions[1].replicas[1]" });
    throwsBallast(() => parseReassignment(entry('"topic":"t","partition":1,"replicas":[]')), { code: "EMPTY_REPLICAS", path: "partitions[1].replicas" });
    throwsBallast(() => parseReassignment(entry('"topic":"t","partition":1,"replicas":[3,3]')), { code: "DUPLICATE_REPLICA", path: "partitions[1].replicas[1]" });
    throwsBallast(() => parseReassignment(entry('"topic":"t","partition":1,"replicas":[1],"logdirs":["any"]')), { code: "SCHEMA", path: "partitions[1].logdirs", message: /log_dirs/ });
  });

  it("requires one log dir per replica", () => {
    throwsBallast(() => parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}'), {
      code: "SCHEMA",
      path: "partitions[0].log_dirs",
      message: /1 entries but replicas has 2/,
    });
    throwsBallast(() => parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":[7]}]}'), {
      code: "SCHEMA",
      path: "partitions[0].log_dirs[0]",
    });
  });

  it("rejects a partition listed twice", () => {
    throwsBallast(
      () => parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"u","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}'),
      { code: "DUPLICATE_PARTITION", path: "partitions[2]", message: /partitions\[0\].*partitions\[2\]/ },
    );
  });
});

describe("applyReassignment", () => {
  it("gives the listed partitions their new replicas, leader first, and leaves the rest alone", () => {
    const after = applyReassignment(CLUSTER, PLAN);
    const orders1 = after.topics[0]?.partitions[1];
    assert.deepEqual(orders1, { topic: "orders", partition: 1, replicas: [4, 1, 2], leader: 4, size: 20, bytesIn: 0, bytesOut: 0 });
    assert.deepEqual(after.topics[1]?.partitions[0]?.replicas, [1, 4]);
    assert.equal(after.topics[1]?.partitions[0]?.leader, 1);
    assert.equal(after.topics[0]?.partitions[0], CLUSTER.topics[0]?.partitions[0], "unchanged partitions are shared");
    assert.deepEqual(after.brokers, CLUSTER.brokers);
  });

  it("does not change its input", () => {
    const before = structuredClone(CLUSTER);
    applyReassignment(CLUSTER, PLAN);
    assert.deepEqual(CLUSTER, before);
  });

  it("rejects partitions that are not in the cluster", () => {
    const plan = (topic: string, partition: number): Reassignment => ({ version: 1, partitions: [PLAN.partitions[0]!, { topic, partition, replicas: [1], log_dirs: ["any"] }] });
    throwsBallast(() => applyReassignment(CLUSTER, plan("orders", 9)), { code: "SCHEMA", path: "partitions[1]", message: /partition 9 of topic "orders".*not in the cluster/ });
    throwsBallast(() => applyReassignment(CLUSTER, plan("payments", 0)), { code: "SCHEMA", path: "partitions[1]", message: /"payments"/ });
  });

  it("rejects brokers that are not in the cluster", () => {
    const plan: Reassignment = { version: 1, partitions: [{ topic: "orders", partition: 0, replicas: [1, 5], log_dirs: ["any", "any"] }] };
    throwsBallast(() => applyReassignment(CLUSTER, plan), { code: "UNKNOWN_BROKER", path: "partitions[0].replicas[1]", message: /broker 5/ });
  });

  it("rejects bad replica lists and repeated partitions", () => {
    const entry = (replicas: number[]) => ({ topic: "orders", partition: 0, replicas, log_dirs: replicas.map(() => "any") });
    throwsBallast(() => applyReassignment(CLUSTER, { version: 1, partitions: [entry([])] }), { code: "EMPTY_REPLICAS" });
    throwsBallast(() => applyReassignment(CLUSTER, { version: 1, partitions: [entry([2, 2])] }), { code: "DUPLICATE_REPLICA" });
    throwsBallast(() => applyReassignment(CLUSTER, { version: 1, partitions: [entry([1]), entry([2])] }), { code: "DUPLICATE_PARTITION", path: "partitions[1]" });
  });
});

describe("diffClusters", () => {
  it("lists only partitions whose replica list changed, sorted by topic then partition", () => {
    const after = applyReassignment(CLUSTER, PLAN);
    assert.deepEqual(diffClusters(CLUSTER, after), {
      version: 1,
      partitions: [
        { topic: "audit", partition: 0, replicas: [1, 4], log_dirs: ["any", "any"] },
        { topic: "orders", partition: 1, replicas: [4, 1, 2], log_dirs: ["any", "any", "any"] },
      ],
    });
  });

  it("counts a change of order (preferred leader) as a change, and nothing else", () => {
    const reordered: Cluster = {
      ...CLUSTER,
      topics: CLUSTER.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => (p.partition === 0 && t.name === "orders" ? { ...p, replicas: [2, 1, 3], size: 999 } : { ...p, leader: p.replicas[1] ?? p.leader })),
      })),
    };
    assert.deepEqual(diffClusters(CLUSTER, reordered).partitions, [{ topic: "orders", partition: 0, replicas: [2, 1, 3], log_dirs: ["any", "any", "any"] }]);
  });

  it("is empty for the same cluster, and for the same cluster in another order", () => {
    assert.deepEqual(diffClusters(CLUSTER, CLUSTER), { version: 1, partitions: [] });
    const shuffled: Cluster = { ...CLUSTER, topics: [...CLUSTER.topics].reverse().map((t) => ({ ...t, partitions: [...t.partitions].reverse() })) };
    assert.deepEqual(diffClusters(CLUSTER, shuffled).partitions, []);
  });

  it("sorts partitions numerically and topics by name", () => {
    const cluster = parseCluster(
      "version: 1\nbrokers: [{id: 1}, {id: 2}]\ntopics:\n  - {name: b, partitions: [{partition: 10, replicas: [1]}, {partition: 2, replicas: [1]}]}\n  - {name: a, partitions: [{partition: 0, replicas: [1]}]}\n",
      { format: "yaml" },
    );
    const moved = applyReassignment(cluster, {
      version: 1,
      partitions: ["b:10", "b:2", "a:0"].map((s) => ({ topic: s.split(":")[0]!, partition: Number(s.split(":")[1]), replicas: [2], log_dirs: ["any"] })),
    });
    assert.deepEqual(diffClusters(cluster, moved).partitions.map((e) => `${e.topic}-${e.partition}`), ["a-0", "b-2", "b-10"]);
  });

  it("rejects clusters that do not hold the same partitions", () => {
    const fewer: Cluster = { ...CLUSTER, topics: [{ name: "orders", partitions: CLUSTER.topics[0]!.partitions.slice(0, 1) }, CLUSTER.topics[1]!] };
    throwsBallast(() => diffClusters(CLUSTER, fewer), { code: "SCHEMA", path: "topics[0].partitions[1]", message: /partition 1 of topic "orders" is in the first/ });
    throwsBallast(() => diffClusters(fewer, CLUSTER), { code: "SCHEMA", path: "topics[0].partitions[1]", message: /is in the second/ });
    const noAudit: Cluster = { ...CLUSTER, topics: [CLUSTER.topics[0]!] };
    throwsBallast(() => diffClusters(CLUSTER, noAudit), { code: "SCHEMA", path: "topics[1].partitions[0]", message: /"audit"/ });
  });

  it("applying the diff of two clusters turns the first into the second", () => {
    const before = parseCluster(readFixture("demo.yaml"), { format: "yaml" });
    const ids = before.brokers.map((b) => b.id);
    // Rotate every replica to the next broker id: a valid, very different placement.
    const next = (id: number): number => ids[(ids.indexOf(id) + 1) % ids.length]!;
    const target: Cluster = {
      ...before,
      topics: before.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, replicas: p.replicas.map(next), leader: next(p.replicas[0]!) })) })),
    };
    const plan = diffClusters(before, target);
    assert.equal(plan.partitions.length, 40);
    assert.deepEqual(applyReassignment(before, parseReassignment(formatReassignment(plan))), target);
  });
});

describe("Ballast's plan metadata", () => {
  it("round-trips the replicas a plan was made from under the top-level \"ballast\" key", () => {
    const r = {
      version: 1 as const,
      partitions: [{ topic: "t", partition: 0, replicas: [2, 3], log_dirs: ["any", "any"] }],
      madeFrom: [{ topic: "t", partition: 0, replicas: [1, 2] }],
    };
    const text = formatReassignment(r);
    const json = JSON.parse(text) as { version: number; partitions: unknown[]; ballast: { madeFrom: unknown[] } };
    assert.equal(json.version, 1);
    assert.equal(json.partitions.length, 1);
    assert.deepEqual(json.ballast.madeFrom, [{ topic: "t", partition: 0, replicas: [1, 2] }]);
    assert.deepEqual(parseReassignment(text), r);
  });

  it("rejects unknown keys inside it", () => {
    assert.throws(() => parseReassignment('{"version":1,"partitions":[],"ballast":{"from":[]}}'), /from/);
  });
});
