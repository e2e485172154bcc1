/**
 * Types for the three kafkajs 2.2.x internal modules Ballast uses (only in `brokers.ts`): a broker
 * handle (connect, ApiVersions, SASL, DescribeConfigs), its connection pool (framing, correlation,
 * request timeouts) and the table of Kafka error codes. They are not part of kafkajs's public
 * types; only the members Ballast touches are declared, as kafkajs 2.2.4 defines them.
 */

declare module "kafkajs/src/network/connectionPool.js" {
  import type { ConnectionOptions } from "node:tls";
  import type { ISocketFactory, Logger, SASLOptions } from "kafkajs";

  /** What `Connection#send` takes: the request, how to read its reply, and an optional timeout. */
  export interface KafkajsProtocolRequest<T> {
    request: {
      apiKey: number;
      apiVersion: number;
      apiName: string;
      /** Must return an object kafkajs's Encoder accepts: `buf` is checked, `buffer` is written. */
      encode(): Promise<{ buf: Buffer; buffer: Buffer }>;
    };
    response: {
      /** Receives the reply after the correlation id (a flexible reply still has its header tags). */
      decode(payload: Buffer): Promise<T>;
      parse(decoded: T): Promise<T>;
    };
    requestTimeout?: number;
    logResponseError?: boolean;
  }

  export interface ConnectionPoolOptions {
    host: string;
    port: number;
    logger: Logger;
    socketFactory: ISocketFactory;
    clientId: string;
    ssl?: ConnectionOptions | boolean;
    sasl?: SASLOptions;
    connectionTimeout: number;
    requestTimeout: number;
    enforceRequestTimeout?: boolean;
  }

  export default class ConnectionPool {
    constructor(options: ConnectionPoolOptions);
    readonly host: string;
    readonly port: number;
    send<T>(protocolRequest: KafkajsProtocolRequest<T>): Promise<T>;
    destroy(): Promise<void>;
  }
}

declare module "kafkajs/src/broker/index.js" {
  import type { Logger } from "kafkajs";
  import type ConnectionPool from "kafkajs/src/network/connectionPool.js";

  export interface KafkajsConfigEntry {
    configName: string;
    configValue: string | null;
    readOnly: boolean;
    isDefault: boolean;
    /** Kafka's ConfigSource id (v1+): 1 dynamic topic, 2 dynamic broker, 3 dynamic default broker, 4 static, 5 default. */
    configSource: number;
    isSensitive: boolean;
  }

  export interface KafkajsDescribeConfigsResponse {
    resources: Array<{
      errorCode: number;
      errorMessage: string | null;
      resourceType: number;
      resourceName: string;
      configEntries: KafkajsConfigEntry[];
    }>;
  }

  export default class Broker {
    constructor(options: {
      connectionPool: ConnectionPool;
      logger: Logger;
      nodeId?: number | null;
      authenticationTimeout?: number;
      allowAutoTopicCreation?: boolean;
    });
    readonly connectionPool: ConnectionPool;
    /** ApiVersions of this broker by API key, known once connected. */
    readonly versions: Record<number, { minVersion: number; maxVersion: number } | undefined> | null;
    isConnected(): boolean;
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    /** Throws a KafkaJSProtocolError for the first resource with an error. */
    describeConfigs(request: {
      resources: Array<{ type: number; name: string; configNames?: string[] }>;
      includeSynonyms?: boolean;
    }): Promise<KafkajsDescribeConfigsResponse>;
  }
}

declare module "kafkajs/src/protocol/error.js" {
  const protocolErrors: {
    readonly errorCodes: ReadonlyArray<{ readonly type: string; readonly code: number; readonly message: string }>;
  };
  export default protocolErrors;
}
