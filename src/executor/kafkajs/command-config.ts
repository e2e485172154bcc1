/**
 * Reads the client properties file Kafka's own tools take as `--command-config`, so that the file an
 * operator already has for `kafka-reassign-partitions.sh` works with Ballast too.
 *
 * Understood: `security.protocol` (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), `sasl.mechanism`
 * (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), `sasl.jaas.config` (the Plain or Scram login module with
 * `username` and `password`), and TLS material as PEM: `ssl.ca.location`,
 * `ssl.certificate.location`, `ssl.key.location`, `ssl.key.password` (librdkafka's names), or Kafka's
 * `ssl.truststore.type=PEM` / `ssl.keystore.type=PEM` with a `location` or inline PEM
 * (`ssl.truststore.certificates`, `ssl.keystore.certificate.chain`, `ssl.keystore.key`), and
 * `ssl.endpoint.identification.algorithm` (empty turns off host name checks), and PKCS12 stores:
 * `ssl.truststore.location` / `ssl.keystore.location` with `ssl.truststore.password` /
 * `ssl.keystore.password` (`ssl.keystore.type` and `ssl.truststore.type` PKCS12, or unset: Kafka's
 * default JKS is taken as a store file, and a file that really is JKS is refused when read, with
 * the keytool command that converts it). Any other key is refused.
 *
 * The parser does no I/O: PEM files and stores come back as paths, and `tlsOptions` reads them
 * through the functions it is given.
 */
import type { ConnectionOptions } from "node:tls";
import { BallastError } from "../../model/errors.js";

/** PEM text, either in a file to read or given inline. */
export type PemSource = { readonly path: string } | { readonly pem: string };

/** A PKCS12 (or, refused when read, JKS) store file and its password. */
export interface StoreSource {
  readonly store: string;
  readonly password?: string;
}

export interface SslSettings {
  readonly ca?: PemSource;
  /** Trusted certificates from a PKCS12 trust store (instead of `ca`). */
  readonly trustStore?: StoreSource;
  /** Client certificate and key from a PKCS12 key store (instead of `cert` and `key`). */
  readonly keyStore?: StoreSource;
  readonly cert?: PemSource;
  readonly key?: PemSource;
  readonly keyPassword?: string;
  /** False when `ssl.endpoint.identification.algorithm` is empty. */
  readonly verifyHostname: boolean;
}

export interface SaslSettings {
  /** kafkajs's spelling of the mechanism. */
  readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
  readonly username: string;
  readonly password: string;
}

export interface CommandConfig {
  readonly ssl?: SslSettings;
  readonly sasl?: SaslSettings;
}

interface Property {
  readonly value: string;
  readonly line: number;
}

const MECHANISMS: ReadonlyMap<string, { readonly name: SaslSettings["mechanism"]; readonly module: string }> = new Map([
  ["PLAIN", { name: "plain", module: "org.apache.kafka.common.security.plain.PlainLoginModule" }],
  ["SCRAM-SHA-256", { name: "scram-sha-256", module: "org.apache.kafka.common.security.scram.ScramLoginModule" }],
  ["SCRAM-SHA-512", { name: "scram-sha-512", module: "org.apache.kafka.common.security.scram.ScramLoginModule" }],
] as const);
const LOGIN_MODULES = new Set([...MECHANISMS.values()].map((m) => m.module));

/**
 * Messages about a command-config file never quote a value: a JAAS line wrapped without its
 * trailing backslash turns the password into a "key" on the next line, and a password can land in
 * any position. A key is named only when it looks like a Kafka client property (dotted lowercase
 * words in one of Kafka's namespaces); otherwise the line number says where.
 */
const PROPERTY_NAME =
  /^(ssl|sasl|security|request|retry|retries|client|bootstrap|connections|metadata|reconnect|socket|send|receive|default|metric|metrics|max|enable|auto|group|fetch|session|heartbeat|compression|transaction|interceptor|allow|api|dns|exclude|isolation|key|value|linger|batch|buffer|acks|delivery|partitioner)(\.[a-z0-9-]+)+$/;

