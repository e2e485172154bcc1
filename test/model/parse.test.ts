import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterFormatFor, parseCluster } from "../../src/model/parse.js";
import type { Cluster } from "../../src/model/types.js";
import { throwsBallast } from "./helpers.js";

const yaml = (text: string): Cluster => parseCluster(text, { format: "yaml", source: "test.yaml" });
const json = (text: string): Cluster => parseCluster(text, { format: "json", source: "test.json" });

/** A valid snapshot; tests break one line at a time (line numbers are stable). */
const BASE = `version: 1
name: demo
brokers:
  - id: 1
    rack: a
    host: host-1
    capacity: { disk: 2TiB, networkIn: 200MiB/s, networkOut: 400MiB/s }
  - { id: 2, rack: b }
  - { id: 3, rack: c, status: dead }
topics:
  - name: orders
    partitions:
      - partition: 0
        replicas: [1, 2, 3]
        size: 1.5GiB
        bytesIn: 1048576
        bytesOut: 3MiB/s
      - { partition: 1, replicas: [2, 3], leader: 3 }
`;

/** BASE with one line (1-based) replaced. */
function withLine(line: number, text: string): string {
  const lines = BASE.split("\n");
  lines[line - 1] = text;
  return lines.join("\n");
}

describe("parseCluster (YAML)", () => {
  it("returns the plain model, with defaults and without absent optional keys", () => {
    const expected: Cluster = {
      version: 1,
      name: "demo",
      brokers: [
        { id: 1, rack: "a", host: "host-1", status: "alive", capacity: { disk: 2 * 2 ** 40, networkIn: 200 * 2 ** 20, networkOut: 400 * 2 ** 20 } },
        { id: 2, rack: "b", status: "alive", capacity: {} },
        { id: 3, rack: "c", status: "dead", capacity: {} },
      ],
      topics: [
        {
          name: "orders",
          partitions: [
            { topic: "orders", partition: 0, replicas: [1, 2, 3], leader: 1, size: 1610612736, bytesIn: 1048576, bytesOut: 3 * 2 ** 20 },
            { topic: "orders", partition: 1, replicas: [2, 3], leader: 3, size: 0, bytesIn: 0, bytesOut: 0 },
          ],
        },
      ],
    };
    const cluster = yaml(BASE);
    assert.deepEqual(cluster, expected);
    assert.ok(!("host" in (cluster.brokers[1] ?? {})), "absent keys are omitted, not undefined");
    assert.ok(!("rack" in yaml("version: 1\nbrokers: [{id: 1}]\n").brokers[0]!));
  });

  it("keeps brokers, topics and partitions in file order", () => {
    const c = yaml(`version: 1
brokers: [{id: 9}, {id: 2}, {id: 5}]
topics:
  - {name: zeta, partitions: [{partition: 3, replicas: [5]}, {partition: 0, replicas: [9]}]}
  - {name: alpha, partitions: []}
`);
    assert.deepEqual(c.brokers.map((b) => b.id), [9, 2, 5]);
    assert.deepEqual(c.topics.map((t) => t.name), ["zeta", "alpha"]);
    assert.deepEqual(c.topics[0]?.partitions.map((p) => p.partition), [3, 0]);
  });

  it("allows a cluster without topics and without a name", () => {
    assert.deepEqual(yaml("version: 1\nbrokers: []\n"), { version: 1, brokers: [], topics: [] });
  });

  it("reports malformed YAML as PARSE_ERROR with line and column", () => {
    const e = throwsBallast(() => yaml(withLine(14, "        replicas: [1, 2, 3")), { code: "PARSE_ERROR" });
    assert.equal(e.place.source, "test.yaml");
    assert.ok(typeof e.place.line === "number" && e.place.line >= 14, `line ${e.place.line}`);
    assert.equal(typeof e.place.column, "number");
    assert.doesNotMatch(e.message, /\n/, "one line");
    throwsBallast(() => yaml("version: 1\nbrokers: []\nbrokers: []\n"), { code: "PARSE_ERROR", line: 3, column: 1, message: /unique/ });
    throwsBallast(() => yaml("version: 1\n  brokers: [\n"), { code: "PARSE_ERROR" });
  });

  it("reports unresolved aliases and alias bombs as PARSE_ERROR", () => {
    throwsBallast(() => yaml("version: 1\nbrokers: *nowhere\n"), { code: "PARSE_ERROR", message: /nowhere|alias/i });
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
    for (let i = 0, prev = "a"; i < 6; prev = `b${i}`, i++) bomb += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
    throwsBallast(() => yaml(bomb), { code: "PARSE_ERROR", message: /alias/ });
  });

  it("reads anchors and aliases", () => {
    const c = yaml("version: 1\nbrokers:\n  - {id: 1, capacity: &cap {disk: 1TiB}}\n  - {id: 2, capacity: *cap}\n");
    assert.equal(c.brokers[1]?.capacity.disk, 2 ** 40);
  });

  it("requires version 1 or 2 (UNSUPPORTED_VERSION)", () => {
    throwsBallast(() => yaml(withLine(1, "version: 3")), { code: "UNSUPPORTED_VERSION", path: "version", line: 1, message: /version 3.*versions 1 and 2/ });
    throwsBallast(() => yaml(withLine(1, "# no version")), { code: "UNSUPPORTED_VERSION", message: /no "version"/ });
    throwsBallast(() => yaml(withLine(1, 'version: "1"')), { code: "UNSUPPORTED_VERSION", path: "version" });
  });

  it("reads isr and offline from version 2 and refuses them in version 1", () => {
    const v2 = "version: 2\nbrokers: [{id: 1}, {id: 2}, {id: 3}]\ntopics:\n  - name: t\n    partitions:\n      - {partition: 0, replicas: [1, 2, 3], isr: [1, 2], offline: [3]}\n";
    const p = yaml(v2).topics[0]?.partitions[0];
    assert.deepEqual(p?.isr, [1, 2]);
    assert.deepEqual(p?.offline, [3]);
    throwsBallast(() => yaml(v2.replace("version: 2", "version: 1")), { code: "SCHEMA", path: "topics[0].partitions[0].isr", message: /version 2/ });
    throwsBallast(() => yaml(v2.replace("isr: [1, 2]", "isr: [1, 4]")), { code: "UNKNOWN_BROKER" });
    const v2b = v2.replace("brokers: [{id: 1}, {id: 2}, {id: 3}]", "brokers: [{id: 1}, {id: 2}, {id: 3}, {id: 4}]");
    throwsBallast(() => yaml(v2b.replace("isr: [1, 2]", "isr: [1, 4]")), { code: "SCHEMA", message: /not a replica/ });
  });

  it("reads an optional per-partition cpu figure and rejects negative or non-numeric ones", () => {
    const text = "version: 1\nbrokers: [{id: 1}, {id: 2}]\ntopics:\n  - name: t\n    partitions:\n      - {partition: 0, replicas: [1, 2], cpu: 0.25}\n      - {partition: 1, replicas: [2, 1]}\n";
    const [p0, p1] = yaml(text).topics[0]?.partitions ?? [];
    assert.equal(p0?.cpu, 0.25);
    assert.equal(p1 !== undefined && "cpu" in p1, false);
    throwsBallast(() => yaml(text.replace("cpu: 0.25", "cpu: -1")), { code: "SCHEMA", path: "topics[0].partitions[0].cpu", message: /zero or more/ });
    throwsBallast(() => yaml(text.replace("cpu: 0.25", "cpu: lots")), { code: "INVALID_NUMBER", path: "topics[0].partitions[0].cpu" });
  });

  it("rejects a document that is not a mapping", () => {
    throwsBallast(() => yaml("- 1\n- 2\n"), { code: "SCHEMA", path: "", message: /mapping.*a list/ });
    throwsBallast(() => yaml(""), { code: "SCHEMA", message: /null/ });
  });

  it("rejects unknown keys, naming the key and the allowed ones, at the key's line", () => {
    const e = throwsBallast(() => yaml(withLine(6, "    hots: host-1")), { code: "SCHEMA", path: "brokers[0].hots", line: 6, column: 5 });
    assert.match(e.message, /"hots"/);
    assert.match(e.message, /id, rack, host, status, capacity/);
    assert.match(e.message, /did you mean "host"/);
    throwsBallast(() => yaml(withLine(2, "nmae: demo")), { code: "SCHEMA", path: "nmae", line: 2 });
    throwsBallast(() => yaml(withLine(17, "        bytesOutt: 3MiB/s")), { code: "SCHEMA", path: "topics[0].partitions[0].bytesOutt", line: 17 });
    throwsBallast(() => yaml(withLine(7, "    capacity: { disk: 2TiB, cpu: 8 }")), { code: "SCHEMA", path: "brokers[0].capacity.cpu", line: 7, message: /disk, networkIn, networkOut/ });
    throwsBallast(() => yaml(`${BASE}extra: 1\n`), { code: "SCHEMA", path: "extra", line: 19 });
  });

  it("rejects wrong shapes (SCHEMA) with the path and line", () => {
    throwsBallast(() => yaml("version: 1\nbrokers: 3\n"), { code: "SCHEMA", path: "brokers", line: 2, column: 10, message: /list.*found 3/ });
    throwsBallast(() => yaml("version: 1\n"), { code: "SCHEMA", path: "", line: 1, message: /missing "brokers"/ });
    throwsBallast(() => yaml(withLine(4, "  - id: one")), { code: "SCHEMA", path: "brokers[0].id", line: 4, message: /integer.*"one"/ });
    throwsBallast(() => yaml(withLine(4, "  - id: 1.5")), { code: "SCHEMA", path: "brokers[0].id", line: 4 });
    throwsBallast(() => yaml(withLine(4, "  - id: -1")), { code: "SCHEMA", path: "brokers[0].id" });
    throwsBallast(() => yaml(withLine(8, "  - { rack: b }")), { code: "SCHEMA", path: "brokers[1]", line: 8, message: /missing "id"/ });
    throwsBallast(() => yaml(withLine(8, "  - 2")), { code: "SCHEMA", path: "brokers[1]", line: 8, message: /mapping/ });
    throwsBallast(() => yaml(withLine(11, "  -")), { code: "SCHEMA", path: "topics[0]", message: /missing "name"/ });
    throwsBallast(() => yaml(withLine(11, "  - name: 42")), { code: "SCHEMA", path: "topics[0].name", line: 11, message: /quotes/ });
    throwsBallast(() => yaml(withLine(13, "      - partition: -1")), { code: "SCHEMA", path: "topics[0].partitions[0].partition", line: 13 });
    throwsBallast(() => yaml(withLine(13, "      - partition: x")), { code: "SCHEMA", path: "topics[0].partitions[0].partition", line: 13 });
    throwsBallast(() => yaml(withLine(14, "        replicas: 1")), { code: "SCHEMA", path: "topics[0].partitions[0].replicas", line: 14 });
    throwsBallast(() => yaml(withLine(14, "        replicas: [1, two, 3]")), { code: "SCHEMA", path: "topics[0].partitions[0].replicas[1]", line: 14, column: 23 });
    throwsBallast(() => yaml(withLine(5, "    rack: 7")), { code: "SCHEMA", path: "brokers[0].rack", line: 5, message: /"7"/ });
    throwsBallast(() => yaml(withLine(2, "name: ''")), { code: "SCHEMA", path: "name", line: 2 });
  });

  it("rejects a status other than alive or dead (SCHEMA)", () => {
    throwsBallast(() => yaml(withLine(9, "  - { id: 3, rack: c, status: down }")), {
      code: "SCHEMA",
      path: "brokers[2].status",
      line: 9,
      column: 31,
      message: /alive, dead.*"down"/,
    });
  });

  it("rejects duplicate broker ids, naming both positions (DUPLICATE_BROKER)", () => {
    const e = throwsBallast(() => yaml(withLine(9, "  - { id: 1, rack: c }")), { code: "DUPLICATE_BROKER", path: "brokers[2].id", line: 9 });
    assert.match(e.message, /brokers\[0\].*brokers\[2\]/);
  });

  it("rejects duplicate topic names (DUPLICATE_TOPIC)", () => {
    const text = `${BASE}  - name: orders\n    partitions: []\n`;
    const e = throwsBallast(() => yaml(text), { code: "DUPLICATE_TOPIC", path: "topics[1].name", line: 19 });
    assert.match(e.message, /"orders".*topics\[0\].*topics\[1\]/);
  });

  it("rejects duplicate partition numbers within a topic (DUPLICATE_PARTITION)", () => {
    const e = throwsBallast(() => yaml(withLine(18, "      - { partition: 0, replicas: [2, 3] }")), {
      code: "DUPLICATE_PARTITION",
      path: "topics[0].partitions[1].partition",
      line: 18,
    });
    assert.match(e.message, /partition 0 of topic "orders"/);
    // The same number in two topics is fine.
    yaml(`${BASE}  - name: payments\n    partitions: [{ partition: 0, replicas: [1] }]\n`);
  });

  it("rejects replicas on unknown brokers (UNKNOWN_BROKER)", () => {
    const e = throwsBallast(() => yaml(withLine(14, "        replicas: [1, 2, 7]")), {
      code: "UNKNOWN_BROKER",
      path: "topics[0].partitions[0].replicas[2]",
      line: 14,
      column: 26,
    });
    assert.match(e.message, /broker 7.*brokers: 1, 2, 3/);
  });

  it("rejects a broker twice in one replica list (DUPLICATE_REPLICA)", () => {
    throwsBallast(() => yaml(withLine(14, "        replicas: [1, 2, 1]")), {
      code: "DUPLICATE_REPLICA",
      path: "topics[0].partitions[0].replicas[2]",
      line: 14,
      message: /broker 1 appears twice/,
    });
  });

  it("rejects an empty replica list (EMPTY_REPLICAS)", () => {
    throwsBallast(() => yaml(withLine(18, "      - { partition: 1, replicas: [] }")), {
      code: "EMPTY_REPLICAS",
      path: "topics[0].partitions[1].replicas",
      line: 18,
    });
  });

  it("rejects a leader that is not a replica (LEADER_NOT_REPLICA)", () => {
    throwsBallast(() => yaml(withLine(18, "      - { partition: 1, replicas: [2, 3], leader: 1 }")), {
      code: "LEADER_NOT_REPLICA",
      path: "topics[0].partitions[1].leader",
      line: 18,
      message: /leader 1.*\[2, 3\]/,
    });
  });

  it("rejects negative or non-numeric sizes, rates and capacities (INVALID_NUMBER)", () => {
    throwsBallast(() => yaml(withLine(15, "        size: -5")), { code: "INVALID_NUMBER", path: "topics[0].partitions[0].size", line: 15 });
    throwsBallast(() => yaml(withLine(16, "        bytesIn: fast")), { code: "INVALID_NUMBER", path: "topics[0].partitions[0].bytesIn", line: 16 });
    throwsBallast(() => yaml(withLine(17, "        bytesOut: true")), { code: "INVALID_NUMBER", path: "topics[0].partitions[0].bytesOut", line: 17 });
    throwsBallast(() => yaml(withLine(7, "    capacity: { disk: -2TiB }")), { code: "INVALID_NUMBER", path: "brokers[0].capacity.disk", line: 7, column: 23 });
    throwsBallast(() => yaml(withLine(15, "        size: .nan")), { code: "INVALID_NUMBER", path: "topics[0].partitions[0].size" });
  });

  it("rejects unknown units (INVALID_UNIT)", () => {
    throwsBallast(() => yaml(withLine(15, "        size: 1.5Gb")), { code: "INVALID_UNIT", path: "topics[0].partitions[0].size", line: 15, message: /"Gb"/ });
    throwsBallast(() => yaml(withLine(7, "    capacity: { networkIn: 200MiB }")), { code: "INVALID_UNIT", path: "brokers[0].capacity.networkIn", line: 7, message: /\/s/ });
    throwsBallast(() => yaml(withLine(15, "        size: 1GiB/s")), { code: "INVALID_UNIT", path: "topics[0].partitions[0].size" });
  });

  it("rejects some brokers with a rack and some without (MIXED_RACKS)", () => {
    const e = throwsBallast(() => yaml(withLine(8, "  - { id: 2 }")), { code: "MIXED_RACKS", path: "brokers[1]", line: 8 });
    assert.match(e.message, /broker 2.*no rack.*broker 1.*"a"/);
    // The minority is reported: here broker 1 is the only one with a rack.
    throwsBallast(() => yaml("version: 1\nbrokers:\n  - {id: 1, rack: a}\n  - {id: 2}\n  - {id: 3}\n"), { code: "MIXED_RACKS", path: "brokers[0]", line: 3 });
  });

  it("points at the nearest existing node when the path has no node of its own", () => {
    throwsBallast(() => yaml(withLine(13, "      -")), { code: "SCHEMA", path: "topics[0].partitions[0]", line: 14, message: /missing "partition"/ });
  });
});

