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

  it("--load realistic: traffic, hot partitions and capacities from the flags, the same cluster for the same seed", async () => {
    const output = join(dir(), "real.yaml");
    const args = [
      "generate", "--load", "realistic", "--brokers", "9", "--new-brokers", "3", "--topics", "12", "--partitions", "4-8",
      "--placement", "skewed-racked", "--topic-rate-dist", "zipf", "--mean-topic-rate", "1MiB/s", "--key-skew", "1",
      "--hot-partitions", "2x1.5", "--retention", "1d", "--fan-out", "2-3", "--utilisation", "network-in=0.87,network-out=0.9",
      "--disk-capacity", "4TiB", "--seed", "4", "-o", output,
    ];
    const result = await run(args);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const cluster = parseCluster(readFileSync(output, "utf8"), { format: "yaml", source: output });
    assert.equal(cluster.brokers.length, 12);
    const partitions = cluster.topics.flatMap((t) => [...t.partitions]);
    let networkIn = 0;
    let networkOut = 0;
    for (const p of partitions) {
      networkIn += p.bytesIn * p.replicas.length;
      networkOut += p.bytesOut + p.bytesIn * (p.replicas.length - 1);
      assert.ok(p.bytesOut === 2 * p.bytesIn || p.bytesOut === 3 * p.bytesIn, "fan-out 2-3");
      assert.ok(p.size >= 0.75 * 86_400 * p.bytesIn - 1 && p.size <= 1.25 * 86_400 * p.bytesIn + 1, "a day of traffic on disk");
    }
    const capacity = (key: "networkIn" | "networkOut"): number => cluster.brokers.reduce((a, b) => a + (b.capacity[key] ?? 0), 0);
    assert.ok(Math.abs(networkIn / capacity("networkIn") - 0.87) < 0.01);
    assert.ok(Math.abs(networkOut / capacity("networkOut") - 0.9) < 0.01);
    assert.ok(cluster.brokers.every((b) => b.capacity.disk === 4 * 1024 ** 4));
    const mean = networkOut / cluster.brokers.length;
    const hot = partitions.filter((p) => Math.abs(p.bytesOut + p.bytesIn * (p.replicas.length - 1) - 1.5 * mean) < 4);
    assert.equal(hot.length, 2, "two partitions lead 1.5 × the mean network out");
    const again = await run(args.slice(0, -2));
    assert.deepEqual(parseCluster(again.stdout, { format: "yaml" }), cluster);
  });

  it("--retention and --fan-out shape the simple model's traffic too", async () => {
    const result = await run(["generate", "--size-dist", "fixed", "--mean-size", "3600000", "--retention", "1h", "--fan-out", "0"]);
    assert.equal(result.code, 0);
    const cluster = parseCluster(result.stdout, { format: "yaml" });
    for (const t of cluster.topics) {
      for (const p of t.partitions) {
        assert.ok(p.bytesIn >= 750 && p.bytesIn <= 1250, `bytesIn ${p.bytesIn}`);
        assert.equal(p.bytesOut, 0);
      }
    }
  });

  it("names the flag when a value is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["--brokers", "ten"], /^error: --brokers: expected a whole number, got 'ten'$/],
      [["--partitions", "9-3"], /^error: --partitions: the range 9-3 is empty$/],
      [["--placement", "sideways"], /^error: --placement: expected one of balanced, random, skewed, skewed-racked, got 'sideways'$/],
      [["--mean-size", "lots"], /^error: --mean-size: /],
      [["--network-in-capacity", "fast"], /^error: --network-in-capacity: expected a rate/],
      [["--rf", "4", "--brokers", "3"], /^error: --rf: /],
      [["--racks", "2", "--rack-weights", "1,1,1"], /^error: --rack-weights: /],
      [["--load", "fancy"], /^error: --load: expected one of simple, realistic, got 'fancy'$/],
      [["--key-skew", "0.5"], /^error: --key-skew: needs --load realistic$/],
      [["--utilisation", "disk=0.5"], /^error: --utilisation: needs --load realistic$/],
      [["--load", "realistic", "--key-skew", "-1"], /^error: --key-skew: expected a number of at least 0, got '-1'$/],
      [["--load", "realistic", "--topic-rate-dist", "pareto"], /^error: --topic-rate-dist: expected one of fixed, uniform, lognormal, zipf/],
      [["--load", "realistic", "--mean-topic-rate", "5MiB"], /^error: --mean-topic-rate: .*a rate is expected/],
      [["--load", "realistic", "--hot-partitions", "2"], /^error: --hot-partitions: expected COUNTxFACTOR, e\.g\. 2x1\.3, got '2'$/],
      [["--load", "realistic", "--hot-partitions", "2x0"], /^error: --hot-partitions: the factor must be above 0/],
      [["--load", "realistic", "--hot-partitions", "20x2"], /^error: --hot-partitions: .*20 hot partitions at 2 × the mean/],
      [["--load", "realistic", "--utilisation", "network-in=0"], /^error: --utilisation: network-in must be a fraction of capacity above 0/],
      [["--load", "realistic", "--utilisation", "cpu=0.5"], /^error: --utilisation: expected resource=fraction/],
      [["--load", "realistic", "--utilisation", "disk=0.5", "--disk-capacity", "1TiB"], /^error: --utilisation: sets the disk capacity, which --disk-capacity also gives/],
      [["--load", "realistic", "--mean-size", "1GiB"], /^error: --mean-size: does not apply with --load realistic/],
      [["--load", "realistic", "--mixed-capacity"], /^error: --mixed-capacity: /],
      [["--retention", "soon"], /^error: --retention: expected a duration such as 30s, 10m, 2h or 3d, got 'soon'$/],
      [["--retention", "0.5s"], /^error: --retention: /],
      [["--fan-out", "5-1"], /^error: --fan-out: the range 5-1 is empty$/],
      [["--load", "realistic", "--fan-out", "x"], /^error: --fan-out: expected N or MIN-MAX/],
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
