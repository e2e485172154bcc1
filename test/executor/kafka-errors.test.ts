import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FATAL_KAFKA_ERRORS, kafkaFailure, kafkaRefusal, retryableFailure } from "../../src/executor/kafka-errors.js";
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
