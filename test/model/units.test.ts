import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QuantityProblem, exactQuantity, formatBytes, formatRate, parseBytes, parseRate, readQuantity, readQuantityWithUnit } from "../../src/model/units.js";
import { throwsBallast } from "./helpers.js";

describe("parseBytes", () => {
  it("takes plain numbers as bytes, rounded to whole bytes", () => {
    assert.equal(parseBytes(0, "x"), 0);
    assert.equal(parseBytes(1073741824, "x"), 1073741824);
    assert.equal(parseBytes(10.4, "x"), 10);
    assert.equal(parseBytes(10.5, "x"), 11);
  });

  it("reads decimal units as powers of 1000", () => {
    assert.equal(parseBytes("500GB", "x"), 500e9);
    assert.equal(parseBytes("1KB", "x"), 1000);
    assert.equal(parseBytes("1kB", "x"), 1000);
    assert.equal(parseBytes("3MB", "x"), 3e6);
    assert.equal(parseBytes("2TB", "x"), 2e12);
    assert.equal(parseBytes("1PB", "x"), 1e15);
    assert.equal(parseBytes("42B", "x"), 42);
  });

  it("reads binary units as powers of 1024", () => {
    assert.equal(parseBytes("2TiB", "x"), 2 * 2 ** 40);
    assert.equal(parseBytes("100 MiB", "x"), 100 * 2 ** 20);
    assert.equal(parseBytes("1.5GiB", "x"), 1610612736);
    assert.equal(parseBytes("4KiB", "x"), 4096);
    assert.equal(parseBytes("1PiB", "x"), 2 ** 50);
  });

  it("accepts number strings without a unit, and surrounding spaces", () => {
    assert.equal(parseBytes("1024", "x"), 1024);
    assert.equal(parseBytes("  7 GiB ", "x"), 7 * 2 ** 30);
    assert.equal(parseBytes(".5KiB", "x"), 512);
  });

  it("gives 0, not -0, for a negative zero", () => {
    assert.ok(Object.is(parseBytes("-0", "x"), 0));
  });

  it("rejects unknown units, naming the unit and the accepted ones", () => {
    const e = throwsBallast(() => parseBytes("5Gb", "brokers[0].capacity.disk"), {
      code: "INVALID_UNIT",
      path: "brokers[0].capacity.disk",
    });
    assert.match(e.message, /"Gb"/);
    assert.match(e.message, /GiB/);
    throwsBallast(() => parseBytes("5 gigabytes", "p"), { code: "INVALID_UNIT", message: /"gigabytes"/ });
    throwsBallast(() => parseBytes("5mb", "p"), { code: "INVALID_UNIT" });
  });

  it("rejects a rate where a size is expected", () => {
    throwsBallast(() => parseBytes("100MiB/s", "size"), { code: "INVALID_UNIT", path: "size", message: /rate/ });
  });

  it("rejects negative, non-finite and non-numeric values", () => {
    throwsBallast(() => parseBytes(-1, "a"), { code: "INVALID_NUMBER", path: "a", message: /negative/ });
    throwsBallast(() => parseBytes("-2GiB", "a"), { code: "INVALID_NUMBER", message: /negative/ });
    throwsBallast(() => parseBytes(Number.NaN, "a"), { code: "INVALID_NUMBER" });
    throwsBallast(() => parseBytes(Number.POSITIVE_INFINITY, "a"), { code: "INVALID_NUMBER" });
    throwsBallast(() => parseBytes("lots", "a"), { code: "INVALID_NUMBER", message: /"lots"/ });
    throwsBallast(() => parseBytes("", "a"), { code: "INVALID_NUMBER" });
    throwsBallast(() => parseBytes(true, "a"), { code: "INVALID_NUMBER", message: /true/ });
    throwsBallast(() => parseBytes(null, "a"), { code: "INVALID_NUMBER", message: /null/ });
    throwsBallast(() => parseBytes([1], "a"), { code: "INVALID_NUMBER", message: /a list/ });
    throwsBallast(() => parseBytes({}, "a"), { code: "INVALID_NUMBER", message: /a mapping/ });
  });

  it("rejects sizes beyond 2^53 bytes", () => {
    throwsBallast(() => parseBytes("9PiB", "a"), { code: "INVALID_NUMBER", message: /too large/ });
  });
});

