/**
 * Connections to the brokers of one cluster, over kafkajs's own broker and connection classes
 * (TCP/TLS, SASL, ApiVersions, framing, correlation ids and timeouts).
 *
 * This is the one file that reaches into kafkajs internals (`kafkajs/src/...`, typed in
 * `kafkajs-internals.d.ts`). It does not use kafkajs's Cluster or admin: both refresh the metadata
 * of every topic before each call and fail when any partition has no leader
 * (tulios/kafkajs#1520), which is the state a cluster with a dead broker is in. Brokers are found
 * through Ballast's own Metadata request instead.
 */
import net from "node:net";
import tls from "node:tls";
import type { ISocketFactory, Logger, SASLOptions } from "kafkajs";
import Broker, { type KafkajsDescribeConfigsResponse } from "kafkajs/src/broker/index.js";
import ConnectionPool, { type KafkajsProtocolRequest } from "kafkajs/src/network/connectionPool.js";
import protocolErrors from "kafkajs/src/protocol/error.js";
import { BallastError } from "../../model/errors.js";
import { classifyKafkaFailure, kafkaFailure } from "../kafka-errors.js";
import { metadataRequest, type MetadataResult } from "./metadata.js";
import { Reader, Writer, type ProtocolRequest } from "./wire.js";

export interface ConnectionSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: tls.ConnectionOptions | boolean;
  readonly sasl?: SASLOptions;
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

/** Kafka's name for an error code (`NOT_CONTROLLER`), from kafkajs's table. */
export function kafkaErrorName(code: number): string | undefined {
  return protocolErrors.errorCodes.find((e) => e.code === code)?.type;
}

/** `NAME (code): message`, Kafka's message when it sent one, else kafkajs's description of the code. */
export function describeKafkaError(code: number, message?: string | null): string {
  const known = protocolErrors.errorCodes.find((e) => e.code === code);
  const text = message ?? known?.message ?? "unknown error";
  return `${known?.type ?? "ERROR"} (${String(code)}): ${text}`;
}

/**
 * An AUTH error for Kafka's authorization and authentication error codes (TOPIC_/GROUP_/CLUSTER_
 * AUTHORIZATION_FAILED, SASL_AUTHENTICATION_FAILED, …), else undefined. AUTH errors are never
 * retried: waiting does not grant an ACL.
 */
export function authorizationError(code: number, message?: string | null): BallastError | undefined {
  const { kind } = classifyKafkaFailure(code);
  if (kind !== "authorization" && kind !== "authentication") return undefined;
  return new BallastError("AUTH", `Kafka refused: ${describeKafkaError(code, message)}; grant the ACL (kafka-acls.sh) or use a principal that has it`);
}

/** A kafkajs logger that drops everything: Ballast reports errors itself. */
export const silentLogger: Logger = {
  info: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  namespace: () => silentLogger,
  setLogLevel: () => undefined,
};

const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isConnectionError(e: unknown): boolean {
  return e instanceof Error && (e.name === "KafkaJSConnectionError" || e.name === "KafkaJSConnectionClosedError");
}

/**
 * A Ballast request as kafkajs's connection sends it: the body behind the request header's tagged
 * fields when the version is flexible (header v2), the reply read past the response header's (v1).
 * kafkajs writes the rest of the header (API key, version, correlation id, client id) and the size.
 */
export function framed<T>(req: ProtocolRequest<T>): KafkajsProtocolRequest<T> {
  return {
    request: {
      apiKey: req.apiKey,
      apiVersion: req.apiVersion,
      apiName: req.apiName,
      encode: () => {
        const w = new Writer();
        if (req.flexible) w.noTags(); // the request header's tagged fields (header v2)
        req.encode(w);
        const bytes = w.bytes();
        return Promise.resolve({ buf: bytes, buffer: bytes });
      },
    },
    response: {
      decode: (payload: Buffer) => {
        const r = new Reader(payload);
        if (req.flexible) r.skipTags(); // the response header's tagged fields (header v1)
        return Promise.resolve(req.decode(r));
      },
      parse: (decoded: T) => Promise.resolve(decoded),
    },
    logResponseError: false,
    ...(req.timeoutMs !== undefined ? { requestTimeout: req.timeoutMs + 5_000 } : {}),
  };
}

export class BrokerConnections {
  /** kafkajs brokers by `host:port`. */
  private readonly byAddress = new Map<string, Broker>();
  /** Addresses of the brokers the last Metadata reply listed, by node id. */
  private readonly addresses = new Map<number, string>();

  constructor(private readonly settings: ConnectionSettings) {}

  /** Metadata from any broker; also learns where each broker listens. */
  async metadata(topics: readonly string[] | null): Promise<MetadataResult> {
    const md = await this.sendToAny(metadataRequest(topics));
    this.addresses.clear();
    for (const b of md.brokers) this.addresses.set(b.nodeId, `${b.host}:${String(b.port)}`);
    return md;
  }

  /** The controller id the cluster reports (in KRaft, a broker that forwards to the controller). */
  async controllerId(): Promise<number> {
    const md = await this.metadata([]);
    if (md.controllerId < 0) throw new BallastError("KAFKA", "the cluster reports no active controller; retry once it has elected one");
    return md.controllerId;
  }

