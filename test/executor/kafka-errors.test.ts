import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyKafkaFailure, FATAL_KAFKA_ERRORS, kafkaFailure, kafkaRefusal, retryableFailure } from "../../src/executor/kafka-errors.js";
import { authorizationError } from "../../src/executor/kafkajs/brokers.js";
import { BallastError } from "../../src/model/errors.js";

/** An error shaped as kafkajs makes them: a name, and a protocol error's type and code. */
function kafkajsError(name: string, props: Record<string, unknown> = {}, cause?: unknown): Error {
  return Object.assign(new Error(name), { name, ...props }, cause === undefined ? {} : { cause });
}

describe("which Kafka failures are retried", () => {
  it("authentication, authorization and configuration failures are not", () => {
    const fatal = [
      kafkajsError("KafkaJSSASLAuthenticationError"),
      kafkajsError("KafkaJSProtocolError", { type: "TOPIC_AUTHORIZATION_FAILED", code: 29 }),
      kafkajsError("KafkaJSProtocolError", { type: "CLUSTER_AUTHORIZATION_FAILED", code: 31 }),
      kafkajsError("KafkaJSAlterPartitionReassignmentsError", { code: 40 }),
      kafkajsError("KafkaJSConnectionError", { code: "CERT_HAS_EXPIRED" }),
      kafkajsError("KafkaJSConnectionError", { code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
      kafkajsError("KafkaJSConnectionError", { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      kafkajsError("KafkaJSNumberOfRetriesExceeded", {}, kafkajsError("KafkaJSSASLAuthenticationError")),
    ];
    for (const e of fatal) assert.equal(retryableFailure(e), false, `${e.name} ${JSON.stringify(e)}`);
    for (const code of FATAL_KAFKA_ERRORS.keys()) assert.equal(kafkaRefusal("refused", code).retryable, false, String(code));
  });

  it("a broker going away, a leader moving and failures not known are", () => {
    const passing = [
      kafkajsError("KafkaJSConnectionError", { code: "ECONNREFUSED" }),
      kafkajsError("KafkaJSConnectionClosedError"),
      kafkajsError("KafkaJSRequestTimeoutError"),
      kafkajsError("KafkaJSProtocolError", { type: "NOT_CONTROLLER", code: 41 }),
      kafkajsError("KafkaJSProtocolError", { type: "LEADER_NOT_AVAILABLE", code: 5 }),
      new Error("something else"),
      "a string",
    ];
    for (const e of passing) assert.equal(retryableFailure(e), true, JSON.stringify(e));
    assert.equal(kafkaRefusal("not the controller", 41).retryable, true);
  });

  it("a KAFKA error keeps its kind when wrapped again, and its cause", () => {
    const refused = kafkaRefusal("topic orders: TOPIC_AUTHORIZATION_FAILED", 29);
    const wrapped = kafkaFailure("describeTopics: topic orders: TOPIC_AUTHORIZATION_FAILED", refused);
    assert.equal(wrapped.code, "KAFKA");
    assert.equal(wrapped.retryable, false);
    assert.equal(wrapped.cause, refused);
    assert.equal(kafkaFailure("x", new BallastError("KAFKA", "retry me", {}, true)).retryable, true);
    assert.equal(refused.withPlace({ source: "x" }).retryable, false);
  });
});

describe("one classification of Kafka failures", () => {
  it("names a missing ACL an authorization failure, by protocol code, by type and behind a wrapper", () => {
    for (const code of [29, 30, 31, 53, 65]) assert.deepEqual(classifyKafkaFailure(code), { kind: "authorization" }, String(code));
    const denied = kafkajsError("KafkaJSProtocolError", { type: "GROUP_AUTHORIZATION_FAILED", code: 30 });
    assert.deepEqual(classifyKafkaFailure(denied), { kind: "authorization" });
    assert.deepEqual(classifyKafkaFailure(kafkajsError("KafkaJSNonRetriableError", {}, denied)), { kind: "authorization" });
  });

  it("names a refused login or certificate an authentication failure, with what to check", () => {
    const login = classifyKafkaFailure(kafkajsError("KafkaJSNumberOfRetriesExceeded", {}, Object.assign(kafkajsError("KafkaJSSASLAuthenticationError"), { message: "SASL PLAIN authentication failed" })));
    assert.equal(login.kind, "authentication");
    assert.match(login.advice ?? "", /^the SASL login was refused \(SASL PLAIN authentication failed\); check sasl\.mechanism/);
    const clientCert = classifyKafkaFailure(Object.assign(new Error("Connection error: ssl3_read_bytes:sslv3 alert bad certificate"), { code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE" }));
    assert.equal(clientCert.kind, "authentication");
    assert.match(clientCert.advice ?? "", /^the broker refused the client certificate/);
    const brokerCert = classifyKafkaFailure(new Error("Connection error: self-signed certificate in certificate chain"));
    assert.equal(brokerCert.kind, "authentication");
    assert.match(brokerCert.advice ?? "", /^Ballast does not trust the broker's certificate/);
    const sasl = classifyKafkaFailure(Object.assign(kafkajsError("KafkaJSProtocolError", { type: "UNSUPPORTED_SASL_MECHANISM", code: 33 }), { message: "mechanism not enabled" }));
    assert.deepEqual(sasl, { kind: "authentication", advice: "mechanism not enabled; check the SASL settings" });
    // Only a code says so: an authentication failure, with no words to add.
    assert.deepEqual(classifyKafkaFailure(kafkajsError("KafkaJSConnectionError", { code: "CERT_HAS_EXPIRED" })), { kind: "authentication" });
    assert.deepEqual(classifyKafkaFailure(58), { kind: "authentication" });
  });

  it("tells other fatal failures from retryable ones, and lets a BallastError say for what it wraps", () => {
    assert.deepEqual(classifyKafkaFailure(40), { kind: "fatal" });
    assert.deepEqual(classifyKafkaFailure(kafkajsError("KafkaJSAlterPartitionReassignmentsError", { code: 44 })), { kind: "fatal" });
    assert.deepEqual(classifyKafkaFailure(41), { kind: "retryable" });
    assert.deepEqual(classifyKafkaFailure(kafkajsError("KafkaJSProtocolError", { type: "NOT_CONTROLLER", code: 41 })), { kind: "retryable" });
    assert.deepEqual(classifyKafkaFailure("a string"), { kind: "retryable" });
    const said = new BallastError("KAFKA", "retry me", {}, true);
    said.cause = kafkajsError("KafkaJSSASLAuthenticationError");
    assert.deepEqual(classifyKafkaFailure(said), { kind: "retryable" });
  });

  it("makes a refused controller request an AUTH error for the same codes as before", () => {
    for (const code of [29, 30, 31, 53, 58, 65]) assert.equal(authorizationError(code, null)?.code, "AUTH", String(code));
    assert.equal(
      authorizationError(31, null)?.message,
      "Kafka refused: CLUSTER_AUTHORIZATION_FAILED (31): Cluster authorization failed; grant the ACL (kafka-acls.sh) or use a principal that has it",
    );
    for (const code of [0, 5, 40, 41, 44]) assert.equal(authorizationError(code, "no"), undefined, String(code));
  });
});
