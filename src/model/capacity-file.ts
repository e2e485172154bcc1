/**
 * The capacity file (`--capacity FILE`, or the `capacity:` key of the balance config): broker
 * capacities for snapshots that lack them. Kafka does not know its brokers' disk or network
 * capacities, so a live snapshot has none, and without them the capacity goal limits nothing.
 *
 * ```yaml
 * default:                  # every broker
 *   disk: 2TiB
 *   networkIn: 100MiB/s
 *   networkOut: 200MiB/s
 * racks:                    # the brokers of a rack; over the default
 *   us-east-1a: {networkIn: 125MiB/s}
 * brokers:                  # one broker, by id; over its rack and the default
 *   7: {disk: 4TiB}
 * ```
 *
 * Each resource is taken from the most specific entry that gives it (broker, then rack, then
 * default), else kept from the snapshot. Every value needs a unit and must be more than zero. Broker
 * ids and racks are checked against the cluster only when the file is applied, so an entry keeps
 * its place in the file for that error.
 */
import { CAPACITY_RESOURCES } from "./config.js";
import { BallastError, type ErrorPlace } from "./errors.js";
import { loadYaml } from "./parse.js";
import type { Broker, Capacity, Cluster } from "./types.js";
import { QuantityProblem, describeValue, readQuantityWithUnit, type QuantityKind } from "./units.js";
import { Checker, listIds, type InputPath, type Locator } from "./validate.js";

export type CapacityResource = (typeof CAPACITY_RESOURCES)[number];

export interface CapacityEntry {
  /** The resources this entry gives (at least one). */
  readonly capacity: Capacity;
  /** Where the entry's key is, for the problems found only against a cluster (unknown broker or rack). */
  readonly place: ErrorPlace;
}

export interface CapacitySpec {
  /** The file the capacities come from. */
  readonly source?: string;
  readonly default?: CapacityEntry;
  readonly racks: ReadonlyMap<string, CapacityEntry>;
  readonly brokers: ReadonlyMap<number, CapacityEntry>;
}

const ROOT_KEYS = ["default", "racks", "brokers"];
const GIVE = "default (every broker), racks or brokers, each with disk, networkIn or networkOut";
const KIND: Readonly<Record<CapacityResource, QuantityKind>> = { disk: "size", networkIn: "rate", networkOut: "rate" };
/** Broker ids as keys: whole numbers, written without leading zeros (so no two keys name one broker). */
const BROKER_ID = /^(?:0|[1-9]\d*)$/;

/** Parses a capacity file (YAML). Every problem is a CONFIG error with the key's path and line. */
export function parseCapacityFile(text: string, source?: string): CapacitySpec {
  const { data, locate } = loadYaml(text, source);
  const c = new Checker(locate, () => "CONFIG");
  if (data === null || data === undefined) c.fail("CONFIG", `the capacity file is empty; give ${GIVE}`, []);
  return readCapacitySpec(data, [], c, locate, source);
}

/**
 * Reads a capacity spec found at `path` of a parsed document: the whole capacity file, or the
 * `capacity` key of the balance config.
 */
export function readCapacitySpec(data: unknown, path: InputPath, c: Checker, locate: Locator, source?: string): CapacitySpec {
  const what = path.length === 0 ? "the capacity file" : "capacity";
  const root = c.asMapping(data, path, what);
  c.onlyKeys(root, path, ROOT_KEYS, what);
  if (ROOT_KEYS.every((key) => root[key] === undefined)) {
    c.fail("CONFIG", `${what} is empty; give ${GIVE}`, path);
  }
  const entry = (container: Readonly<Record<string, unknown>>, key: string, at: InputPath, name: string): CapacityEntry =>
    readEntry(container, key, at, name, c, locate);

  const racks = new Map<string, CapacityEntry>();
  if (root["racks"] !== undefined) {
    const at = [...path, "racks"];
    const obj = c.asMapping(root["racks"], at, "racks (rack: capacities)");
    for (const rack of Object.keys(obj)) racks.set(rack, entry(obj, rack, at, `rack ${JSON.stringify(rack)}`));
  }
  const brokers = new Map<number, CapacityEntry>();
  if (root["brokers"] !== undefined) {
    const at = [...path, "brokers"];
    const obj = c.asMapping(root["brokers"], at, "brokers (broker id: capacities)");
    for (const key of Object.keys(obj)) {
      const id = Number(key);
      if (!BROKER_ID.test(key) || !Number.isSafeInteger(id)) {
        c.fail("CONFIG", `${JSON.stringify(key)} is not a broker id; the keys of brokers are broker ids (whole numbers, e.g. 7)`, [...at, key], "key");
      }
      brokers.set(id, entry(obj, key, at, `broker ${key}`));
    }
  }
  return {
    ...(source !== undefined && { source }),
    ...(root["default"] !== undefined && { default: entry(root, "default", path, "default") }),
    racks,
    brokers,
  };
}