describe("parseCluster (JSON)", () => {
  const JSON_BASE = JSON.stringify({
    version: 1,
    brokers: [{ id: 1, rack: "a" }, { id: 2, rack: "b" }],
    topics: [{ name: "t", partitions: [{ partition: 0, replicas: [1, 2], size: "1GiB", bytesIn: "1MiB/s" }] }],
  });

  it("reads the same model as YAML", () => {
    const fromYaml = yaml("version: 1\nbrokers: [{id: 1, rack: a}, {id: 2, rack: b}]\ntopics: [{name: t, partitions: [{partition: 0, replicas: [1, 2], size: 1GiB, bytesIn: 1MiB/s}]}]\n");
    assert.deepEqual(json(JSON_BASE), fromYaml);
  });

  it("reports syntax errors as PARSE_ERROR, with line and column when Node gives a position", () => {
    const e = throwsBallast(() => json('{\n  "version": 1,\n  "brokers": [}\n'), { code: "PARSE_ERROR" });
    assert.equal(e.place.source, "test.json");
    assert.match(e.message, /^invalid JSON: /);
    assert.doesNotMatch(e.message, /not valid JSON/, "the excerpt is dropped");
    throwsBallast(() => json('{"version": 1\n  "brokers": []}'), { code: "PARSE_ERROR", line: 2, column: 3 });
    throwsBallast(() => json('{"version": 1,\n'), { code: "PARSE_ERROR", line: 2, column: 1 });
    throwsBallast(() => json('{"version": 1'), { code: "PARSE_ERROR", line: 1, column: 14 });
  });

  it("accepts a byte order mark", () => {
    assert.equal(json(`\uFEFF${JSON_BASE}`).brokers.length, 2);
  });

  it("reports validation errors with the path (no line)", () => {
    const bad = JSON_BASE.replace('"replicas":[1,2]', '"replicas":[1,3]');
    const e = throwsBallast(() => json(bad), { code: "UNKNOWN_BROKER", path: "topics[0].partitions[0].replicas[1]" });
    assert.equal(e.place.line, undefined);
    assert.equal(e.place.source, "test.json");
    assert.equal(e.describe(), `test.json (topics[0].partitions[0].replicas[1]): ${e.message}`);
  });

  it("treats __proto__ as an unknown key", () => {
    throwsBallast(() => json('{"version": 1, "brokers": [], "__proto__": {}}'), { code: "SCHEMA", path: "__proto__" });
  });

  // Speed is a benchmark figure, not an assertion here: the "load JSON" column of `npm run bench`.
  it("validates a large snapshot", () => {
    const brokers = Array.from({ length: 60 }, (_, i) => ({ id: i, rack: `r${i % 3}` }));
    const partitions = Array.from({ length: 100_000 }, (_, p) => ({ partition: p, replicas: [p % 60, (p + 1) % 60, (p + 2) % 60], size: 1e9 }));
    const text = JSON.stringify({ version: 1, brokers, topics: [{ name: "big", partitions }] });
    const cluster = json(text);
    assert.equal(cluster.topics[0]?.partitions.length, 100_000);
    assert.deepEqual(cluster.topics[0]?.partitions[99_999]?.replicas, [39, 40, 41]);
  });
});

