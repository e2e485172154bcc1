/**
 * PKCS12 and JKS stores named in a command-config file (test/cli/stores/: a CA certificate, a PKCS12
 * and a JKS trust store holding it, password "changeit").
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseCommandConfig, tlsOptions } from "../../src/executor/kafkajs/command-config.js";
import { isBallastError } from "../../src/model/errors.js";
import { storeReader } from "../../src/cli/key-stores.js";

const STORES = fileURLToPath(new URL("../../../test/cli/stores/", import.meta.url));
const read = (path: string): Buffer => readFileSync(path);

function configMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isBallastError(e), String(e));
    assert.equal(e.code, "CONFIG");
    return e.describe();
  }
  assert.fail("expected a CONFIG error");
}

describe("PKCS12 and JKS stores", () => {
  it("reads Kafka's store properties (type unset means a store file)", () => {
    const config = parseCommandConfig(
      "security.protocol=SSL\nssl.truststore.location=/t.p12\nssl.truststore.password=tp\n" +
        "ssl.keystore.type=PKCS12\nssl.keystore.location=/k.p12\nssl.keystore.password=kp\nssl.key.password=kp\n",
    );
    assert.deepEqual(config.ssl, {
      trustStore: { store: "/t.p12", password: "tp" },
      keyStore: { store: "/k.p12", password: "kp" },
      verifyHostname: true,
    });
  });

  it("refuses a key password Node cannot use, and stray store passwords", () => {
    const message = configMessage(() =>
      parseCommandConfig("security.protocol=SSL\nssl.keystore.location=/k.p12\nssl.keystore.password=kp\nssl.key.password=other-secret\n"),
    );
    assert.match(message, /ssl\.key\.password differs/);
    assert.doesNotMatch(message, /other-secret|kp\b/);
    assert.match(configMessage(() => parseCommandConfig("security.protocol=SSL\nssl.keystore.password=x\n")), /no PKCS12 key store/);
    assert.match(configMessage(() => parseCommandConfig("security.protocol=SSL\nssl.truststore.type=BKS\n")), /PKCS12, JKS or PEM/);
  });

  it("gives a PKCS12 trust store's certificates to TLS as PEM", () => {
    const ssl = parseCommandConfig(`security.protocol=SSL\nssl.truststore.location=${STORES}truststore.p12\nssl.truststore.password=changeit\n`).ssl;
    assert.ok(ssl);
    const options = tlsOptions(ssl, read, storeReader(read, "client.properties"));
    const expected = readFileSync(`${STORES}ca.crt`, "utf8").replace(/\r/g, "").trim();
    assert.equal(String(options.ca).replace(/\r/g, "").trim(), expected);
  });

  it("says the password is wrong without showing it", () => {
    const ssl = parseCommandConfig(`security.protocol=SSL\nssl.truststore.location=${STORES}truststore.p12\nssl.truststore.password=Wr0ng-pw\n`).ssl;
    assert.ok(ssl);
    const message = configMessage(() => tlsOptions(ssl, read, storeReader(read, "client.properties")));
    assert.match(message, /^client\.properties: cannot read ssl\.truststore\.location .*truststore\.p12.*: the ssl\.truststore\.password is wrong$/);
    assert.doesNotMatch(message, /Wr0ng-pw/);
  });

  it("refuses a JKS store with the keytool command that converts it", () => {
    const ssl = parseCommandConfig(`security.protocol=SSL\nssl.truststore.type=JKS\nssl.truststore.location=${STORES}truststore.jks\nssl.truststore.password=changeit\n`).ssl;
    assert.ok(ssl);
    const message = configMessage(() => tlsOptions(ssl, read, storeReader(read, "client.properties")));
    assert.match(message, /is a JKS store, which Ballast cannot read; convert it to PKCS12 with keytool -importkeystore -srckeystore \S*truststore\.jks -srcstoretype JKS -destkeystore \S*truststore\.jks\.p12 -deststoretype PKCS12 and set ssl\.truststore\.type=PKCS12/);
    assert.doesNotMatch(message, /changeit/);
  });
});