/** One entry: any of disk, networkIn, networkOut (at least one), each with a unit and more than zero. */
function readEntry(
  container: Readonly<Record<string, unknown>>,
  key: string,
  path: InputPath,
  name: string,
  c: Checker,
  locate: Locator,
): CapacityEntry {
  const obj = c.mapping(container, key, path, `the capacities of ${name}`, CAPACITY_RESOURCES);
  const at = [...path, key];
  const capacity: { -readonly [K in CapacityResource]?: number } = {};
  for (const resource of CAPACITY_RESOURCES) {
    const value = obj[resource];
    if (value === undefined) continue;
    const amount = readQuantityWithUnit(value, KIND[resource]);
    if (amount instanceof QuantityProblem) c.fail(amount.code, `${resource} of ${name}: ${amount.message}`, [...at, resource]);
    if (amount === 0) c.fail("CONFIG", `${resource} of ${name} must be more than zero; found ${describeValue(value)}`, [...at, resource]);
    capacity[resource] = amount;
  }
  if (Object.keys(capacity).length === 0) c.fail("CONFIG", `${name} gives no capacity; give disk, networkIn or networkOut`, at);
  return { capacity, place: locate(at, "key") };
}

/**
 * The cluster with the spec's capacities: per broker and resource, the broker's entry, else its
 * rack's, else the default, else what the snapshot had. A broker id or rack the cluster does not
 * have is an error at its place in the file (usually a typo, which would otherwise go unnoticed).
 */
export function applyCapacities(cluster: Cluster, spec: CapacitySpec): Cluster {
  checkAgainst(cluster, spec);
  return { ...cluster, brokers: cluster.brokers.map((b) => ({ ...b, capacity: capacityOf(b, spec) })) };
}

function capacityOf(broker: Broker, spec: CapacitySpec): Capacity {
  const rack = broker.rack === undefined ? undefined : spec.racks.get(broker.rack);
  return { ...broker.capacity, ...spec.default?.capacity, ...rack?.capacity, ...spec.brokers.get(broker.id)?.capacity };
}

function checkAgainst(cluster: Cluster, spec: CapacitySpec): void {
  const ids = new Set(cluster.brokers.map((b) => b.id));
  for (const [id, entry] of spec.brokers) {
    if (!ids.has(id)) throw new BallastError("CONFIG", `broker ${id} is not in the cluster (brokers: ${listIds(ids)})`, entry.place);
  }
  const racks = new Set<string>();
  for (const b of cluster.brokers) if (b.rack !== undefined) racks.add(b.rack);
  for (const [rack, entry] of spec.racks) {
    if (racks.has(rack)) continue;
    const known = racks.size === 0 ? "the cluster's brokers have no racks" : `racks: ${[...racks].sort().join(", ")}`;
    throw new BallastError("CONFIG", `no broker of the cluster is in rack ${JSON.stringify(rack)} (${known})`, entry.place);
  }
}

/** Capacities the snapshot gave that the spec replaces with another value: per resource, the brokers. */
export interface CapacityOverride {
  readonly resource: CapacityResource;
  readonly brokers: readonly number[];
}

export function capacityOverrides(cluster: Cluster, spec: CapacitySpec): CapacityOverride[] {
  const out: CapacityOverride[] = [];
  for (const resource of CAPACITY_RESOURCES) {
    const brokers = cluster.brokers
      .filter((b) => {
        const before = b.capacity[resource];
        return before !== undefined && before !== capacityOf(b, spec)[resource];
      })
      .map((b) => b.id);
    if (brokers.length > 0) out.push({ resource, brokers });
  }
  return out;
}
