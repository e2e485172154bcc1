import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCluster } from "../../src/model/parse.js";
import { partitionCount } from "../../src/model/types.js";
import { filesIn, run, singleErrorLine, suiteDir } from "./helpers.js";

describe("ballast generate", () => {
  const dir = suiteDir();

  it("writes a YAML snapshot that parseCluster accepts, shaped by the flags", async () => {
    const output = join(dir(), "gen.yaml");
    const args = [
      "generate", "--brokers", "9", "--racks", "3", "--rack-weights", "1,1,1", "--topics", "4",
      "--partitions", "5", "--rf", "3", "--size-dist", "fixed", "--mean-size", "1GiB",
      "--placement", "skewed", "--new-brokers", "2", "--disk-capacity", "2TiB", "--mixed-capacity",
      "--network-in-capacity", "100MiB/s", "--network-out-capacity", "200MiB/s",
      "--name", "lab", "--seed", "3", "-o", output,
    ];
    const result = await run(args);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    const cluster = parseCluster(readFileSync(output, "utf8"), { format: "yaml", source: output });
    assert.equal(cluster.name, "lab");
    assert.equal(cluster.brokers.length, 11);
    assert.equal(partitionCount(cluster), 20);
    assert.equal(new Set(cluster.brokers.map((b) => b.rack)).size, 3);
    for (const t of cluster.topics) for (const p of t.partitions) assert.equal(p.size, 1024 ** 3);
    assert.deepEqual(new Set(cluster.brokers.map((b) => b.capacity.disk)), new Set([2 * 1024 ** 4, 4 * 1024 ** 4]));
    assert.deepEqual(new Set(cluster.brokers.map((b) => b.capacity.networkIn)), new Set([100 * 1024 ** 2, 200 * 1024 ** 2]));
    for (const b of cluster.brokers) assert.equal(b.capacity.networkOut, 2 * (b.capacity.networkIn ?? 0));
  });

  it("writes JSON for a .json file and YAML on stdout, the same cluster for the same seed", async () => {
    const output = join(dir(), "gen.json");
    assert.equal((await run(["generate", "--seed", "5", "-o", output])).code, 0);
    const fromFile = parseCluster(readFileSync(output, "utf8"), { format: "json", source: output });
    const printed = await run(["generate", "--seed", "5"]);
    assert.equal(printed.code, 0);
    assert.deepEqual(parseCluster(printed.stdout, { format: "yaml" }), fromFile);
  });

  it("names the flag when a value is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["--brokers", "ten"], /^error: --brokers: expected a whole number, got 'ten'$/],
      [["--partitions", "9-3"], /^error: --partitions: the range 9-3 is empty$/],
      [["--placement", "sideways"], /^error: --placement: expected one of balanced, random, skewed, got 'sideways'$/],
      [["--mean-size", "lots"], /^error: --mean-size: /],
      [["--network-in-capacity", "fast"], /^error: --network-in-capacity: expected a rate/],
      [["--rf", "4", "--brokers", "3"], /^error: --rf: /],
      [["--racks", "2", "--rack-weights", "1,1,1"], /^error: --rack-weights: /],
      [["--name", "a\u001b]0;x\u0007"], /^error: --name: expected 1 to 249 characters without control characters, got "a\\x1b\]0;x\\x07"$/],
      [["--brokers", "100000", "--topics", "100000", "--partitions", "1000"], /^error: --brokers: 100000 brokers .* above Ballast's limit of 10000/],
      [["--disk-capacity", "0"], /^error: --disk-capacity\/--network-in-capacity\/--network-out-capacity: capacity\.disk must be more than 0/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run(["generate", ...args, "-o", join(dir(), "bad.yaml")]);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(singleErrorLine(result.stderr) ?? result.stderr, pattern);
    }
    assert.deepEqual(filesIn(dir()).filter((f) => f.startsWith("bad") || f.startsWith(".bad")), []);
  });
});
