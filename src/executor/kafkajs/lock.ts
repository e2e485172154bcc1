/**
 * The cluster-wide execution lock, kept in Kafka itself: membership of the consumer group
 * `ballast-execution-lock` on the one-partition topic `__ballast_lock` (made on demand). The group
 * coordinator gives that partition to exactly one member per generation; that member holds the lock.
 *
 * Why a consumer group: it is the one mechanism every Kafka (2.x to 4.x, ZooKeeper or KRaft) offers
 * that needs no extra ACL beyond the group and topic, and it frees itself: a holder killed with
 * kill -9 stops heartbeating, the coordinator drops it after the session timeout (SESSION_MS) and
 * the next member gets the partition. A transactional id or a compacted "lock record" would need
 * fencing or a lease Ballast would have to expire itself.
 *
 * The assignment is sticky: each member says in its subscription's user data whether it holds the
 * lock, and the assignor gives the partition to the member that does, so a second Ballast joining
 * (which makes the group rebalance) never takes the lock away from a live holder. The user data also
 * carries the holder's description, which the refused one reads with DescribeGroups.
 */
import { AssignerProtocol, Kafka, logLevel, type Assigner, type KafkaConfig, type PartitionAssigner } from "kafkajs";
import { BallastError } from "../../model/errors.js";
import { classifyKafkaFailure, kafkaFailure } from "../kafka-errors.js";
import type { LockOutcome } from "../port.js";

export const LOCK_GROUP = "ballast-execution-lock";
export const LOCK_TOPIC = "__ballast_lock";
/** A dead holder frees the lock this long after its last heartbeat. */
export const SESSION_MS = 10_000;
const HEARTBEAT_MS = 1000;
/** How long to wait for the group to settle before giving up (a dead member's session, a rebalance). */
const JOIN_TIMEOUT_MS = 60_000;
const ASSIGNER = "ballast-lock";

/** What a lock member says in its group metadata: whether it holds the lock, and who it is. */
export interface Claim {
  readonly holds: boolean;
  readonly owner: string;
}

export function encodeClaim(c: Claim): Buffer {
  return Buffer.from(JSON.stringify(c), "utf8");
}

export function decodeClaim(userData: Buffer | undefined): Claim | null {
  if (userData === undefined || userData.length === 0) return null;
  try {
    const c = JSON.parse(userData.toString("utf8")) as Partial<Claim>;
    return typeof c.holds === "boolean" && typeof c.owner === "string" ? { holds: c.holds, owner: c.owner } : null;
  } catch {
    return null;
  }
}

/** Gives the lock partition to the member that says it holds it, else to the first member by id. */
function stickyAssigner(claim: () => Claim): PartitionAssigner {
  return (): Assigner => ({
    name: ASSIGNER,
    version: 1,
    protocol: ({ topics }) => ({ name: ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: encodeClaim(claim()) }) }),
    assign: ({ members }) => {
      const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
      const holder = sorted.find((m) => decodeClaim(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData)?.holds === true) ?? sorted[0];
      return Promise.resolve(
        sorted.map((m) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: m === holder ? { [LOCK_TOPIC]: [0] } : {},
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
  });
}

/** Takes the lock, or says who holds it. `config` is the connection (brokers, TLS, SASL). */
export async function acquireKafkaLock(config: Omit<KafkaConfig, "logLevel" | "clientId">, owner: string, onLost?: () => void): Promise<LockOutcome> {
  const kafka = new Kafka({ ...config, clientId: "ballast-lock", logLevel: logLevel.NOTHING });
  await ensureTopic(kafka);
  let holds = false;
  const consumer = kafka.consumer({
    groupId: LOCK_GROUP,
    sessionTimeout: SESSION_MS,
    rebalanceTimeout: SESSION_MS + 5000,
    heartbeatInterval: HEARTBEAT_MS,
    maxWaitTimeInMs: HEARTBEAT_MS,
    allowAutoTopicCreation: false,
    partitionAssigners: [stickyAssigner(() => ({ holds, owner }))],
  });
  const joined = new Promise<boolean>((resolve, reject) => {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[LOCK_TOPIC] ?? []).includes(0);
      if (holds && !mine) onLost?.();
      holds = mine;
      resolve(mine);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      // kafkajs rejoins after a retriable crash (the next GROUP_JOIN says whether the lock is still
      // held); one it does not restart from no longer heartbeats, so the lock is as good as lost.
      if (holds && !e.payload.restart) {
        holds = false;
        onLost?.();
      }
      // Before the first join, a crash kafkajs restarts from (the group coordinator still loading on
      // a fresh cluster) is waited out: the restarted consumer's join settles it, or the timeout does.
      if (!e.payload.restart) reject(e.payload.error);
    });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [LOCK_TOPIC] });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the group ${LOCK_GROUP} did not settle within ${String(JOIN_TIMEOUT_MS / 1000)} s`)), JOIN_TIMEOUT_MS);
    });
    const got = await Promise.race([joined, timeout]);
    if (got) {
      return {
        status: "acquired",
        release: async () => {
          holds = false;
          await consumer.disconnect();
        },
      };
    }
    const holder = await describeHolder(kafka);
    await consumer.disconnect();
    return { status: "locked", holder };
  } catch (e) {
    await consumer.disconnect().catch(() => undefined);
    if (classifyKafkaFailure(e).kind === "authorization") {
      throw new BallastError(
        "AUTH",
        `cannot take the cluster's execution lock (group ${LOCK_GROUP}): ${e instanceof Error ? e.message : String(e)}; grant READ and DESCRIBE on group ${LOCK_GROUP} and CREATE and READ on topic ${LOCK_TOPIC} (docs/security.md)`,
      );
    }
    throw kafkaFailure(`cannot take the cluster's execution lock (group ${LOCK_GROUP}): ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    clearTimeout(timer);
  }
}

async function ensureTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(LOCK_TOPIC)) {
      // Up to three replicas whatever the broker default (often 1), so that one broker down
      // leaves the lock's partition a leader. Two Ballasts may race to make it: "already exists" is success.
      const brokers = (await admin.describeCluster()).brokers.length;
      const replicationFactor = Math.max(1, Math.min(3, brokers));
      await admin.createTopics({ topics: [{ topic: LOCK_TOPIC, numPartitions: 1, replicationFactor }], waitForLeaders: true }).catch((e: unknown) => {
        if (!(e instanceof Error && /already exists/i.test(e.message))) throw e;
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** The description the holding member put in its claim, read with DescribeGroups. */
async function describeHolder(kafka: Kafka): Promise<string | null> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.describeGroups([LOCK_GROUP]);
    for (const m of groups[0]?.members ?? []) {
      const assignment = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
      if (!(assignment?.assignment[LOCK_TOPIC] ?? []).includes(0)) continue;
      const claim = decodeClaim(m.memberMetadata.length > 0 ? AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData : undefined);
      return claim?.owner ?? `${m.clientId} on ${m.clientHost}`;
    }
    return null;
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
