/**
 * Connection flags as Kafka's own tools spell them: `--bootstrap-server host:port[,host:port…]` and
 * `--command-config <client.properties>` (TLS and SASL settings), and opening the Kafka port.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { KafkaPort } from "../executor/port.js";
import { createKafkajsPort } from "../executor/kafkajs/adapter.js";
import { parseCommandConfig, tlsOptions } from "../executor/kafkajs/command-config.js";
import { describeIoError } from "../model/errors.js";
import { quote } from "../model/text.js";
import { readTextFile, usageError } from "./io.js";

export interface KafkaFlags {
  readonly bootstrapServer?: string;
  readonly commandConfig?: string;
}

export function addKafkaOptions(command: Command): Command {
  return command
    .option("--bootstrap-server <host:port,...>", "Kafka brokers to connect to")
    .option("--command-config <file>", "Kafka client properties: security.protocol, sasl.*, ssl.* (PEM locations)");
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
  const readPem = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw usageError("--command-config", `cannot read ${quote(path)}, named in ${quote(file ?? "")}: ${describeIoError(err)}`);
    }
  };
  return createKafkajsPort({
    brokers,
    clientId: "ballast",
    ...(config.ssl !== undefined ? { ssl: tlsOptions(config.ssl, readPem) } : {}),
    ...(config.sasl !== undefined ? { sasl: config.sasl } : {}),
  });
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
