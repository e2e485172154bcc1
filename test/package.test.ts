/**
 * The package as a user gets it: `npm pack`, the tarball installed into a new project, both entries
 * imported through package.json `exports`, and the example property test (examples/) compiled
 * against the installed types and run. Uses the built dist/ (`npm test` builds first); npm installs
 * the dependencies from its cache where it has them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const QUIET = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

/** The environment without the test runner's own marker, so a nested `node --test` reports as a top-level run. */
const { NODE_TEST_CONTEXT: _context, ...ENV } = process.env;
const run = (cmd: string, args: readonly string[], cwd: string): string => execFileSync(cmd, args, { cwd, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
/** Runs an ES module in the project and returns what it printed. */
const node = (project: string, code: string): string => run(process.execPath, ["--input-type=module", "-e", code], project);
const lockedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version;

describe("the packed package", () => {
  let dir = "";
  let project = "";

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-pack-"));
    project = join(dir, "project");
    // --ignore-scripts: pack the dist/ that `npm test` just built rather than building again.
    const tarball = run(NPM, ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], ROOT).trim().split("\n").pop()!;
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    run(NPM, ["install", ...QUIET, join(dir, tarball)], project);
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("ships the entries and nothing of the tests", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules", "ballast", "package.json"), "utf8")) as { exports: Record<string, unknown> };
    assert.deepEqual(Object.keys(manifest.exports), [".", "./testing", "./package.json"]);
    const files = readdirSync(join(project, "node_modules", "ballast"), { recursive: true, encoding: "utf8" });
    assert.deepEqual(files.filter((f) => f.endsWith(".test.js")), [], "no test files in the package");
    assert.ok(files.includes(join("dist", "src", "testing", "index.d.ts")));
  });

  it("imports `ballast` without fast-check, and plans a cluster through it", () => {
    const out = node(
      project,
      `import { parseCluster, plan, assess, createSimulatedCluster, startExecution, executionContext, executionPlan, liveSnapshot, createKafkajsPort } from "ballast";
       const cluster = parseCluster(${JSON.stringify(readFileSync(join(ROOT, "fixtures", "demo.yaml"), "utf8"))}, { format: "yaml", source: "demo.yaml" });
       const outcome = plan(cluster);
       console.log(outcome.status, typeof assess, typeof createSimulatedCluster, typeof startExecution, typeof executionContext, typeof executionPlan, typeof liveSnapshot, typeof createKafkajsPort);`,
    );
    assert.equal(out.trim(), "planned function function function function function function function");
  });

  it("keeps internal modules private: only the entries resolve", () => {
    assert.throws(() => node(project, `await import("ballast/dist/src/solver/state.js");`), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it("asks for fast-check only on `ballast/testing`, then gives its arbitraries and checks", () => {
    assert.throws(() => node(project, `await import("ballast/testing");`), /fast-check/);
    run(NPM, ["install", ...QUIET, `fast-check@${lockedVersion("fast-check")}`], project);
    const out = node(
      project,
      `import * as testing from "ballast/testing";
       console.log(["clusterArb", "realisticClusterArb", "planCaseArb", "validPlan", "spreadViolations", "assertIdempotent", "assertRelabelledPlan"].map((n) => typeof testing[n]).join(" "));`,
    );
    assert.equal(out.trim(), "object object function function function function function");
  });

  it("compiles the example property test against the installed types and passes it", () => {
    copyFileSync(join(ROOT, "examples", "placement-policy.test.ts"), join(project, "placement-policy.test.ts"));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, "node_modules", "@types")],
          types: ["node"],
        },
        files: ["placement-policy.test.ts"],
      }),
    );
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], project);
    const out = run(process.execPath, ["--test", "placement-policy.test.js"], project);
    assert.match(out, /# pass 2/);
    assert.match(out, /# fail 0/);
  });
});