describe("parseRate", () => {
  it("takes plain numbers as bytes per second", () => {
    assert.equal(parseRate(1048576, "r"), 1048576);
    assert.equal(parseRate("2048", "r"), 2048);
  });

  it("reads unit strings ending in /s", () => {
    assert.equal(parseRate("100MiB/s", "r"), 100 * 2 ** 20);
    assert.equal(parseRate("20MB/s", "r"), 20e6);
    assert.equal(parseRate("1.5 GiB / s", "r"), 1610612736);
    assert.equal(parseRate("512B/s", "r"), 512);
  });

  it("requires /s on a unit string", () => {
    throwsBallast(() => parseRate("100MiB", "topics[0].partitions[0].bytesIn"), {
      code: "INVALID_UNIT",
      path: "topics[0].partitions[0].bytesIn",
      message: /\/s/,
    });
  });

  it("rejects unknown units and negative rates", () => {
    throwsBallast(() => parseRate("5Mbps", "r"), { code: "INVALID_UNIT" });
    throwsBallast(() => parseRate("5Mb/s", "r"), { code: "INVALID_UNIT", message: /"Mb"/ });
    throwsBallast(() => parseRate(-3, "r"), { code: "INVALID_NUMBER" });
  });
});

describe("readQuantity", () => {
  it("returns the problem instead of throwing", () => {
    const problem = readQuantity("3 parsecs", "size");
    assert.equal(typeof problem, "object");
    assert.equal(readQuantity("3KiB", "size"), 3072);
  });
});

describe("readQuantityWithUnit", () => {
  it("reads what readQuantity reads when a unit is written", () => {
    assert.equal(readQuantityWithUnit("2TiB", "size"), 2 ** 41);
    assert.equal(readQuantityWithUnit("1.5 GB", "size"), 1.5e9);
    assert.equal(readQuantityWithUnit("100MiB/s", "rate"), 100 * 2 ** 20);
    assert.equal(readQuantityWithUnit("10 B/s", "rate"), 10);
  });

  it("refuses bare numbers, as numbers or strings, and rates without a byte unit", () => {
    for (const [value, kind] of [[2000, "size"], ["2000", "size"], [100, "rate"], ["100/s", "rate"], [" 5 ", "size"]] as const) {
      const problem = readQuantityWithUnit(value, kind);
      assert.ok(problem instanceof QuantityProblem, `${String(value)} is refused`);
      assert.equal(problem.code, "INVALID_UNIT");
      assert.match(problem.message, /has no unit/);
    }
  });

  it("reports negative, NaN and unknown units as readQuantity does", () => {
    const negative = readQuantityWithUnit("-2TiB", "size");
    assert.ok(negative instanceof QuantityProblem && /negative/.test(negative.message));
    const bare = readQuantityWithUnit(-5, "size");
    assert.ok(bare instanceof QuantityProblem && /negative/.test(bare.message), "a negative bare number is reported as negative");
    assert.ok(readQuantityWithUnit(Number.NaN, "size") instanceof QuantityProblem);
    const unknown = readQuantityWithUnit("2 TeraBytes", "size");
    assert.ok(unknown instanceof QuantityProblem && /unknown unit/.test(unknown.message));
    const sizeForRate = readQuantityWithUnit("100MiB", "rate");
    assert.ok(sizeForRate instanceof QuantityProblem && /end the unit with \/s/.test(sizeForRate.message));
  });
});

describe("formatBytes and formatRate", () => {
  it("print binary units with three significant digits", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(1610612736), "1.5 GiB");
    assert.equal(formatBytes(123.4 * 2 ** 30), "123 GiB");
    assert.equal(formatBytes(12.345 * 2 ** 40), "12.3 TiB");
    assert.equal(formatBytes(2 ** 50 * 3000), "3000 PiB");
    assert.equal(formatBytes(-1536), "-1.5 KiB");
  });

  it("moves to the next unit when rounding reaches 1024", () => {
    assert.equal(formatBytes(1023.9 * 1024), "1 MiB");
  });

  it("formats rates with /s", () => {
    assert.equal(formatRate(200 * 2 ** 20), "200 MiB/s");
  });

  it("prints what parseBytes reads back (within rounding)", () => {
    assert.equal(parseBytes(formatBytes(1610612736), "x"), 1610612736);
  });
});

describe("exactQuantity", () => {
  it("writes the shortest exact unit string, else the number", () => {
    assert.equal(exactQuantity(2 * 2 ** 40, "size"), "2TiB");
    assert.equal(exactQuantity(500e9, "size"), "500GB");
    assert.equal(exactQuantity(1610612736, "size"), "1.5GiB");
    assert.equal(exactQuantity(200 * 2 ** 20, "rate"), "200MiB/s");
    assert.equal(exactQuantity(123456789, "size"), 123456789);
    assert.equal(exactQuantity(999, "size"), 999);
    assert.equal(exactQuantity(0, "rate"), 0);
  });

  it("always parses back to the same number", () => {
    for (const n of [1, 1000, 1024, 1536, 3e9, 2 ** 40 + 2 ** 30, 7 * 2 ** 20 + 1, 987654321012]) {
      assert.equal(parseBytes(exactQuantity(n, "size"), "x"), n);
      assert.equal(parseRate(exactQuantity(n, "rate"), "x"), n);
    }
  });
});
