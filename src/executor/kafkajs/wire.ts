/**
 * Kafka's wire primitives for the few requests kafkajs does not implement (or implements wrongly
 * for Ballast). Big-endian fixed-width integers, int16-length strings and int32-length arrays for
 * the classic versions; unsigned-varint "compact" strings and arrays plus tagged-field buffers for
 * the flexible ones (https://kafka.apache.org/protocol#protocol_types).
 *
 * A request is described by a `ProtocolRequest`: which API and version, how to write its body and
 * how to read its response body. `brokers.ts` frames it and sends it over a kafkajs connection.
 */

export interface ProtocolRequest<T> {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  /** Flexible versions carry tagged-field buffers in the request and response headers. */
  readonly flexible: boolean;
  /** Server-side timeout the request carries, if any; the client waits a little longer. */
  readonly timeoutMs?: number;
  encode(w: Writer): void;
  decode(r: Reader): T;
}

export class Writer {
  private buf: Buffer = Buffer.alloc(256);
  private offset = 0;

  /** The bytes written so far. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  private room(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  int8(v: number): this {
    this.room(1);
    this.offset = this.buf.writeInt8(v, this.offset);
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.offset = this.buf.writeInt16BE(v, this.offset);
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.offset = this.buf.writeInt32BE(v, this.offset);
    return this;
  }

  int64(v: number): this {
    this.room(8);
    this.offset = this.buf.writeBigInt64BE(BigInt(v), this.offset);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  uvarint(v: number): this {
    let rest = v >>> 0;
    while (rest >= 0x80) {
      this.raw(Buffer.of((rest & 0x7f) | 0x80));
      rest >>>= 7;
    }
    return this.raw(Buffer.of(rest));
  }

  private raw(bytes: Buffer): this {
    this.room(bytes.length);
    bytes.copy(this.buf, this.offset);
    this.offset += bytes.length;
    return this;
  }

  string(v: string): this {
    const bytes = Buffer.from(v, "utf8");
    return this.int16(bytes.length).raw(bytes);
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  compactString(v: string): this {
    const bytes = Buffer.from(v, "utf8");
    return this.uvarint(bytes.length + 1).raw(bytes);
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.uvarint(0) : this.compactString(v);
  }

  array<T>(items: readonly T[], item: (w: Writer, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, value: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item);
  }

  compactArray<T>(items: readonly T[], item: (w: Writer, value: T) => void): this {
    this.uvarint(items.length + 1);
    for (const value of items) item(this, value);
    return this;
  }

  compactNullableArray<T>(items: readonly T[] | null, item: (w: Writer, value: T) => void): this {
    return items === null ? this.uvarint(0) : this.compactArray(items, item);
  }

  /** An empty tagged-field buffer (Ballast sends no tagged fields). */
  noTags(): this {
    return this.uvarint(0);
  }
}

export class Reader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  int8(): number {
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** An int64 as a number: exact up to 2^53 (9 PB), which is plenty for sizes and lags. */
  int64(): number {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buf.readUInt8(this.offset);
      this.offset += 1;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new RangeError("malformed unsigned varint (more than 5 bytes)");
  }

  private take(n: number): Buffer {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new RangeError(`response truncated: wanted ${n} bytes at offset ${this.offset} of ${this.buf.length}`);
    }
    const bytes = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return bytes;
  }

  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.take(n).toString("utf8");
  }

  string(): string {
    return this.nullableString() ?? "";
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.take(n - 1).toString("utf8");
  }

  compactString(): string {
    return this.compactNullableString() ?? "";
  }

  /** An int32-length array; a null array (-1) reads as empty. */
  array<T>(item: (r: Reader) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** A compact (uvarint length + 1) array; a null array (0) reads as empty. */
  compactArray<T>(item: (r: Reader) => T): T[] {
    const n = this.uvarint() - 1;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** Skips a tagged-field buffer: a count, then per field a tag, a length and the bytes. */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }
}
