/**
 * Golden bytes, without a broker, for every request Ballast encodes and every response it decodes
 * (wire.ts and the protocol files beside it), written out field by field from Kafka's protocol guide
 * (https://kafka.apache.org/protocol). A change to an encoder that Kafka would read differently shows
 * here rather than only against a live cluster.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AssignerProtocol } from "kafkajs";
import { framed } from "../../../src/executor/kafkajs/brokers.js";
import { describeLogDirsRequest } from "../../../src/executor/kafkajs/describe-log-dirs.js";
import { electLeadersRequest } from "../../../src/executor/kafkajs/elect-leaders.js";
import { incrementalAlterConfigsRequest, RESOURCE_BROKER, RESOURCE_TOPIC } from "../../../src/executor/kafkajs/incremental-alter-configs.js";
import { decodeClaim, encodeClaim } from "../../../src/executor/kafkajs/lock.js";
import { metadataRequest } from "../../../src/executor/kafkajs/metadata.js";
import { alterPartitionReassignmentsRequest, listPartitionReassignmentsRequest } from "../../../src/executor/kafkajs/reassignments.js";
import { Reader, Writer, type ProtocolRequest } from "../../../src/executor/kafkajs/wire.js";

/** Bytes from hex written in groups, one field a group (spaces and `|` are separators). */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/[\s|]/g, ""), "hex");
}

function encoded<T>(req: ProtocolRequest<T>): string {
  const w = new Writer();
  req.encode(w);
  return w.bytes().toString("hex");
}

/** Decodes `bytes` and checks every byte was read (a decoder that stops short misreads what follows). */
function decoded<T>(req: ProtocolRequest<T>, bytes: Buffer): T {
  const r = new Reader(bytes);
  const out = req.decode(r);
  assert.throws(() => r.int8(), RangeError, "the decoder left bytes unread");
  return out;
}

describe("wire primitives", () => {
  it("writes big-endian integers, int16-length strings and int32-length arrays", () => {
    const w = new Writer().int8(-1).int16(258).int32(-2).bool(true).string("ab").nullableString(null).array([7], (w, v) => w.int32(v)).nullableArray(null, () => undefined);
    assert.equal(w.bytes().toString("hex"), hex("ff | 0102 | fffffffe | 01 | 0002 6162 | ffff | 00000001 00000007 | ffffffff").toString("hex"));
  });

  it("writes unsigned varints, compact strings and arrays (length + 1, 0 for null) and empty tags", () => {
    const w = new Writer().uvarint(0).uvarint(127).uvarint(128).uvarint(300).uvarint(2 ** 32 - 1);
    assert.equal(w.bytes().toString("hex"), hex("00 | 7f | 8001 | ac02 | ffffffff0f").toString("hex"));
    const c = new Writer().compactString("é").compactNullableString(null).compactArray([1], (w, v) => w.int8(v)).compactNullableArray(null, () => undefined).noTags();
    assert.equal(c.bytes().toString("hex"), hex("03 c3a9 | 00 | 02 01 | 00 | 00").toString("hex"));
  });

  it("reads what it writes, int64 included, and skips tagged fields", () => {
    const r = new Reader(hex("ac02 | 0000000100000000 | 03 c3a9 | 00 | 02 | 05 02 abcd | 07 00 | 01"));
    assert.equal(r.uvarint(), 300);
    assert.equal(r.int64(), 2 ** 32);
    assert.equal(r.compactString(), "é");
    assert.equal(r.compactNullableString(), null);
    r.skipTags(); // two fields: tag 5 with two bytes, tag 7 with none
    assert.equal(r.bool(), true);
  });

  it("refuses a truncated string and an over-long varint", () => {
    assert.throws(() => new Reader(hex("0005 6162")).string(), /response truncated: wanted 5 bytes at offset 2 of 4/);
    assert.throws(() => new Reader(hex("ffffffffff01")).uvarint(), /malformed unsigned varint/);
  });
});

