import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyCapacities, capacityOverrides, parseCapacityFile } from "../../src/model/capacity-file.js";
import { parseConfig } from "../../src/model/config-parse.js";
import { parseCluster } from "../../src/model/parse.js";
import type { Capacity, Cluster } from "../../src/model/types.js";
import { readFixture, throwsBallast } from "./helpers.js";

const TiB = 2 ** 40;
const MiBs = 2 ** 20;

/** Brokers 1, 2 in rack a, 3, 4 in rack b; broker 1 has a disk capacity of its own in the snapshot. */
const CLUSTER: Cluster = parseCluster(
  `version: 2
brokers:
  - {id: 1, rack: a, capacity: {disk: 1TiB}}
  - {id: 2, rack: a}
  - {id: 3, rack: b}
  - {id: 4, rack: b, status: dead}
`,
  { format: "yaml", source: "cluster.yaml" },
);

const EXAMPLE = `default:            # every broker
  disk: 2TiB
  networkIn: 100MiB/s
  networkOut: 200MiB/s
racks:
  a: { networkIn: 125MiB/s }
brokers:
  2: { disk: 4TiB }
`;

function capacities(cluster: Cluster): Map<number, Capacity> {
  return new Map(cluster.brokers.map((b) => [b.id, b.capacity]));
}

/** The capacity file `text` must fail to parse with a CONFIG error at `path` and `line`. */
function refuses(text: string, path: string, line: number, message?: RegExp): void {
  throwsBallast(() => parseCapacityFile(text, "cap.yaml"), { code: "CONFIG", path, line, ...(message !== undefined && { message }) });
}

describe("parseCapacityFile", () => {
  it("reads a default, racks and brokers, each with sizes and rates in bytes", () => {
    const spec = parseCapacityFile(EXAMPLE, "cap.yaml");
    assert.equal(spec.source, "cap.yaml");
    assert.deepEqual(spec.default?.capacity, { disk: 2 * TiB, networkIn: 100 * MiBs, networkOut: 200 * MiBs });
    assert.deepEqual([...spec.racks].map(([rack, e]) => [rack, e.capacity]), [["a", { networkIn: 125 * MiBs }]]);
    assert.deepEqual([...spec.brokers].map(([id, e]) => [id, e.capacity]), [[2, { disk: 4 * TiB }]]);
    assert.deepEqual(spec.brokers.get(2)?.place, { source: "cap.yaml", path: 'brokers["2"]', line: 8, column: 3 });
  });

  it("takes any one part alone", () => {
    assert.equal(parseCapacityFile("default: {disk: 1TB}\n").default?.capacity.disk, 1e12);
    assert.equal(parseCapacityFile("racks: {a: {networkOut: 1GB/s}}\n").racks.get("a")?.capacity.networkOut, 1e9);
    assert.equal(parseCapacityFile("brokers: {0: {disk: 1KiB}}\n").brokers.get(0)?.capacity.disk, 1024);
  });

  it("refuses values without a unit, as numbers or strings", () => {
    refuses("default:\n  disk: 2000\n", "default.disk", 2, /^disk of default: 2000 has no unit/);
    refuses('default:\n  disk: "2000"\n', "default.disk", 2, /has no unit/);
    refuses("racks:\n  a: {networkIn: 100}\n", "racks.a.networkIn", 2, /^networkIn of rack "a": 100 has no unit/);
    refuses("brokers:\n  7: {networkOut: 100/s}\n", 'brokers["7"].networkOut', 2, /has no unit/);
  });

  it("refuses negative, zero, NaN, infinite values and the wrong kind of quantity", () => {
    refuses("default: {disk: -2TiB}\n", "default.disk", 1, /negative/);
    refuses("default: {disk: -5}\n", "default.disk", 1, /negative/);
    refuses("default: {disk: 0TiB}\n", "default.disk", 1, /^disk of default must be more than zero; found "0TiB"$/);
    refuses("default: {networkIn: 0B/s}\n", "default.networkIn", 1, /more than zero/);
    refuses("default: {disk: .nan}\n", "default.disk", 1, /found NaN/);
    refuses("default: {disk: .inf}\n", "default.disk", 1, /found Infinity/);
    refuses('default: {disk: "NaN TiB"}\n', "default.disk", 1);
    refuses("default: {networkIn: 100MiB}\n", "default.networkIn", 1, /a rate is expected/);
    refuses("default: {disk: 2TiB/s}\n", "default.disk", 1, /a size is expected/);
    refuses("default: {disk: 2 TeraBytes}\n", "default.disk", 1, /unknown unit/);
  });

  it("refuses unknown keys at the top and in every entry, at the key's line", () => {
    refuses("default: {disk: 1TiB}\nrack:\n  a: {disk: 1TiB}\n", "rack", 2, /unknown key "rack" in the capacity file \(did you mean "racks"\?\)/);
    refuses("default:\n  disc: 1TiB\n", "default.disc", 2, /unknown key "disc" .*did you mean "disk"/);
    refuses("racks:\n  a:\n    disk: 1TiB\n    cpu: 4\n", "racks.a.cpu", 4, /unknown key "cpu" in the capacities of rack "a"/);
    refuses("brokers:\n  7:\n    network_in: 1MiB/s\n", 'brokers["7"].network_in', 3, /unknown key "network_in"/);
  });

  it("refuses broker keys that are not broker ids", () => {
    refuses("brokers:\n  seven: {disk: 1TiB}\n", "brokers.seven", 2, /"seven" is not a broker id/);
    refuses("brokers:\n  -1: {disk: 1TiB}\n", 'brokers["-1"]', 2, /not a broker id/);
    refuses("brokers:\n  1.5: {disk: 1TiB}\n", 'brokers["1.5"]', 2, /not a broker id/);
    refuses('brokers:\n  "07": {disk: 1TiB}\n', 'brokers["07"]', 2, /not a broker id/);
  });

  it("refuses duplicate keys, also when YAML tells them apart but their names are one", () => {
    for (const text of [
      "brokers:\n  7: {disk: 1TiB}\n  7: {disk: 2TiB}\n",
      'brokers:\n  7: {disk: 1TiB}\n  "7": {disk: 2TiB}\n',
      "racks:\n  a: {disk: 1TiB}\n  a: {disk: 2TiB}\n",
      "default:\n  disk: 1TiB\n  disk: 2TiB\n",
    ]) {
      throwsBallast(() => parseCapacityFile(text, "cap.yaml"), { code: "PARSE_ERROR", line: 3, message: /unique/ });
    }
  });

  it("refuses empty files, empty entries and wrong shapes", () => {
    throwsBallast(() => parseCapacityFile("", "cap.yaml"), { code: "CONFIG", message: /the capacity file is empty/ });
    throwsBallast(() => parseCapacityFile("# nothing\n", "cap.yaml"), { code: "CONFIG", message: /empty/ });
    refuses("{}\n", "", 1, /the capacity file is empty/);
    refuses("brokers:\n  7: {}\n", 'brokers["7"]', 2, /broker 7 gives no capacity/);
    refuses("brokers:\n  7:\n", 'brokers["7"]', 2, /the capacities of broker 7 must be a mapping .*; found null/);
    refuses("racks: [a, b]\n", "racks", 1, /racks .* must be a mapping/);
    refuses("- default\n", "", 1, /must be a mapping/);
    throwsBallast(() => parseCapacityFile("default: {disk: [1TiB\n", "cap.yaml"), { code: "PARSE_ERROR" });
  });
});

