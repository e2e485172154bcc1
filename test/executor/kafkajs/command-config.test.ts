/**
 * Messages about a command-config file never show a secret, wherever a mis-wrapped or misplaced
 * password lands (the other parser tests are in test/kafka/adapter.test.ts, next to the adapter's).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseCommandConfig } from "../../../src/executor/kafkajs/command-config.js";
import { isBallastError } from "../../../src/model/errors.js";

const SECRET = "Hunter2-s3cr3t";
const HEAD = "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n";
const MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

function messageOf(text: string): string | undefined {
  try {
    parseCommandConfig(text, "client.properties");
    return undefined;
  } catch (e) {
    assert.ok(isBallastError(e), String(e));
    return e.describe();
  }
}

describe("command-config errors keep secrets out", () => {
  it("a JAAS line wrapped without its trailing backslash", () => {
    for (const text of [
      `${HEAD}sasl.jaas.config=${MODULE} required username="u"\n  password="${SECRET}";\n`,
      `${HEAD}sasl.jaas.config=${MODULE} required username="u" password=\n"${SECRET}";\n`,
      `${HEAD}sasl.jaas.config=${MODULE} required username="u" password=\n${SECRET};\n`,
    ]) {
      const message = messageOf(text);
      assert.ok(message !== undefined);
      assert.doesNotMatch(message, new RegExp(SECRET), message);
      assert.match(message, /line \d/);
    }
  });

  it("a password in the control-flag or login-module position, or in any value", () => {
    for (const text of [
      `${HEAD}sasl.jaas.config=${MODULE} ${SECRET} username="u" password="p";\n`,
      `${HEAD}sasl.jaas.config=${SECRET} required username="u" password="p";\n`,
      `${HEAD}sasl.jaas.config=${MODULE} required username="u" ${SECRET};\n`,
      `security.protocol=${SECRET}\n`,
      `security.protocol=SASL_SSL\nsasl.mechanism=${SECRET}\n`,
      `security.protocol=SSL\nssl.endpoint.identification.algorithm=${SECRET}\n`,
      `security.protocol=SSL\nssl.truststore.type=${SECRET}\nssl.truststore.location=/t\n`,
      `security.protocol=SSL\nssl.key.password=\\u12${SECRET}\n`,
    ]) {
      const message = messageOf(text);
      assert.ok(message !== undefined, text);
      assert.doesNotMatch(message, new RegExp(SECRET), message);
    }
  });

  it("property: a secret placed anywhere in a broken file never appears in the message", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9!#%*+\/]{12,20}$/).filter((s) => /\d/.test(s) && /[A-Z]/.test(s));
    const lines = [
      "security.protocol=SASL_SSL",
      "sasl.mechanism=PLAIN",
      `sasl.jaas.config=${MODULE} required username="u"`,
      'password="@";',
      "@",
      "@=x",
      "x=@",
      "  @;",
      `sasl.jaas.config=@ required username="u" password="p";`,
      `sasl.jaas.config=${MODULE} @ username="u" password="p";`,
    ];
    fc.assert(
      fc.property(secret, fc.array(fc.constantFrom(...lines), { minLength: 1, maxLength: 6 }), (s, picked) => {
        const message = messageOf(`${picked.map((l) => l.replaceAll("@", s)).join("\n")}\n`);
        return message === undefined || !message.includes(s);
      }),
      { numRuns: 300 },
    );
  });
});