describe("Metadata v5", () => {
  it("asks for named topics, or every topic with a null array, never creating one", () => {
    assert.equal(encoded(metadataRequest(["ab"])), hex("00000001 0002 6162 | 00").toString("hex"));
    assert.equal(encoded(metadataRequest(null)), hex("ffffffff | 00").toString("hex"));
  });

  it("reads brokers, cluster, controller and partitions with their errors as data", () => {
    const bytes = hex(
      "00000000" + // throttle
        "| 00000001 | 00000001 0001 68 00002384 ffff" + // one broker: id 1, host "h", port 9092, rack null
        "| 0001 63 | 00000001" + // cluster id "c", controller 1
        "| 00000001 | 0000 0001 74 00" + // one topic: no error, "t", not internal
        "| 00000001 | 0005 00000000 ffffffff" + // one partition: LEADER_NOT_AVAILABLE, index 0, leader -1
        "| 00000002 00000001 00000002 | 00000000 | 00000001 00000002", // replicas [1,2], isr [], offline [2]
    );
    assert.deepEqual(decoded(metadataRequest(null), bytes), {
      brokers: [{ nodeId: 1, host: "h", port: 9092, rack: null }],
      clusterId: "c",
      controllerId: 1,
      topics: [{ errorCode: 0, name: "t", internal: false, partitions: [{ errorCode: 5, partition: 0, leader: -1, replicas: [1, 2], isr: [], offline: [2] }] }],
    });
  });
});

describe("DescribeLogDirs v1", () => {
  it("asks for every replica with a null topic array", () => {
    assert.equal(encoded(describeLogDirsRequest()), "ffffffff");
  });

  it("reads each directory's replicas with sizes beyond 32 bits", () => {
    const bytes = hex("00000000 | 00000001 | 0000 0002 2f64 | 00000001 | 0001 74 | 00000001 | 00000003 0000000100000000 0000000000000007 01");
    assert.deepEqual(decoded(describeLogDirsRequest(), bytes), [
      { errorCode: 0, logDir: "/d", topics: [{ name: "t", partitions: [{ partition: 3, size: 2 ** 32, offsetLag: 7, isFuture: true }] }] },
    ]);
  });
});

describe("ElectLeaders v1", () => {
  it("asks for a preferred election of the named partitions with its timeout", () => {
    const req = electLeadersRequest([{ topic: "t", partitions: [0, 1] }], 30_000);
    assert.equal(encoded(req), hex("00 | 00000001 0001 74 00000002 00000000 00000001 | 00007530").toString("hex"));
    assert.equal(req.timeoutMs, 30_000);
  });

  it("reads per-partition results, flattened, with their messages", () => {
    const bytes = hex("00000000 | 0000 | 00000001 | 0001 74 | 00000002 | 00000000 0000 ffff | 00000001 0054 0002 6e6f");
    assert.deepEqual(decoded(electLeadersRequest([], 1), bytes), {
      errorCode: 0,
      results: [
        { topic: "t", partition: 0, errorCode: 0, errorMessage: null },
        { topic: "t", partition: 1, errorCode: 84, errorMessage: "no" },
      ],
    });
  });
});

describe("IncrementalAlterConfigs v0", () => {
  it("writes each operation's code, a null value for a delete, and validate_only", () => {
    const req = incrementalAlterConfigsRequest([
      {
        resourceType: RESOURCE_TOPIC,
        resourceName: "t",
        ops: [
          { op: "set", name: "a", value: "1" },
          { op: "delete", name: "b" },
          { op: "append", name: "c", value: "2" },
          { op: "subtract", name: "d", value: "3" },
        ],
      },
      { resourceType: RESOURCE_BROKER, resourceName: "1", ops: [] },
    ]);
    const want = "00000002 | 02 0001 74 00000004 | 0001 61 00 0001 31 | 0001 62 01 ffff | 0001 63 02 0001 32 | 0001 64 03 0001 33 | 04 0001 31 00000000 | 00";
    assert.equal(encoded(req), hex(want).toString("hex"));
    assert.ok(encoded(incrementalAlterConfigsRequest([], true)).endsWith("01"));
  });

  it("reads per-resource errors", () => {
    const bytes = hex("00000000 | 00000002 | 0000 ffff 02 0001 74 | 0029 0003 626164 04 0001 31");
    assert.deepEqual(decoded(incrementalAlterConfigsRequest([]), bytes), [
      { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "t" },
      { errorCode: 41, errorMessage: "bad", resourceType: 4, resourceName: "1" },
    ]);
  });
});

