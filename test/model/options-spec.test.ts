import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/model/config-parse.js";
import { BALANCE_OPTIONS, DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_DISK_THRESHOLD, DEFAULT_GOALS, balanceOptions } from "../../src/model/options-spec.js";
import { excludedTopics, topicPattern } from "../../src/model/topic-pattern.js";
import { run } from "../cli/helpers.js";

describe("the balance options spec", () => {
  it("every option with a flag is in its commands' help, with its doc or help line", async () => {
    for (const command of ["plan", "describe"] as const) {
      const help = (await run([command, "--help"])).stdout.replace(/\s+/g, " ");
      for (const [name, spec] of balanceOptions()) {
        const flag = spec.flag;
        if (flag === undefined) continue;
        const shown = help.includes(flag.flags) && help.includes((flag.help ?? spec.doc).slice(0, 40));
        assert.equal(shown, flag.commands.includes(command), `${name} in ${command} --help`);
      }
    }
  });

  it("the config file takes exactly the options marked config, each under its name", () => {
    const text = [
      "goals: [disk]",
      "excludeBrokers: [1]",
      "excludeTopics: [orders]",
      "maxMoves: 3",
      "maxBytesMoved: 1GiB",
      "diskBalanceThreshold: 0.2",
      "networkBalanceThreshold: 0.3",
      "capacityThreshold: {disk: 0.5}",
      "strictCapacity: true",
      "toBrokers: [2]",
      "replicationFactor: {orders: 2}",
      "capacity: {default: {disk: 1TiB}}",
    ].join("\n");
    const config = parseConfig(text, "c.yaml");
    const configured = balanceOptions().filter(([, spec]) => spec.config).map(([name]) => name);
    assert.deepEqual(Object.keys(config).sort(), [...configured].sort());
    for (const [name, spec] of balanceOptions()) {
      if (!spec.config) assert.throws(() => parseConfig(`${name}: [1]`, "c.yaml"), /unknown key/, name);
    }
  });

  it("holds the defaults the solver uses", () => {
    assert.equal(DEFAULT_DISK_THRESHOLD, BALANCE_OPTIONS.diskBalanceThreshold.default);
    assert.deepEqual(DEFAULT_CAPACITY_THRESHOLDS, { disk: 0.85, networkIn: 0.8, networkOut: 0.8 });
    assert.equal(BALANCE_OPTIONS.goals.default, DEFAULT_GOALS);
  });
});

describe("topic patterns", () => {
  it("match the whole topic name", () => {
    const orders = topicPattern("orders");
    assert.ok(!("message" in orders));
    assert.equal(orders.test("orders"), true);
    assert.equal(orders.test("orders-dlq"), false);
    assert.equal(orders.test("old-orders"), false);
    const prefix = topicPattern("orders.*");
    assert.ok(!("message" in prefix));
    assert.equal(prefix.test("orders-dlq"), true);
  });

  it("an excluded-topic pattern that matches only part of a name still excludes it, and is reported", () => {
    const names = ["orders", "orders-dlq", "payments", "old-orders"];
    assert.deepEqual(excludedTopics(["orders"], names), { names: ["orders", "orders-dlq", "old-orders"], partial: [{ pattern: "orders", names: ["orders-dlq", "old-orders"] }], unmatched: [] });
    assert.deepEqual(excludedTopics(["^orders$", ".*pay.*"], names), { names: ["orders", "payments"], partial: [], unmatched: [] });
    // A pattern that matches no name, whole or in part, is listed (plan and describe note it).
    assert.deepEqual(excludedTopics(["invoices", "pay"], names), { names: ["payments"], partial: [{ pattern: "pay", names: ["payments"] }], unmatched: ["invoices"] });
  });
});