function nameKeys(keys: readonly string[], props: ReadonlyMap<string, Property>): string {
  return keys.map((k) => (PROPERTY_NAME.test(k) ? k : `a key on line ${String(props.get(k)?.line ?? "?")} (not shown: it may be part of a secret)`)).join(", ");
}

const SASL_KEYS = ["sasl.mechanism", "sasl.jaas.config"];
const SSL_KEYS = [
  "ssl.ca.location",
  "ssl.certificate.location",
  "ssl.key.location",
  "ssl.key.password",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.key",
  "ssl.truststore.password",
  "ssl.keystore.password",
  "ssl.endpoint.identification.algorithm",
];
const KNOWN = new Set(["security.protocol", ...SASL_KEYS, ...SSL_KEYS]);
const STORE_TYPES = new Set(["PEM", "PKCS12", "JKS"]);

export function parseCommandConfig(text: string, source?: string): CommandConfig {
  const props = parseProperties(text, source);
  const fail = (message: string, key?: string): never => {
    const line = key !== undefined ? props.get(key)?.line : undefined;
    throw new BallastError("CONFIG", message, { ...(source !== undefined ? { source } : {}), ...(line !== undefined ? { line } : {}) });
  };

  const unknown = [...props.keys()].filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    fail(
      `unsupported command-config key${unknown.length > 1 ? "s" : ""} ${nameKeys(unknown, props)}; Ballast reads security.protocol, ` +
        `${SASL_KEYS.join(", ")} and the TLS keys ${SSL_KEYS.join(", ")}`,
      unknown[0],
    );
  }

  const protocol = (props.get("security.protocol")?.value ?? "PLAINTEXT").trim().toUpperCase();
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) {
    fail("security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", "security.protocol");
  }
  const usesSsl = protocol === "SSL" || protocol === "SASL_SSL";
  const usesSasl = protocol.startsWith("SASL_");
  const stray = [...props.keys()].filter((k) => (!usesSsl && SSL_KEYS.includes(k)) || (!usesSasl && SASL_KEYS.includes(k)));
  if (stray.length > 0) {
    fail(`${stray.join(", ")} ${stray.length > 1 ? "are" : "is"} set but security.protocol is ${protocol}; set security.protocol to use them`, stray[0]);
  }

  const config: { ssl?: SslSettings; sasl?: SaslSettings } = {};
  if (usesSsl) config.ssl = sslSettings(props, fail);
  if (usesSasl) config.sasl = saslSettings(props, fail);
  return config;
}

/** How `tlsOptions` turns store files into what Node's TLS takes (see key-stores.ts). */
export interface StoreReader {
  /** PEM text of the trusted certificates of a trust store. */
  trusted(source: StoreSource): string;
  /** The key store's bytes, for Node's `pfx`. */
  keyStore(source: StoreSource): Buffer;
}