  async sendToAny<T>(req: ProtocolRequest<T>): Promise<T> {
    const [broker, address] = await this.anyBroker();
    return this.send(broker, address, req);
  }

  async sendTo<T>(nodeId: number, req: ProtocolRequest<T>): Promise<T> {
    const address = await this.addressOf(nodeId);
    return this.send(await this.connect(address), `${String(nodeId)} (${address})`, req);
  }

  /** DescribeConfigs through kafkajs's own request (it picks v1 or v2 from the broker's ApiVersions). */
  async describeConfigs(
    target: number | "any",
    resources: Array<{ type: number; name: string }>,
  ): Promise<KafkajsDescribeConfigsResponse> {
    let broker: Broker;
    let address: string;
    if (target === "any") {
      [broker, address] = await this.anyBroker();
    } else {
      address = await this.addressOf(target);
      broker = await this.connect(address);
    }
    try {
      return await broker.describeConfigs({ resources, includeSynonyms: false });
    } catch (e) {
      throw this.failure("DescribeConfigs", address, e);
    }
  }

  async close(): Promise<void> {
    const brokers = [...this.byAddress.values()];
    this.byAddress.clear();
    await Promise.allSettled(brokers.map((b) => b.disconnect()));
  }

  private async addressOf(nodeId: number): Promise<string> {
    if (!this.addresses.has(nodeId)) await this.metadata([]);
    const address = this.addresses.get(nodeId);
    if (address === undefined) {
      const alive = [...this.addresses.keys()].sort((a, b) => a - b).join(", ");
      throw new BallastError("KAFKA", `broker ${String(nodeId)} is not in the cluster metadata (alive brokers: ${alive || "none"})`);
    }
    return address;
  }

  /** A connected broker: one already connected, else the bootstrap servers and known brokers in turn. */
  private async anyBroker(): Promise<[Broker, string]> {
    for (const [address, broker] of this.byAddress) if (broker.isConnected()) return [broker, address];
    const candidates = [...new Set([...this.settings.brokers, ...this.addresses.values()])];
    let last: unknown;
    for (const address of candidates) {
      try {
        return [await this.connect(address), address];
      } catch (e) {
        if (e instanceof BallastError && e.code === "AUTH") throw e;
        if (!isConnectionError(e instanceof Error ? e.cause : e)) throw e;
        last = e;
      }
    }
    throw kafkaFailure(
      `could not connect to any of ${candidates.join(", ")}: ${last === undefined ? "no bootstrap servers given" : message(last)}. ` +
        "Check the bootstrap addresses, that the cluster is running, and the TLS/SASL settings.",
      last,
    );
  }

  private async connect(address: string): Promise<Broker> {
    let broker = this.byAddress.get(address);
    if (!broker) {
      const colon = address.lastIndexOf(":");
      const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
      const port = Number(address.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new BallastError("USAGE", `broker address "${address}" is not host:port`);
      }
      const { clientId, ssl, sasl, connectionTimeout, requestTimeout } = this.settings;
      const connectionPool = new ConnectionPool({
        host,
        port,
        logger: silentLogger,
        socketFactory,
        clientId,
        connectionTimeout,
        requestTimeout,
        ...(ssl !== undefined ? { ssl } : {}),
        ...(sasl !== undefined ? { sasl } : {}),
      });
      broker = new Broker({ connectionPool, logger: silentLogger, allowAutoTopicCreation: false });
      this.byAddress.set(address, broker);
    }
    if (broker.isConnected()) return broker;
    try {
      await broker.connect();
      return broker;
    } catch (e) {
      this.byAddress.delete(address);
      await broker.disconnect().catch(() => undefined);
      throw this.failure("connect", address, e);
    }
  }

  private async send<T>(broker: Broker, label: string, req: ProtocolRequest<T>): Promise<T> {
    const range = broker.versions?.[req.apiKey];
    if (!range || req.apiVersion < range.minVersion || req.apiVersion > range.maxVersion) {
      const supported = range ? `v${String(range.minVersion)}–v${String(range.maxVersion)}` : "none";
      throw new BallastError(
        "KAFKA",
        `broker ${label} does not support ${req.apiName} v${String(req.apiVersion)} (supported: ${supported}); Ballast needs Kafka 2.4 or newer`,
        {},
        false,
      );
    }
    const protocolRequest = framed(req);
    try {
      return await broker.connectionPool.send(protocolRequest);
    } catch (first) {
      // A connection the broker closed while idle: kafkajs reconnects on the next send; try once more.
      if (!isConnectionError(first)) throw this.failure(req.apiName, label, first);
      try {
        return await broker.connectionPool.send(protocolRequest);
      } catch (e) {
        throw this.failure(req.apiName, label, e);
      }
    }
  }

  private failure(what: string, label: string, e: unknown): BallastError {
    if (e instanceof BallastError) return e;
    // Who Ballast is rather than whether the broker is up: a SASL login the broker refused, a broker
    // certificate Ballast does not trust, a client certificate the broker does not accept.
    const { kind, advice } = classifyKafkaFailure(e);
    if (kind !== "authentication" || advice === undefined) return kafkaFailure(`${what} to broker ${label} failed: ${message(e)}`, e);
    const err = new BallastError("AUTH", `${what} to broker ${label} failed: ${advice}`);
    err.cause = e;
    return err;
  }
}