describe("clusterFormatFor", () => {
  it("chooses by extension", () => {
    assert.equal(clusterFormatFor("snap.yaml"), "yaml");
    assert.equal(clusterFormatFor("dir.v2/snap.YML"), "yaml");
    assert.equal(clusterFormatFor("/tmp/cluster.json"), "json");
  });

  it("rejects other extensions as USAGE, listing the ones that work", () => {
    throwsBallast(() => clusterFormatFor("snap.txt"), { code: "USAGE", message: /"\.txt".*\.yaml, \.yml or \.json/ });
    throwsBallast(() => clusterFormatFor("dir.d/snapshot"), { code: "USAGE", message: /no extension/ });
  });
});

describe("hostile snapshot input", () => {
  it("refuses duplicate keys in JSON as YAML does, at the repeated key", () => {
    const e = throwsBallast(() => json('{"version": 1,\n "brokers": [{"id": 1, "id": 7}]}'), { code: "PARSE_ERROR", line: 2, column: 24 });
    assert.match(e.message, /"id" appears twice/);
    throwsBallast(() => json('{"version": 1, "brokers": [], "topics": [], "brokers": [{"id": 1}]}'), { code: "PARSE_ERROR" });
    throwsBallast(() => json('{"version": 1, "brokers": [{"id": 1, "i\\u0064": 2}]}'), { code: "PARSE_ERROR" });
    // The same key in different objects, or a key's text inside a string value, is fine.
    assert.equal(json('{"version": 1, "name": "\\"id\\"", "brokers": [{"id": 1}, {"id": 2}]}').brokers.length, 2);
    throwsBallast(() => yaml("version: 1\nbrokers:\n  - {id: 1, id: 7}\n"), { code: "PARSE_ERROR", line: 3 });
  });

  it("refuses topic names Kafka refuses: characters outside [A-Za-z0-9._-], more than 249, '.' and '..'", () => {
    for (const name of ["a b", "x;touch /tmp/pwned;#", "\u001b[31mred", "new\nline", "$(id)", ".", "..", "a".repeat(250), "ünï"]) {
      const text = JSON.stringify({ version: 1, brokers: [{ id: 1 }], topics: [{ name, partitions: [{ partition: 0, replicas: [1] }] }] });
      const e = throwsBallast(() => json(text), { code: "SCHEMA", path: "topics[0].name" });
      assert.match(e.message, /not a legal Kafka topic name/);
      assert.doesNotMatch(e.message, /[\u0000-\u001f]/, "control characters are escaped");
      assert.ok(e.message.length < 400, "the name is cut short in the message");
    }
    for (const name of ["constructor", "__proto__", "toString", "a".repeat(249), "...", "_x-1.y"]) {
      const text = JSON.stringify({ version: 1, brokers: [{ id: 1 }], topics: [{ name, partitions: [{ partition: 0, replicas: [1] }] }] });
      assert.equal(json(text).topics[0]?.name, name);
    }
  });

  it("refuses broker ids, replicas, leaders and partition numbers above int32", () => {
    for (const big of [2147483648, 2 ** 53 - 1]) {
      throwsBallast(() => json(JSON.stringify({ version: 1, brokers: [{ id: big }] })), { code: "SCHEMA", path: "brokers[0].id" });
      const part = { version: 1, brokers: [{ id: 1 }], topics: [{ name: "t", partitions: [{ partition: big, replicas: [1] }] }] };
      throwsBallast(() => json(JSON.stringify(part)), { code: "SCHEMA", path: "topics[0].partitions[0].partition" });
    }
    assert.equal(json(JSON.stringify({ version: 1, brokers: [{ id: 2147483647 }] })).brokers[0]?.id, 2147483647);
  });

  it("refuses control characters in racks, hosts and names, and quotes long values cut short", () => {
    throwsBallast(() => yaml('version: 1\nname: "a\\e]0;pwned\\a"\nbrokers: []\n'), { code: "SCHEMA", path: "name" });
    throwsBallast(() => yaml('version: 1\nbrokers: [{id: 1, rack: "r\\n2"}]\n'), { code: "SCHEMA", path: "brokers[0].rack" });
    const e = throwsBallast(() => yaml("x".repeat(1_000_000)), { code: "SCHEMA" });
    assert.ok(e.message.length < 300, `message of ${e.message.length} characters`);
    assert.match(e.message, /\(1000000 characters\)/);
  });
});

describe("capacities", () => {
  it("a capacity of 0 is an error, not 'no capacity'", () => {
    for (const key of ["disk", "networkIn", "networkOut"]) {
      const text = `version: 1\nbrokers:\n  - {id: 1, capacity: {${key}: 0}}\n`;
      const e = throwsBallast(() => yaml(text), { code: "SCHEMA", path: `brokers[0].capacity.${key}`, line: 3 });
      assert.match(e.message, /capacity of 0 is not a capacity/);
    }
    assert.equal(yaml("version: 1\nbrokers:\n  - {id: 1, capacity: {disk: 1}}\n").brokers[0]?.capacity.disk, 1);
  });
});
