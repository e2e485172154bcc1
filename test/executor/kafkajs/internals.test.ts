/**
 * The kafkajs internals the adapter reaches into (brokers.ts, typed in kafkajs-internals.d.ts) exist
 * in the installed kafkajs with the members Ballast uses. kafkajs is pinned to one version in
 * package.json because these modules are not its public API; this test fails at install time, not
 * against a live cluster, when a different kafkajs is installed or moves them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { AssignerProtocol, Kafka, logLevel } from "kafkajs";
import Broker from "kafkajs/src/broker/index.js";
import ConnectionPool from "kafkajs/src/network/connectionPool.js";
import protocolErrors from "kafkajs/src/protocol/error.js";
import { silentLogger } from "../../../src/executor/kafkajs/brokers.js";

const require = createRequire(import.meta.url);
const root = new URL("../../../../", import.meta.url);

const logger = silentLogger;

describe("kafkajs as installed", () => {
  it("is the exact version package.json pins", () => {
    const pinned = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { dependencies: Record<string, string> }).dependencies["kafkajs"];
    const installed = (require("kafkajs/package.json") as { version: string }).version;
    assert.match(pinned ?? "", /^\d+\.\d+\.\d+$/, "kafkajs is pinned to one version, not a range");
    assert.equal(installed, pinned);
  });

  it("has a connection pool that takes Ballast's options and sends a request with its own encoder", () => {
    const pool = new ConnectionPool({
      host: "127.0.0.1",
      port: 1,
      logger,
      socketFactory: () => {
        throw new Error("not connected in this test");
      },
      clientId: "ballast-test",
      connectionTimeout: 1000,
      requestTimeout: 1000,
      enforceRequestTimeout: true,
    });
    assert.equal(pool.host, "127.0.0.1");
    assert.equal(pool.port, 1);
    assert.equal(typeof pool.send, "function");
    assert.equal(typeof pool.destroy, "function");
  });

  it("has a broker over that pool with connect, disconnect, versions and describeConfigs", () => {
    const connectionPool = new ConnectionPool({ host: "127.0.0.1", port: 1, logger, socketFactory: () => { throw new Error("unused"); }, clientId: "t", connectionTimeout: 1000, requestTimeout: 1000 });
    const broker = new Broker({ connectionPool, logger, nodeId: 1, authenticationTimeout: 1000, allowAutoTopicCreation: false });
    assert.equal(broker.connectionPool, connectionPool);
    assert.ok(!broker.isConnected());
    for (const method of ["connect", "disconnect", "describeConfigs"] as const) assert.equal(typeof broker[method], "function", method);
    assert.ok("versions" in broker, "versions (ApiVersions by key) is read after connecting");
  });

  it("has the table of Kafka error codes Ballast names errors from", () => {
    const byCode = new Map(protocolErrors.errorCodes.map((e) => [e.code, e]));
    assert.equal(byCode.get(84)?.type, "ELECTION_NOT_NEEDED");
    assert.equal(byCode.get(85)?.type, "NO_REASSIGNMENT_IN_PROGRESS");
    assert.equal(byCode.get(41)?.type, "NOT_CONTROLLER");
    for (const e of protocolErrors.errorCodes) assert.equal(typeof e.message, "string");
  });

  it("exports what the lock uses: Kafka, logLevel and the assigner protocol", () => {
    assert.equal(typeof Kafka, "function");
    assert.equal(typeof logLevel.NOTHING, "number");
    assert.equal(typeof AssignerProtocol.MemberMetadata.encode, "function");
    assert.equal(typeof AssignerProtocol.MemberAssignment.decode, "function");
  });
});
