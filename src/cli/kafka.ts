/**
 * Connection flags as Kafka's own tools spell them: `--bootstrap-server host:port[,host:port…]` and
 * `--command-config <client.properties>` (TLS and SASL settings), and opening the Kafka port.
 */
import { readFileSync } from "node:fs";
import { createSecureContext, type ConnectionOptions } from "node:tls";
import type { Command } from "commander";
import type { KafkaPort } from "../executor/port.js";
import { type AclNeed, checkAcls, ACL_NEEDS } from "../executor/acls.js";
import { createKafkajsPort } from "../executor/kafkajs/adapter.js";
import { liveSnapshot, type SnapshotOptions } from "../executor/snapshot.js";
import type { Cluster } from "../model/types.js";
import { parseCommandConfig, tlsOptions, type SslSettings } from "../executor/kafkajs/command-config.js";
import { BallastError, describeIoError } from "../model/errors.js";
import { quote } from "../model/text.js";
import { readTextFile, usageError } from "./io.js";
import { storeReader } from "./key-stores.js";
import { shellQuote } from "./shell.js";

export interface KafkaFlags {
  readonly bootstrapServer?: string;
  readonly commandConfig?: string;
}

export function addKafkaOptions(command: Command): Command {
  return command
    .option("--bootstrap-server <host:port,...>", "Kafka brokers to connect to")
    .option("--command-config <file>", "Kafka client properties: security.protocol, sasl.*, ssl.* (PEM or PKCS12)");
}

function bootstrapList(raw: string): string[] {
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw usageError("--bootstrap-server", "expected host:port[,host:port...]");
  for (const item of items) {
    if (!/^[^\s:]+:\d{1,5}$/.test(item) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(item)) {
      throw usageError("--bootstrap-server", `${quote(item)} is not host:port`);
    }
  }
  return items;
}

/** Opens the Kafka port the flags describe; requires --bootstrap-server. */
export function openPort(flags: KafkaFlags, command: string): KafkaPort {
  if (flags.bootstrapServer === undefined) throw usageError("--bootstrap-server", `'ballast ${command}' needs the cluster's brokers`);
  const brokers = bootstrapList(flags.bootstrapServer);
  const file = flags.commandConfig;
  const config = file === undefined ? {} : parseCommandConfig(readTextFile(file, "command config"), file);
  return createKafkajsPort({
    brokers,
    clientId: "ballast",
    ...(config.ssl !== undefined ? { ssl: checkedTls(config.ssl, file ?? "") } : {}),
    ...(config.sasl !== undefined ? { sasl: config.sasl } : {}),
  });
}

/**
 * Node TLS options from the command-config's TLS settings, tried once here so that a key that does
 * not match its certificate, or a wrong store password, is a CONFIG error before any connection.
 */
function checkedTls(ssl: SslSettings, file: string): ConnectionOptions {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw usageError("--command-config", `cannot read ${quote(path)}, named in ${quote(file)}: ${describeIoError(err)}`);
    }
  };
  const options = tlsOptions(ssl, read, storeReader(read, file));
  try {
    createSecureContext(options);
  } catch (err) {
    // OpenSSL's reasons ("bad decrypt", "mac verify failure", "key values mismatch") name no secret.
    const reason = err instanceof Error ? err.message : String(err);
    throw new BallastError("CONFIG", `the TLS settings cannot be used: ${reason}`, { source: file });
  }
  return options;
}

/** Fails with one AUTH error naming each missing ACL, and how to grant it, before anything is changed. */
export function requireAcls(port: KafkaPort, needs: readonly AclNeed[], topics: readonly string[] = []): Promise<void> {
  return checkAcls(port, needs, topics, shellQuote);
}

/**
 * The ACLs `balance` needs: its snapshot, the job's memory and, when it may execute, execute's on
 * every topic of the cluster (any of them may move).
 */
export async function requireBalanceAcls(port: KafkaPort, executes: boolean): Promise<void> {
  if (!executes) return requireAcls(port, ACL_NEEDS.propose);
  return requireAcls(port, ACL_NEEDS.balance, (await port.describeTopics()).map((t) => t.name));
}

/** A live snapshot, once the principal is known to be allowed to read everything it needs. */
export async function checkedSnapshot(port: KafkaPort, options: SnapshotOptions = {}): Promise<Cluster> {
  await requireAcls(port, ACL_NEEDS.snapshot);
  return liveSnapshot(port, options);
}

/** Runs `fn` with an open port and always closes it. */
export async function withPort<T>(flags: KafkaFlags, command: string, fn: (port: KafkaPort) => Promise<T>): Promise<T> {
  const port = openPort(flags, command);
  try {
    return await fn(port);
  } finally {
    await port.close();
  }
}
