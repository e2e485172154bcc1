/**
 * Which Kafka failures are worth waiting out. A broker restarting or a leader moving passes; a
 * refused login, a missing ACL or a broken TLS or client setting does not, and the executor should
 * say so at once rather than retry until its broker-down timeout (franz-go's kadm draws the same
 * line between retryable and fatal errors).
 */
import { BallastError } from "../model/errors.js";

/**
 * Kafka protocol error codes that no retry cures: authentication, authorization, configuration,
 * an API the broker lacks.
 */
export const FATAL_KAFKA_ERRORS: ReadonlyMap<number, string> = new Map([
  [29, "TOPIC_AUTHORIZATION_FAILED"],
  [30, "GROUP_AUTHORIZATION_FAILED"],
  [31, "CLUSTER_AUTHORIZATION_FAILED"],
  [33, "UNSUPPORTED_SASL_MECHANISM"],
  [34, "ILLEGAL_SASL_STATE"],
  [35, "UNSUPPORTED_VERSION"],
  [40, "INVALID_CONFIG"],
  [44, "POLICY_VIOLATION"],
  [53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"],
  [54, "SECURITY_DISABLED"],
  [58, "SASL_AUTHENTICATION_FAILED"],
  [61, "DELEGATION_TOKEN_AUTH_DISABLED"],
  [65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED"],
]);

const FATAL_TYPES = new Set(FATAL_KAFKA_ERRORS.values());

/** Client-side error names that no retry cures: a refused SASL login. */
const FATAL_NAMES = new Set(["KafkaJSSASLAuthenticationError"]);

/** TLS failures a retry does not cure: the certificate, its chain or its name (Node's error codes). */
const FATAL_TLS = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_CERT_ALTNAME_INVALID$|ERR_SSL_)/;

/** Whether a Kafka protocol error code may pass if tried again. */
export function retryableKafkaCode(errorCode: number): boolean {
  return !FATAL_KAFKA_ERRORS.has(errorCode);
}

/**
 * Whether a thrown failure may pass if tried again: false when it, or an error it wraps, is an
 * authentication, authorization or configuration failure. Unknown failures count as retryable, so
 * that what passed before still passes.
 */
export function retryableFailure(failure: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = failure; typeof e === "object" && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof BallastError && e.retryable !== undefined) return e.retryable;
    const { name, type, code } = e as { name?: unknown; type?: unknown; code?: unknown };
    if (typeof name === "string" && FATAL_NAMES.has(name)) return false;
    if (typeof type === "string" && FATAL_TYPES.has(type)) return false;
    if (typeof code === "number" && !retryableKafkaCode(code)) return false;
    if (typeof code === "string" && FATAL_TLS.test(code)) return false;
  }
  return true;
}

/** A KAFKA error for `failure` (kept as its cause), retryable unless the failure says otherwise. */
export function kafkaFailure(message: string, failure: unknown): BallastError {
  const err = new BallastError("KAFKA", message, {}, retryableFailure(failure));
  err.cause = failure;
  return err;
}

/** A KAFKA error for a request the cluster answered with `errorCode`. */
export function kafkaRefusal(message: string, errorCode: number): BallastError {
  return new BallastError("KAFKA", message, {}, retryableKafkaCode(errorCode));
}
