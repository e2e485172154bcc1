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

/** Protocol errors that say the broker refused who Ballast is, rather than what it may do. */
const SASL_TYPES = new Set(["SASL_AUTHENTICATION_FAILED", "ILLEGAL_SASL_STATE", "UNSUPPORTED_SASL_MECHANISM"]);

/** TLS failures a retry does not cure: the certificate, its chain or its name (Node's error codes). */
const FATAL_TLS = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_|ERR_TLS_CERT_ALTNAME_INVALID$|ERR_SSL_)/;

/** A TLS alert by which the broker refused the client certificate, or asked for one and got none. */
const CLIENT_CERTIFICATE_REFUSED = /alert (bad certificate|certificate required|unknown ca|certificate unknown)|alert number (42|46|48|116)\b/i;

/** Node's words for a broker certificate it does not trust. */
const BROKER_CERTIFICATE_UNTRUSTED = /self[- ]signed certificate|unable to (verify|get local issuer)|certificate (has expired|is not yet valid)|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i;

/** What a Kafka failure says about trying again. */
export type KafkaFailureKind =
  /** A missing ACL: TOPIC_, GROUP_, CLUSTER_, … _AUTHORIZATION_FAILED. */
  | "authorization"
  /** Kafka refused who Ballast is: a SASL login, or a certificate one side does not accept. */
  | "authentication"
  /** Another failure no retry cures: a configuration, a policy, an API the broker lacks. */
  | "fatal"
  /** May pass if tried again (a broker restarting, a leader moving); so does every failure not known. */
  | "retryable";

export interface KafkaFailureClass {
  readonly kind: KafkaFailureKind;
  /**
   * For an authentication failure recognised by what it says: what to check, in words a person can
   * act on. Absent when only a code says so (a TLS error code, a protocol error code).
   */
  readonly advice?: string;
}

const RETRYABLE: KafkaFailureClass = { kind: "retryable" };

/** The kind of a Kafka protocol error by its name (`TOPIC_AUTHORIZATION_FAILED`). */
function kindOfErrorName(name: string): KafkaFailureKind {
  if (name.endsWith("_AUTHORIZATION_FAILED")) return "authorization";
  if (SASL_TYPES.has(name)) return "authentication";
  return FATAL_TYPES.has(name) ? "fatal" : "retryable";
}

/**
 * The one classification of Kafka failures: whether a retry may cure `failure`, and when not, whether
 * it is an authorization failure (grant an ACL), an authentication failure (fix the login or the
 * certificates) or another fatal one. `failure` is a thrown error, whose causes are followed until one
 * of them says, or a Kafka protocol error code. A BallastError that knows whether it is retryable
 * says so for everything it wraps. Unknown failures count as retryable, so that what passed before
 * still passes.
 */
export function classifyKafkaFailure(failure: unknown): KafkaFailureClass {
  if (typeof failure === "number") return { kind: kindOfErrorName(FATAL_KAFKA_ERRORS.get(failure) ?? "") };
  const seen = new Set<unknown>();
  for (let e: unknown = failure; typeof e === "object" && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const found = classifyOne(e);
    if (found !== undefined) return found;
  }
  return RETRYABLE;
}

/** What one error of a chain says by itself, or undefined when it says nothing. */
function classifyOne(e: object): KafkaFailureClass | undefined {
  if (e instanceof BallastError && e.retryable !== undefined) return e.retryable ? RETRYABLE : { kind: "fatal" };
  const { name, message, type, code } = e as { name?: unknown; message?: unknown; type?: unknown; code?: unknown };
  const text = typeof message === "string" ? message : "";
  if (name === "KafkaJSSASLAuthenticationError") {
    return { kind: "authentication", advice: `the SASL login was refused (${text}); check sasl.mechanism and the user name and password in sasl.jaas.config` };
  }
  if (CLIENT_CERTIFICATE_REFUSED.test(text)) {
    return {
      kind: "authentication",
      advice:
        "the broker refused the client certificate (or wanted one and got none); check ssl.keystore.location or ssl.certificate.location and that the broker trusts its CA",
    };
  }
  if (BROKER_CERTIFICATE_UNTRUSTED.test(text)) {
    return {
      kind: "authentication",
      advice:
        "Ballast does not trust the broker's certificate; set ssl.truststore.location (or ssl.ca.location) to the CA that signed it, or check the host name (ssl.endpoint.identification.algorithm)",
    };
  }
  if (typeof type === "string") {
    const kind = kindOfErrorName(type);
    if (kind === "authentication") return { kind, advice: `${text}; check the SASL settings` };
    if (kind !== "retryable") return { kind };
  }
  if (typeof code === "number" && !retryableKafkaCode(code)) return classifyKafkaFailure(code);
  if (typeof code === "string" && FATAL_TLS.test(code)) return { kind: "authentication" };
  return undefined;
}

/** Whether a Kafka protocol error code may pass if tried again. */
export function retryableKafkaCode(errorCode: number): boolean {
  return !FATAL_KAFKA_ERRORS.has(errorCode);
}

/** Whether a thrown failure may pass if tried again (classifyKafkaFailure). */
export function retryableFailure(failure: unknown): boolean {
  return classifyKafkaFailure(failure).kind === "retryable";
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
