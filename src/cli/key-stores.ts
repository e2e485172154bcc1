/**
 * PKCS12 trust and key stores named in a `--command-config` file. Node's TLS takes a PKCS12 key
 * store as `pfx`, but not a trust store (certificates without a key), so trusted certificates are
 * taken out with node-forge and handed over as PEM. JKS, Java's older format, is refused with the
 * keytool command that converts it.
 */
import forge from "node-forge";
import { BallastError } from "../model/errors.js";
import { quote } from "../model/text.js";
import type { StoreReader, StoreSource } from "../executor/kafkajs/command-config.js";
import { shellCommand } from "./shell.js";

const JKS_MAGIC = 0xfeedfeed;

/** A StoreReader over `read` (which reads a file, failing with a BallastError); `config` names the command-config file. */
export function storeReader(read: (path: string) => Buffer, config: string): StoreReader {
  const load = (source: StoreSource, kind: "ssl.truststore" | "ssl.keystore"): Buffer => {
    const bytes = read(source.store);
    if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
      const converted = `${source.store}.p12`;
      const command = shellCommand([
        "keytool", "-importkeystore", "-srckeystore", source.store, "-srcstoretype", "JKS",
        "-destkeystore", converted, "-deststoretype", "PKCS12",
      ]);
      throw new BallastError(
        "CONFIG",
        `${kind}.location ${quote(source.store)} is a JKS store, which Ballast cannot read; convert it to PKCS12 with ` +
          `${command} and set ${kind}.type=PKCS12 and ${kind}.location to the new file`,
        { source: config },
      );
    }
    return bytes;
  };
  return {
    trusted(source) {
      const bytes = load(source, "ssl.truststore");
      let p12: forge.pkcs12.Pkcs12Pfx;
      try {
        p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString("binary")), source.password ?? "");
      } catch (err) {
        throw unreadable("ssl.truststore", source, config, err);
      }
      const certBag = forge.pki.oids["certBag"] ?? "1.2.840.113549.1.12.10.1.3";
      const bags: forge.pkcs12.Bag[] = p12.getBags({ bagType: certBag })[certBag] ?? [];
      const pem = bags.flatMap((bag) => (bag.cert ? [forge.pki.certificateToPem(bag.cert)] : [])).join("");
      if (pem === "") throw new BallastError("CONFIG", `ssl.truststore.location ${quote(source.store)} holds no certificates`, { source: config });
      return pem;
    },
    keyStore(source) {
      return load(source, "ssl.keystore");
    },
  };
}

function unreadable(kind: string, source: StoreSource, config: string, err: unknown): BallastError {
  const text = err instanceof Error ? err.message : "";
  const reason = /MAC|password/i.test(text)
    ? `the ${kind}.password is wrong${source.password === undefined ? " (none is set)" : ""}`
    : "it is not a PKCS12 store";
  return new BallastError("CONFIG", `cannot read ${kind}.location ${quote(source.store)}: ${reason}`, { source: config });
}
