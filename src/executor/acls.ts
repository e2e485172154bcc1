/**
 * The ACLs each Kafka-facing command needs, checked before the command changes anything: the
 * cluster reports what the connected principal may do (Metadata's authorized operations), and a
 * principal that lacks any needed operation gets one AUTH error naming each missing ACL, why it is
 * needed, and the kafka-acls.sh commands that grant it. A cluster without an authorizer reports
 * everything allowed; one that reports nothing is not checked.
 */
import { BallastError } from "../model/errors.js";
import { type AclOperation, type AuthorizedOperations, type KafkaPort, JOB_MEMORY_TOPIC } from "./port.js";

export interface AclNeed {
  readonly operation: AclOperation;
  readonly resource: "CLUSTER" | "TOPIC";
  /** This one topic (Ballast's own), instead of the topics the command touches. */
  readonly topic?: string;
  /** What Ballast does with it, for the message ("reassign partitions"). */
  readonly why: string;
}

const SNAPSHOT: readonly AclNeed[] = [{ operation: "DESCRIBE", resource: "CLUSTER", why: "read replica sizes (DescribeLogDirs)" }];

const EXECUTE: readonly AclNeed[] = [
  { operation: "ALTER", resource: "CLUSTER", why: "reassign partitions and elect leaders" },
  { operation: "DESCRIBE", resource: "CLUSTER", why: "list reassignments and read replica sizes" },
  { operation: "ALTER_CONFIGS", resource: "CLUSTER", why: "set the brokers' throttle rates" },
  { operation: "DESCRIBE_CONFIGS", resource: "CLUSTER", why: "read the brokers' throttle rates" },
  { operation: "DESCRIBE", resource: "TOPIC", why: "read the partitions' replicas" },
  { operation: "ALTER_CONFIGS", resource: "TOPIC", why: "set the throttled replica lists" },
  { operation: "DESCRIBE_CONFIGS", resource: "TOPIC", why: "read the throttled replica lists" },
];

/**
 * The balance job's memory across runs. Checked once the topic exists: before
 * that the cluster reports nothing for it, and making it needs CREATE on it or on the cluster.
 */
const JOB_MEMORY: readonly AclNeed[] = [
  { operation: "DESCRIBE", resource: "TOPIC", topic: JOB_MEMORY_TOPIC, why: "find the balance job's memory" },
  { operation: "READ", resource: "TOPIC", topic: JOB_MEMORY_TOPIC, why: "read the balance job's memory" },
  { operation: "WRITE", resource: "TOPIC", topic: JOB_MEMORY_TOPIC, why: "keep the balance job's memory" },
];

/** Operations by command. Topic needs without a `topic` apply to every topic the command touches. */
export const ACL_NEEDS = {
  snapshot: SNAPSHOT,
  /** Besides DESCRIBE on every topic and group sampled (ListOffsets, OffsetFetch), which the cluster does not report up front. */
  sample: [{ operation: "DESCRIBE", resource: "CLUSTER", why: "list the consumer groups (ListGroups)" }],
  execute: EXECUTE,
  /** `balance` that only proposes (--dry-run, mode: propose). */
  propose: [...SNAPSHOT, ...JOB_MEMORY],
  /** `balance` that executes, on every topic of the cluster (any of them may move). */
  balance: [...EXECUTE, ...JOB_MEMORY],
} as const satisfies Record<string, readonly AclNeed[]>;

export interface MissingAcl extends AclNeed {
  /** Topics lacking it (TOPIC needs only). */
  readonly topics: readonly string[];
}

/** The needs the reported operations do not cover (pure). */
export function missingAcls(authorized: AuthorizedOperations, needs: readonly AclNeed[], topics: readonly string[]): MissingAcl[] {
  const out: MissingAcl[] = [];
  for (const need of needs) {
    if (need.resource === "CLUSTER") {
      if (authorized.cluster !== null && !allows(authorized.cluster, need.operation)) out.push({ ...need, topics: [] });
      continue;
    }
    const lacking = [...new Set(need.topic !== undefined ? [need.topic] : topics)].sort().filter((t) => {
      const ops = authorized.topics.get(t);
      return ops !== null && ops !== undefined && !allows(ops, need.operation);
    });
    if (lacking.length > 0) out.push({ ...need, topics: lacking });
  }
  return out;
}

function allows(ops: ReadonlySet<AclOperation>, op: AclOperation): boolean {
  return ops.has(op) || ops.has("ALL");
}

/** kafka-acls.sh's spelling of an operation: ALTER_CONFIGS → AlterConfigs. */
function cliOperation(op: AclOperation): string {
  return op
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

const TOPICS_SHOWN = 3;

/** The one-line message for missing ACLs, with the grants; topic names are quoted by `quoteArg`. */
export function missingAclMessage(missing: readonly MissingAcl[], principal: string | null, quoteArg: (s: string) => string): string {
  const who = principal ?? "User:<principal>";
  const describe = missing.map((m) => {
    const where = m.resource === "CLUSTER" ? "CLUSTER" : `TOPIC ${m.topics.slice(0, TOPICS_SHOWN).map(quoteArg).join(", ")}${m.topics.length > TOPICS_SHOWN ? ` and ${String(m.topics.length - TOPICS_SHOWN)} more` : ""}`;
    return `${m.operation} on ${where} (to ${m.why})`;
  });
  const grants = groupGrants(missing).map(({ resource, operations, topics }) => {
    const target = resource === "CLUSTER" ? "--cluster" : topics.length > TOPICS_SHOWN ? "--topic '*'" : topics.map((t) => `--topic ${quoteArg(t)}`).join(" ");
    return `kafka-acls.sh --bootstrap-server <host:port> --add --allow-principal ${principal === null ? who : quoteArg(who)} ${operations.map((o) => `--operation ${cliOperation(o)}`).join(" ")} ${target}`;
  });
  return `the principal ${who} lacks ${describe.join(", ")}; nothing was changed. Grant ${missing.length > 1 ? "them" : "it"} with: ${grants.join(" ; ")}`;
}

function groupGrants(missing: readonly MissingAcl[]): Array<{ resource: "CLUSTER" | "TOPIC"; operations: AclOperation[]; topics: readonly string[] }> {
  const out = new Map<string, { resource: "CLUSTER" | "TOPIC"; operations: AclOperation[]; topics: readonly string[] }>();
  for (const m of missing) {
    const key = `${m.resource}\u0000${m.topics.join("\u0000")}`;
    const seen = out.get(key);
    if (seen) seen.operations.push(m.operation);
    else out.set(key, { resource: m.resource, operations: [m.operation], topics: m.topics });
  }
  return [...out.values()];
}

/** Throws an AUTH error when the connected principal lacks any of `needs`. */
export async function checkAcls(port: KafkaPort, needs: readonly AclNeed[], topics: readonly string[], quoteArg: (s: string) => string): Promise<void> {
  const asked = needs.some((n) => n.resource === "TOPIC" && n.topic === undefined) ? [...topics] : [];
  for (const n of needs) if (n.topic !== undefined) asked.push(n.topic);
  const authorized = await port.authorizedOperations(asked);
  const missing = missingAcls(authorized, needs, topics);
  if (missing.length > 0) throw new BallastError("AUTH", missingAclMessage(missing, authorized.principal, quoteArg));
}
