/**
 * The clusters file of `ballast balance --clusters clusters.yaml`: one entry per cluster with its
 * name, bootstrap servers, optional command config and state folder, and overrides of the balance
 * config's keys for that cluster. Errors are CONFIG errors with the key's path and line.
 *
 * ```yaml
 * clusters:
 *   - name: prod-eu
 *     bootstrapServers: kafka-eu-1:9092,kafka-eu-2:9092
 *     commandConfig: /etc/ballast/prod-eu.properties
 *     stateDir: /var/lib/ballast/prod-eu
 *     config: {maxMoves: 20, window: "01:00-05:00"}
 * ```
 */
import { loadYaml } from "./parse.js";
import { quote } from "./text.js";
import { Checker, earlierIndex } from "./validate.js";

export interface ClusterEntry {
  readonly name: string;
  readonly bootstrapServers: string;
  readonly commandConfig?: string;
  readonly stateDir?: string;
  /** Keys of the balance config (and the job's) that replace the shared config's for this cluster. */
  readonly config: Readonly<Record<string, unknown>>;
}

const ENTRY_KEYS = ["name", "bootstrapServers", "commandConfig", "stateDir", "config"];
/** Names become folder names and metric labels: letters, digits, `.`, `_`, `-`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function parseClustersFile(text: string, source?: string): ClusterEntry[] {
  const { data, locate } = loadYaml(text, source);
  const c = new Checker(locate, () => "CONFIG");
  const root = c.asMapping(data, [], "the clusters file");
  c.onlyKeys(root, [], ["clusters"], "the clusters file");
  const list = c.list(root, "clusters", [], "clusters");
  if (list.length === 0) c.fail("CONFIG", "clusters must list at least one cluster", ["clusters"]);
  const seen = new Map<string, number>();
  return list.map((_, i) => {
    const path = ["clusters", i];
    const entry = c.asMapping(list[i], path, "a cluster");
    c.onlyKeys(entry, path, ENTRY_KEYS, "a cluster");
    const name = c.text(entry, "name", path, "the cluster's name");
    if (!NAME.test(name)) c.fail("CONFIG", `cluster name ${quote(name)} must be 1-100 of A-Z a-z 0-9 . _ - (it names a folder and a metric label)`, [...path, "name"]);
    const earlier = earlierIndex(seen, name, i);
    if (earlier !== undefined) c.fail("CONFIG", `cluster ${quote(name)} is listed twice, at clusters[${earlier}] and clusters[${String(i)}]`, [...path, "name"]);
    const bootstrapServers = c.text(entry, "bootstrapServers", path, "bootstrapServers (host:port,...)");
    const commandConfig = entry["commandConfig"] === undefined ? undefined : c.text(entry, "commandConfig", path, "commandConfig (a file)");
    const stateDir = entry["stateDir"] === undefined ? undefined : c.text(entry, "stateDir", path, "stateDir (a folder)");
    const config = entry["config"] === undefined ? {} : c.asMapping(entry["config"], [...path, "config"], "config (balance config keys)");
    return { name, bootstrapServers, ...(commandConfig !== undefined && { commandConfig }), ...(stateDir !== undefined && { stateDir }), config };
  });
}