/** Node TLS options for `createKafkajsPort`, reading PEM files through `read` and stores through `stores`. */
export function tlsOptions(ssl: SslSettings, read: (path: string) => string | Buffer, stores: StoreReader): ConnectionOptions {
  const pem = (s: PemSource): string | Buffer => ("path" in s ? read(s.path) : s.pem);
  return {
    ...(ssl.ca ? { ca: pem(ssl.ca) } : {}),
    ...(ssl.trustStore ? { ca: stores.trusted(ssl.trustStore) } : {}),
    ...(ssl.keyStore ? { pfx: stores.keyStore(ssl.keyStore), passphrase: ssl.keyStore.password ?? "" } : {}),
    ...(ssl.cert ? { cert: pem(ssl.cert) } : {}),
    ...(ssl.key ? { key: pem(ssl.key) } : {}),
    ...(ssl.keyPassword !== undefined ? { passphrase: ssl.keyPassword } : {}),
    ...(ssl.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

type Fail = (message: string, key?: string) => never;

function sslSettings(props: Map<string, Property>, fail: Fail): SslSettings {
  const get = (k: string): string | undefined => props.get(k)?.value;
  // Kafka's default store type is JKS; a JKS-typed location is read as a store (keytool has written
  // PKCS12 by default since Java 9, whatever the file is called) and refused only if it is JKS.
  const storeType = (k: string): string => {
    const type = (get(k) ?? "JKS").trim().toUpperCase();
    if (!STORE_TYPES.has(type)) fail(`${k} must be PKCS12, JKS or PEM`, k);
    return type;
  };
  const truststoreType = storeType("ssl.truststore.type");
  const keystoreType = storeType("ssl.keystore.type");

  let ca: PemSource | undefined;
  let trustStore: StoreSource | undefined;
  const caOptions = ["ssl.ca.location", "ssl.truststore.location", "ssl.truststore.certificates"].filter((k) => get(k) !== undefined);
  if (caOptions.length > 1) fail(`set only one of ${caOptions.join(", ")}`, caOptions[1]);
  if (get("ssl.truststore.certificates") !== undefined && truststoreType !== "PEM") {
    fail("ssl.truststore.certificates needs ssl.truststore.type=PEM", "ssl.truststore.certificates");
  }
  const truststorePath = get("ssl.truststore.location")?.trim();
  const truststorePassword = get("ssl.truststore.password");
  if (truststorePath !== undefined && truststoreType !== "PEM") {
    trustStore = { store: truststorePath, ...(truststorePassword !== undefined ? { password: truststorePassword } : {}) };
  } else {
    if (truststorePassword !== undefined) fail("ssl.truststore.password is set but no PKCS12 trust store is (ssl.truststore.location)", "ssl.truststore.password");
    const caPath = get("ssl.ca.location") ?? truststorePath;
    const caPem = get("ssl.truststore.certificates");
    if (caPath !== undefined) ca = { path: caPath.trim() };
    else if (caPem !== undefined) ca = { pem: caPem };
  }

  let cert: PemSource | undefined;
  let key: PemSource | undefined;
  let keyStore: StoreSource | undefined;
  const keystoreKeys = ["ssl.keystore.location", "ssl.keystore.certificate.chain", "ssl.keystore.key"].filter((k) => get(k) !== undefined);
  const inlinePem = keystoreKeys.filter((k) => k !== "ssl.keystore.location");
  if (inlinePem.length > 0 && keystoreType !== "PEM") fail(`${inlinePem.join(", ")} need${inlinePem.length > 1 ? "" : "s"} ssl.keystore.type=PEM`, inlinePem[0]);
  const librdkafka = ["ssl.certificate.location", "ssl.key.location"].filter((k) => get(k) !== undefined);
  if (librdkafka.length > 0 && keystoreKeys.length > 0) fail(`set either ${librdkafka.join(", ")} or ${keystoreKeys.join(", ")}, not both`, keystoreKeys[0]);
  const location = get("ssl.keystore.location");
  const keystorePassword = get("ssl.keystore.password");
  if (keystorePassword !== undefined && (location === undefined || keystoreType === "PEM")) {
    fail("ssl.keystore.password is set but no PKCS12 key store is (ssl.keystore.location)", "ssl.keystore.password");
  }
  if (location !== undefined) {
    if (inlinePem.length > 0) {
      fail("set either ssl.keystore.location or ssl.keystore.certificate.chain with ssl.keystore.key, not both", "ssl.keystore.location");
    }
    if (keystoreType === "PEM") {
      // A PEM key store is one file holding the private key and the certificate chain.
      cert = { path: location.trim() };
      key = { path: location.trim() };
    } else {
      keyStore = { store: location.trim(), ...(keystorePassword !== undefined ? { password: keystorePassword } : {}) };
    }
  } else {
    const certPath = get("ssl.certificate.location");
    const keyPath = get("ssl.key.location");
    const certPem = get("ssl.keystore.certificate.chain");
    const keyPem = get("ssl.keystore.key");
    if (certPath !== undefined) cert = { path: certPath.trim() };
    else if (certPem !== undefined) cert = { pem: certPem };
    if (keyPath !== undefined) key = { path: keyPath.trim() };
    else if (keyPem !== undefined) key = { pem: keyPem };
    if ((cert === undefined) !== (key === undefined)) {
      fail(
        "a client certificate needs its private key and the other way round: set both ssl.certificate.location and ssl.key.location " +
          "(or ssl.keystore.certificate.chain and ssl.keystore.key)",
        librdkafka[0] ?? keystoreKeys[0],
      );
    }
  }
  const keyPassword = get("ssl.key.password");
  if (keyPassword !== undefined && key === undefined && keyStore === undefined) fail("ssl.key.password is set but no private key is", "ssl.key.password");
  if (keyStore !== undefined && keyPassword !== undefined && keyPassword !== keyStore.password) {
    fail("ssl.key.password differs from ssl.keystore.password, which Node cannot use; give the key the store's password (keytool -keypasswd)", "ssl.key.password");
  }

  const algorithm = (get("ssl.endpoint.identification.algorithm") ?? "https").trim().toLowerCase();
  if (algorithm !== "" && algorithm !== "https") {
    fail("ssl.endpoint.identification.algorithm must be https or empty", "ssl.endpoint.identification.algorithm");
  }
  return {
    ...(ca ? { ca } : {}),
    ...(trustStore ? { trustStore } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(keyStore ? { keyStore } : {}),
    ...(keyPassword !== undefined && keyStore === undefined ? { keyPassword } : {}),
    verifyHostname: algorithm === "https",
  };
}

function saslSettings(props: Map<string, Property>, fail: Fail): SaslSettings {
  const given = props.get("sasl.mechanism")?.value.trim().toUpperCase();
  if (given === undefined) {
    fail("sasl.mechanism is not set and Kafka's default, GSSAPI (Kerberos), is not supported; set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", "security.protocol");
  }
  const mechanism = MECHANISMS.get(given ?? "");
  if (!mechanism) return fail("sasl.mechanism is not supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", "sasl.mechanism");
  const jaas = props.get("sasl.jaas.config");
  if (!jaas) return fail(`sasl.jaas.config is required for ${given ?? ""}: ${mechanism.module} required username="…" password="…";`, "sasl.mechanism");
  let parsed: JaasEntry;
  try {
    parsed = parseJaas(jaas.value);
  } catch (e) {
    return fail(`sasl.jaas.config: ${e instanceof Error ? e.message : String(e)}`, "sasl.jaas.config");
  }
  if (parsed.module !== mechanism.module) {
    const uses = LOGIN_MODULES.has(parsed.module) ? parsed.module : "another login module";
    fail(`sasl.jaas.config uses ${uses} but sasl.mechanism ${given ?? ""} needs ${mechanism.module}`, "sasl.jaas.config");
  }
  const username = parsed.options.get("username");
  const password = parsed.options.get("password");
  if (username === undefined || password === undefined) {
    fail(`sasl.jaas.config needs username="…" and password="…"`, "sasl.jaas.config");
  }
  return { mechanism: mechanism.name, username: username ?? "", password: password ?? "" };
}

interface JaasEntry {
  readonly module: string;
  readonly options: Map<string, string>;
}

/** One JAAS login module entry: `Module flag key="value" …;` (values may be quoted, with \-escapes). */
function parseJaas(text: string): JaasEntry {
  const tokens: Array<{ kind: "word" | "quoted" | "=" | ";"; text: string }> = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "=" || c === ";") {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < text.length && text.charAt(i) !== '"') {
        if (text.charAt(i) === "\\" && i + 1 < text.length) i++;
        s += text.charAt(i);
        i++;
      }
      if (i >= text.length) throw new Error("a quoted value is not closed");
      i++;
      tokens.push({ kind: "quoted", text: s });
    } else {
      let s = "";
      while (i < text.length && !/[\s=;"]/.test(text.charAt(i))) s += text.charAt(i++);
      tokens.push({ kind: "word", text: s });
    }
  }
  const [module, flag, ...rest] = tokens;
  if (module?.kind !== "word" || flag?.kind !== "word") throw new Error('expected "<LoginModule> required key="value" …;"');
  if (!["required", "requisite", "sufficient", "optional"].includes(flag.text)) {
    throw new Error("the word after the login module must be a JAAS control flag (required, requisite, sufficient, optional)");
  }
  const options = new Map<string, string>();
  let k = 0;
  while (k < rest.length && rest[k]?.kind !== ";") {
    const name = rest[k];
    const eq = rest[k + 1];
    const value = rest[k + 2];
    if (name?.kind !== "word" || eq?.kind !== "=" || (value?.kind !== "word" && value?.kind !== "quoted")) {
      throw new Error(`expected key="value" pairs after the login module and ${flag.text}`);
    }
    options.set(name.text, value.text);
    k += 3;
  }
  if (rest[k]?.kind !== ";") throw new Error('the login module entry must end with ";"');
  if (k + 1 < rest.length) throw new Error("only one login module may be given");
  return { module: module.text, options };
}

/** java.util.Properties text: `key=value`, `key: value` or `key value`, # and ! comments, \-continuations and escapes. */
function parseProperties(text: string, source?: string): Map<string, Property> {
  const lines = text.split(/\r\n|\r|\n/);
  const props = new Map<string, Property>();
  for (let n = 0; n < lines.length; n++) {
    const start = n + 1;
    let logical = (lines[n] ?? "").replace(/^[ \t\f]+/, "");
    if (logical === "" || logical.startsWith("#") || logical.startsWith("!")) continue;
    while (endsInEscape(logical) && n + 1 < lines.length) {
      logical = logical.slice(0, -1) + (lines[++n] ?? "").replace(/^[ \t\f]+/, "");
    }
    if (endsInEscape(logical)) logical = logical.slice(0, -1);
    let k = 0;
    while (k < logical.length && !/[=: \t\f]/.test(logical.charAt(k))) k += logical.charAt(k) === "\\" ? 2 : 1;
    const rawKey = logical.slice(0, k);
    let v = k;
    while (v < logical.length && /[ \t\f]/.test(logical.charAt(v))) v++;
    if (v < logical.length && /[=:]/.test(logical.charAt(v))) v++;
    while (v < logical.length && /[ \t\f]/.test(logical.charAt(v))) v++;
    try {
      props.set(unescape(rawKey), { value: unescape(logical.slice(v)), line: start });
    } catch (e) {
      throw new BallastError("CONFIG", e instanceof Error ? e.message : String(e), {
        ...(source !== undefined ? { source } : {}),
        line: start,
      });
    }
  }
  return props;
}

function endsInEscape(line: string): boolean {
  let slashes = 0;
  for (let i = line.length - 1; i >= 0 && line.charAt(i) === "\\"; i--) slashes++;
  return slashes % 2 === 1;
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["t", "\t"],
  ["n", "\n"],
  ["r", "\r"],
  ["f", "\f"],
]);

function unescape(s: string): string {
  return s.replace(/\\(u([0-9a-fA-F]{0,4})|.)/g, (_all: string, c: string, hex: string | undefined) => {
    if (hex !== undefined) {
      if (hex.length !== 4) throw new Error("malformed \\u escape (\\u must be followed by four hex digits)");
      return String.fromCharCode(parseInt(hex, 16));
    }
    return ESCAPES.get(c) ?? c;
  });
}
