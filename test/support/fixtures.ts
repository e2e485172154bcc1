/** The snapshot fixtures under fixtures/, read and parsed for solver tests. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCluster } from "../../src/model/parse.js";
import type { Cluster } from "../../src/model/types.js";

/** The repository root: the nearest directory above this file holding package.json and fixtures/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, "package.json")) && existsSync(join(dir, "fixtures")))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("repository root not found above the tests");
    dir = up;
  }
  return dir;
}

export const FIXTURES = join(repoRoot(), "fixtures");

/** The valid snapshot fixtures (fixtures/*.yaml, not fixtures/invalid), sorted. */
export function snapshotFixtures(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
}

export function loadFixture(name: string): Cluster {
  return parseCluster(readFileSync(join(FIXTURES, name), "utf8"), { format: "yaml", source: `fixtures/${name}` });
}