describe("applyCapacities", () => {
  it("takes each resource from the broker's entry, else its rack's, else the default", () => {
    const caps = capacities(applyCapacities(CLUSTER, parseCapacityFile(EXAMPLE)));
    // Broker 2: disk from its own entry, network in from rack a, network out from the default.
    assert.deepEqual(caps.get(2), { disk: 4 * TiB, networkIn: 125 * MiBs, networkOut: 200 * MiBs });
    // Broker 1: its snapshot disk is replaced by the default.
    assert.deepEqual(caps.get(1), { disk: 2 * TiB, networkIn: 125 * MiBs, networkOut: 200 * MiBs });
    assert.deepEqual(caps.get(3), { disk: 2 * TiB, networkIn: 100 * MiBs, networkOut: 200 * MiBs });
    assert.deepEqual(caps.get(4), { disk: 2 * TiB, networkIn: 100 * MiBs, networkOut: 200 * MiBs }, "dead brokers too");
  });

  it("keeps the snapshot's capacity for what the file does not give, and changes nothing else", () => {
    const applied = applyCapacities(CLUSTER, parseCapacityFile("racks:\n  b: {networkIn: 1GiB/s}\n"));
    const caps = capacities(applied);
    assert.deepEqual(caps.get(1), { disk: TiB });
    assert.deepEqual(caps.get(2), {});
    assert.deepEqual(caps.get(3), { networkIn: 2 ** 30 });
    assert.deepEqual(applied.brokers.map(({ capacity: _, ...rest }) => rest), CLUSTER.brokers.map(({ capacity: _, ...rest }) => rest));
    assert.deepEqual(CLUSTER.brokers[1]?.capacity, {}, "the input is not changed");
  });

  it("refuses a broker that is not in the cluster, at its key in the file", () => {
    const spec = parseCapacityFile("default: {disk: 1TiB}\nbrokers:\n  9: {disk: 2TiB}\n", "cap.yaml");
    const e = throwsBallast(() => applyCapacities(CLUSTER, spec), { code: "CONFIG", path: 'brokers["9"]', line: 3, message: /^broker 9 is not in the cluster \(brokers: 1, 2, 3, 4\)$/ });
    assert.equal(e.describe(), `cap.yaml:3:3 (brokers["9"]): ${e.message}`);
  });

  it("refuses a rack no broker has, and racks on a cluster without racks", () => {
    const spec = parseCapacityFile("racks:\n  a: {disk: 1TiB}\n  us-east-1z: {disk: 1TiB}\n", "cap.yaml");
    throwsBallast(() => applyCapacities(CLUSTER, spec), { code: "CONFIG", path: "racks.us-east-1z", line: 3, message: /no broker of the cluster is in rack "us-east-1z" \(racks: a, b\)/ });
    const rackless = parseCluster("version: 1\nbrokers: [{id: 1}, {id: 2}]\n", { format: "yaml" });
    throwsBallast(() => applyCapacities(rackless, parseCapacityFile("racks:\n  a: {disk: 1TiB}\n")), { code: "CONFIG", line: 2, message: /have no racks/ });
  });

  it("treats rack names as names, never as object properties", () => {
    const odd = parseCluster('version: 1\nbrokers:\n  - {id: 1, rack: __proto__}\n  - {id: 2, rack: constructor}\n  - {id: 3, rack: toString}\n', { format: "yaml" });
    const spec = parseCapacityFile("default: {disk: 1TiB}\nracks:\n  __proto__: {disk: 2TiB}\n  toString: {disk: 3TiB}\n");
    const caps = capacities(applyCapacities(odd, spec));
    assert.deepEqual([caps.get(1), caps.get(2), caps.get(3)], [{ disk: 2 * TiB }, { disk: TiB }, { disk: 3 * TiB }]);
    throwsBallast(() => applyCapacities(CLUSTER, parseCapacityFile("racks:\n  constructor: {disk: 1TiB}\n")), { code: "CONFIG", message: /rack "constructor"/ });
  });

  it("says which snapshot capacities it replaced with other values", () => {
    assert.deepEqual(capacityOverrides(CLUSTER, parseCapacityFile(EXAMPLE)), [{ resource: "disk", brokers: [1] }]);
    assert.deepEqual(capacityOverrides(CLUSTER, parseCapacityFile("default: {disk: 1TiB}\n")), [], "the same value is no override");
    assert.deepEqual(capacityOverrides(CLUSTER, parseCapacityFile("brokers: {2: {disk: 1TiB}}\n")), []);
  });

  it("applies fixtures/capacity/capacity.yaml to the demo cluster", () => {
    const demo = parseCluster(readFixture("demo.yaml"), { format: "yaml", source: "demo.yaml" });
    const spec = parseCapacityFile(readFixture("capacity/capacity.yaml"), "fixtures/capacity/capacity.yaml");
    const applied = applyCapacities(demo, spec);
    assert.ok(applied.brokers.every((b) => b.capacity.disk !== undefined && b.capacity.networkIn !== undefined && b.capacity.networkOut !== undefined));
  });
});

