/**
 * User values (inputs, params, items, results) are plain MessagePack: msgpackr with records
 * off, so any msgpack reader can decode them and encoded values can be spliced into arrays and
 * maps without decoding (a join's input is built from its parents' result bytes as they are).
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

export function encodeValue(value: unknown): Buffer {
  return packr.pack(value);
}

export function decodeValue(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  // Text decoding refuses views of shared memory (agents keep big inputs there): decode a copy.
  return packr.unpack(bytes.buffer instanceof SharedArrayBuffer ? bytes.slice() : bytes);
}

/**
 * `bytes` in memory of their own. Bytes decoded from a small gRPC message are a view into Node's
 * shared 8 KiB buffer pool, so keeping a 1-byte result kept the whole pool slab alive: 2.4 KB
 * of buffers per finished single-task run in the leader, measured in a heap snapshot.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** Encoded `nil`, used where a value is absent. */
export const encodedNil = Buffer.from([0xc0]);

/** The header of an encoded array of `n` items: their encodings follow it. */
export function arrayHeader(n: number): Buffer {
  return n < 16 ? Buffer.from([0x90 | n])
    : n < 0x10000 ? Buffer.from([0xdc, n >> 8, n & 0xff])
      : Buffer.from([0xdd, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** The header of an encoded map of `n` entries: each key's encoding and its value's follow it. */
export function mapHeader(n: number): Buffer {
  return n < 16 ? Buffer.from([0x80 | n])
    : n < 0x10000 ? Buffer.from([0xde, n >> 8, n & 0xff])
      : Buffer.from([0xdf, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** An encoded value, or nil for an absent one (empty bytes). */
export function orNil(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? encodedNil : bytes;
}

/** Splices already-encoded values into one encoded array. */
export function spliceArray(items: readonly Uint8Array[]): Buffer {
  return Buffer.concat([arrayHeader(items.length), ...items.map(orNil)]);
}

/** Splices already-encoded values into one encoded map keyed by the given strings. */
export function spliceMap(entries: readonly (readonly [string, Uint8Array])[]): Buffer {
  const parts: Uint8Array[] = [mapHeader(entries.length)];
  for (const [key, value] of entries) parts.push(packr.pack(key), orNil(value));
  return Buffer.concat(parts);
}
