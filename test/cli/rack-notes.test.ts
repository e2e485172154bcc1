/**
 * The rack check through the CLI: where the ideal rack rule cannot hold, `plan` still plans and says
 * so (summary and --json), `describe` says so too, and too few brokers for a replication factor is
 * an `error:` line naming the fixes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, run, singleErrorLine, suiteDir } from "./helpers.js";
import { EXIT_INFEASIBLE } from "../../src/cli/exit-codes.js";

const UNEVEN = join(REPO_ROOT, "fixtures", "uneven-racks.yaml");
const SHARED = join(REPO_ROOT, "fixtures", "shared-hosts.yaml");
// uneven-racks: rack-a has 1 broker, rack-b 2, rack-c 4. RF 6 wants 2 per rack: rack-a lacks one.
const RACK_NOTE =
  "rack-spread: 14 partition(s) with replication factor 6 (topic orders) cannot have at most 2 replicas in a rack: " +
  "rack rack-a has 1 eligible broker (1); the plan puts up to 3 replicas of a partition in one rack; " +
  "add 1 broker to rack rack-a, or lower the replication factor of topic orders to 5";

describe("rack-rule notes in the CLI", () => {
  const dir = suiteDir();

  it("plan keeps planning and prints the note in the summary", async () => {
    const r = await run(["plan", "--cluster", UNEVEN, "--replication-factor", "orders=6", "--output", join(dir(), "a.json")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split("\n").includes(`note: ${RACK_NOTE}`), r.stdout);
  });

  it("plan --json carries the note", async () => {
    const r = await run(["plan", "--cluster", UNEVEN, "--replication-factor", "orders=6", "--output", join(dir(), "b.json"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { notes: string[] };
    assert.deepEqual(json.notes, [RACK_NOTE]);
  });

  it("plan has no note where the racks suffice (RF 3 on racks of 1, 2 and 4)", async () => {
    const r = await run(["plan", "--cluster", UNEVEN, "--output", join(dir(), "c.json"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { notes: string[] }).notes, []);
  });

  it("describe reports the host rule that cannot hold, in text and --json", async () => {
    const args = ["describe", "--cluster", SHARED, "--exclude-brokers", "5,6,7,8"];
    const text = await run(args);
    assert.equal(text.code, 0, text.stderr);
    const note = text.stdout.split("\n").find((l) => l.startsWith("note: rack-spread:"));
    assert.ok(note, text.stdout);
    assert.match(note, /eligible brokers are on 2 hosts, fewer than 3; the plan lets replicas of a partition share a host; add 1 broker on a new host, stop excluding broker\(s\) 5, or lower/);
    const json = JSON.parse((await run([...args, "--json"])).stdout) as { notes: string[] };
    assert.deepEqual(json.notes, [note.slice("note: ".length)]);
    const none = JSON.parse((await run(["describe", "--cluster", SHARED, "--json"])).stdout) as { notes: string[] };
    assert.deepEqual(none.notes, []);
  });

  it("too few eligible brokers for a replication factor is an error naming the fixes (exit 6)", async () => {
    const r = await run(["plan", "--cluster", UNEVEN, "--exclude-brokers", "1,2,3,4,5", "--output", join(dir(), "d.json")]);
    assert.equal(r.code, EXIT_INFEASIBLE);
    const line = singleErrorLine(r.stderr);
    assert.ok(line, r.stderr);
    assert.match(line, /only 2 broker\(s\) are alive and not excluded; add 1 broker\(s\), stop excluding broker\(s\) 1, or lower its replication factor to 2/);
  });
});