describe("the capacity key of the balance config", () => {
  it("reads the same content as a capacity file", () => {
    const config = parseConfig(`maxMoves: 5\ncapacity:\n${EXAMPLE.replace(/^/gm, "  ").trimEnd()}\n`, "balance.yaml");
    const fromFile = parseCapacityFile(EXAMPLE, "balance.yaml");
    assert.deepEqual(config.capacity?.default?.capacity, fromFile.default?.capacity);
    assert.deepEqual([...(config.capacity?.racks ?? [])].map(([r, e]) => [r, e.capacity]), [...fromFile.racks].map(([r, e]) => [r, e.capacity]));
    assert.deepEqual(config.capacity?.brokers.get(2)?.place, { source: "balance.yaml", path: 'capacity.brokers["2"]', line: 10, column: 5 });
  });

  it("reports its problems under capacity, with the config's line", () => {
    throwsBallast(() => parseConfig("capacity:\n  default: {disk: 2000}\n", "balance.yaml"), { code: "CONFIG", path: "capacity.default.disk", line: 2, message: /no unit/ });
    throwsBallast(() => parseConfig("capacity:\n  defaults: {disk: 2TiB}\n"), { code: "CONFIG", path: "capacity.defaults", line: 2, message: /unknown key "defaults" in capacity/ });
    throwsBallast(() => parseConfig("capacity:\n"), { code: "CONFIG", path: "capacity", message: /must be a mapping/ });
    const spec = parseConfig("capacity:\n  brokers:\n    99: {disk: 1TiB}\n", "balance.yaml").capacity;
    assert.ok(spec !== undefined);
    throwsBallast(() => applyCapacities(CLUSTER, spec), { code: "CONFIG", path: 'capacity.brokers["99"]', line: 3 });
  });
});
