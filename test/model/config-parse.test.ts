import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/model/config-parse.js";
import { throwsBallast } from "./helpers.js";

const FULL = `# balance settings
goals: [rack-spread, disk, leader]
excludeBrokers: [7, 8]
excludeTopics:
  - ^__consumer_offsets$
  - "^internal\\\\."
maxMoves: 50
maxBytesMoved: 50GiB
diskBalanceThreshold: 0.05
`;

describe("parseConfig", () => {
  it("reads every setting", () => {
    assert.deepEqual(parseConfig(FULL, "ballast.yaml"), {
      goals: ["rack-spread", "disk", "leader"],
      excludeBrokers: [7, 8],
      excludeTopics: ["^__consumer_offsets$", "^internal\\."],
      maxMoves: 50,
      maxBytesMoved: 50 * 2 ** 30,
      diskBalanceThreshold: 0.05,
    });
  });

  it("reads toBrokers and replicationFactor (topic pattern to factor, in file order)", () => {
    const config = parseConfig('toBrokers: [13, 14]\nreplicationFactor:\n  orders: 3\n  "logs-.*": 2\n', "ops.yaml");
    assert.deepEqual(config, {
      toBrokers: [13, 14],
      replicationFactor: [
        { topics: "orders", replicationFactor: 3 },
        { topics: "logs-.*", replicationFactor: 2 },
      ],
    });
  });

  it("rejects bad toBrokers and replicationFactor values with their path and line", () => {
    throwsBallast(() => parseConfig("toBrokers: [1, x]\n"), { code: "CONFIG", path: "toBrokers[1]", line: 1 });
    throwsBallast(() => parseConfig("replicationFactor:\n  orders: 0\n"), { code: "CONFIG", path: "replicationFactor.orders", line: 2, message: /at least 1/ });
    throwsBallast(() => parseConfig("replicationFactor:\n  orders: two\n"), { code: "CONFIG", path: "replicationFactor.orders", line: 2 });
    throwsBallast(() => parseConfig('replicationFactor:\n  "(": 2\n'), { code: "CONFIG", line: 2, message: /not a valid regular expression/ });
    throwsBallast(() => parseConfig("replicationFactor: [orders]\n"), { code: "CONFIG", path: "replicationFactor", message: /mapping/ });
  });

  it("finds the line of a key YAML reads as a number, and refuses keys that name one property twice", () => {
    throwsBallast(() => parseConfig("replicationFactor:\n  orders: 3\n  7: 0\n"), { code: "CONFIG", path: 'replicationFactor["7"]', line: 3 });
    throwsBallast(() => parseConfig('replicationFactor:\n  7: 3\n  "7": 2\n'), { code: "PARSE_ERROR", line: 3, message: /unique/ });
    throwsBallast(() => parseConfig("replicationFactor:\n  1: 3\n  1.0: 2\n"), { code: "PARSE_ERROR", line: 3, message: /unique/ });
  });

  it("leaves out what is not set; an empty file is an empty configuration", () => {
    assert.deepEqual(parseConfig("maxMoves: 0\n"), { maxMoves: 0 });
    assert.deepEqual(parseConfig(""), {});
    assert.deepEqual(parseConfig("# nothing here\n"), {});
    assert.deepEqual(parseConfig("goals: []\n"), { goals: [] });
  });

  it("takes maxBytesMoved as a number of bytes or a unit string", () => {
    assert.equal(parseConfig("maxBytesMoved: 1000\n").maxBytesMoved, 1000);
    assert.equal(parseConfig("maxBytesMoved: 2TB\n").maxBytesMoved, 2e12);
  });

  it("accepts diskBalanceThreshold 1 but not 0", () => {
    assert.equal(parseConfig("diskBalanceThreshold: 1\n").diskBalanceThreshold, 1);
    throwsBallast(() => parseConfig("diskBalanceThreshold: 0\n"), { code: "CONFIG", path: "diskBalanceThreshold", line: 1, message: /\(0, 1\]/ });
    throwsBallast(() => parseConfig("diskBalanceThreshold: 1.5\n"), { code: "CONFIG", path: "diskBalanceThreshold" });
    throwsBallast(() => parseConfig("diskBalanceThreshold: 10%\n"), { code: "CONFIG", path: "diskBalanceThreshold", message: /number.*"10%"/ });
  });

  it("reads networkBalanceThreshold and per-resource capacityThreshold, each in (0, 1]", () => {
    assert.equal(parseConfig("networkBalanceThreshold: 0.2\n").networkBalanceThreshold, 0.2);
    throwsBallast(() => parseConfig("networkBalanceThreshold: 0\n"), { code: "CONFIG", path: "networkBalanceThreshold", message: /\(0, 1\]/ });
    assert.deepEqual(parseConfig("capacityThreshold: {disk: 0.9, networkOut: 0.7}\n").capacityThreshold, { disk: 0.9, networkOut: 0.7 });
    throwsBallast(() => parseConfig("capacityThreshold: {disk: 1.2}\n"), { code: "CONFIG", path: "capacityThreshold.disk", message: /fraction of capacity/ });
    throwsBallast(() => parseConfig("capacityThreshold: {cpu: 0.5}\n"), { code: "CONFIG", path: "capacityThreshold.cpu", message: /disk, networkIn, networkOut/ });
    throwsBallast(() => parseConfig("capacityThreshold: 0.8\n"), { code: "CONFIG", path: "capacityThreshold" });
  });

  it("rejects unknown keys, naming the key and the allowed ones, with its line", () => {
    const e = throwsBallast(() => parseConfig("maxMoves: 3\nmaxMove: 5\n", "ballast.yaml"), { code: "CONFIG", path: "maxMove", line: 2, column: 1 });
    assert.match(e.message, /"maxMove"/);
    assert.match(e.message, /goals, excludeBrokers, excludeTopics, maxMoves, maxBytesMoved, diskBalanceThreshold/);
    assert.equal(e.place.source, "ballast.yaml");
  });

  it("requires goals from the known names, each once", () => {
    const e = throwsBallast(() => parseConfig("goals:\n  - disk\n  - throughput\n"), { code: "CONFIG", path: "goals[1]", line: 3, column: 5 });
    assert.match(e.message, /rack-spread, capacity, replica-count, disk, topic-spread, network-in, network-out, leader-bytes, leader.*"throughput"/);
    throwsBallast(() => parseConfig("goals: [disk, leader, disk]\n"), { code: "CONFIG", path: "goals[2]", line: 1, message: /twice/ });
    throwsBallast(() => parseConfig("goals: disk\n"), { code: "CONFIG", path: "goals", message: /list/ });
  });

  it("requires integer broker ids in excludeBrokers", () => {
    throwsBallast(() => parseConfig("excludeBrokers: [1, two]\n"), { code: "CONFIG", path: "excludeBrokers[1]", line: 1, column: 21 });
    throwsBallast(() => parseConfig("excludeBrokers: [1.5]\n"), { code: "CONFIG", path: "excludeBrokers[0]" });
  });

  it("requires excludeTopics to be strings that compile as regular expressions", () => {
    const e = throwsBallast(() => parseConfig("excludeTopics:\n  - ok\n  - \"orders(\"\n"), { code: "CONFIG", path: "excludeTopics[1]", line: 3 });
    assert.match(e.message, /"orders\(": not a valid regular expression/);
    const slow = throwsBallast(() => parseConfig("excludeTopics: ['(a)\\1']\nreplicationFactor: {'(?=x)y': 2}\n"), { code: "CONFIG", path: "excludeTopics[0]" });
    assert.match(slow.message, /back-references .* not supported/);
    throwsBallast(() => parseConfig("replicationFactor: {'(?=x)y': 2}\n"), { code: "CONFIG", line: 1, message: /lookahead/ });
    throwsBallast(() => parseConfig("excludeTopics: [12]\n"), { code: "CONFIG", path: "excludeTopics[0]" });
  });

  it("requires maxMoves to be a non-negative integer", () => {
    throwsBallast(() => parseConfig("maxMoves: -1\n"), { code: "CONFIG", path: "maxMoves", line: 1 });
    throwsBallast(() => parseConfig("maxMoves: 2.5\n"), { code: "CONFIG", path: "maxMoves" });
  });

  it("reports bad sizes in maxBytesMoved as CONFIG errors", () => {
    throwsBallast(() => parseConfig("\nmaxBytesMoved: 50GiG\n"), { code: "CONFIG", path: "maxBytesMoved", line: 2, message: /"GiG"/ });
    throwsBallast(() => parseConfig("maxBytesMoved: -1\n"), { code: "CONFIG", path: "maxBytesMoved", message: /negative/ });
  });

  it("reports malformed YAML as PARSE_ERROR and a non-mapping as CONFIG", () => {
    throwsBallast(() => parseConfig("goals: [disk\n"), { code: "PARSE_ERROR" });
    throwsBallast(() => parseConfig("- disk\n"), { code: "CONFIG", path: "" });
  });
});