describe("AlterPartitionReassignments v0 (flexible)", () => {
  it("groups partitions by topic in first-seen order, a null replica list cancelling", () => {
    const req = alterPartitionReassignmentsRequest(
      [
        { topic: "t", partition: 0, replicas: [1, 2] },
        { topic: "u", partition: 0, replicas: [3] },
        { topic: "t", partition: 1, replicas: null },
      ],
      30_000,
    );
    const want = `00007530 | 03
      02 74 | 03 | 00000000 03 00000001 00000002 00 | 00000001 00 00 | 00
      02 75 | 02 | 00000000 02 00000003 00 | 00
      00`;
    assert.equal(encoded(req), hex(want).toString("hex"));
  });

  it("reads the top-level error and per-partition errors past every struct's tags", () => {
    const bytes = hex("00000000 | 0000 | 00 | 02 | 02 74 | 02 | 00000001 0055 03 6e6f 00 | 00 | 00");
    assert.deepEqual(decoded(alterPartitionReassignmentsRequest([], 1), bytes), {
      errorCode: 0,
      errorMessage: null,
      items: [{ topic: "t", partition: 1, errorCode: 85, errorMessage: "no" }],
    });
  });
});

describe("ListPartitionReassignments v0 (flexible)", () => {
  it("asks for every ongoing reassignment with a null topic array", () => {
    assert.equal(encoded(listPartitionReassignmentsRequest(30_000)), hex("00007530 | 00 | 00").toString("hex"));
  });

  it("reads each partition's replicas, adding and removing", () => {
    const bytes = hex("00000000 | 0000 | 00 | 02 | 02 74 | 02 | 00000000 04 00000001 00000002 00000003 02 00000003 01 00 | 00 | 00");
    assert.deepEqual(decoded(listPartitionReassignmentsRequest(1), bytes), {
      errorCode: 0,
      errorMessage: null,
      items: [{ topic: "t", partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [] }],
    });
  });
});

describe("framing over kafkajs's connection", () => {
  it("puts the request header's empty tags before a flexible body and none before a classic one", async () => {
    const flexible = await framed(listPartitionReassignmentsRequest(30_000)).request.encode();
    assert.equal(flexible.buf.toString("hex"), hex("00 | 00007530 00 00").toString("hex"));
    const classic = await framed(metadataRequest([])).request.encode();
    assert.equal(classic.buf.toString("hex"), hex("00000000 | 00").toString("hex"));
  });

  it("skips the response header's tags of a flexible reply, and waits 5 s past the server's timeout", async () => {
    const req = framed(listPartitionReassignmentsRequest(30_000));
    const reply = await req.response.decode(hex("01 00 01 ff | 00000000 0000 00 01 00"));
    assert.deepEqual(reply, { errorCode: 0, errorMessage: null, items: [] });
    assert.equal(req.requestTimeout, 35_000);
    assert.equal(framed(metadataRequest([])).requestTimeout, undefined);
  });
});

describe("the lock's group metadata", () => {
  it("carries the claim as JSON user data in kafkajs's member metadata v1", () => {
    const claim = encodeClaim({ holds: true, owner: "a" });
    assert.equal(claim.toString("utf8"), '{"holds":true,"owner":"a"}');
    const metadata = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ["t"], userData: claim });
    assert.equal(metadata.toString("hex"), hex(`0001 | 00000001 0001 74 | 0000001a ${claim.toString("hex")}`).toString("hex"));
    assert.deepEqual(decodeClaim(AssignerProtocol.MemberMetadata.decode(metadata)?.userData), { holds: true, owner: "a" });
  });

  it("reads a claim it cannot parse as none", () => {
    assert.equal(decodeClaim(undefined), null);
    assert.equal(decodeClaim(Buffer.from("{", "utf8")), null);
    assert.equal(decodeClaim(Buffer.from('{"holds":1,"owner":"a"}', "utf8")), null);
  });
});
