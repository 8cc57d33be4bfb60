/**
 * A chunk on the wire and at rest: its id (lowercase hex sha256 of the uncompressed bytes), the
 * bytes as stored (an lz4 block, or raw when lz4 would not shrink them) and the raw size.
 * `verifyChunk` is the only way to get a VerifiedChunk, which is what backends accept.
 */
import { createHash } from 'node:crypto';
import { compressSync, uncompressSync } from 'lz4-napi';
import { ClusterError, invalid } from '../core/errors.js';
import { isManifestBytes } from './manifest.js';

export interface StoredChunk {
  id: string;
  data: Buffer;
  compressed: boolean;
  rawSize: number;
}

declare const verified: unique symbol;

/** A chunk whose bytes were checked against its id; `raw` is the uncompressed content. */
export interface VerifiedChunk extends StoredChunk {
  readonly raw: Buffer;
  /** Whether the content is an object manifest (the store counts objects by it). */
  readonly manifest: boolean;
  readonly [verified]: true;
}

/**
 * Largest raw chunk accepted: data chunks stay under 256 KiB, but a manifest of a ~100 GiB
 * object is ~50 MiB, and a chunk must fit one 64 MiB gRPC message.
 */
export const maxRawChunkBytes = 60 * 1024 * 1024;

const idPattern = /^[0-9a-f]{64}$/;

export function isChunkId(id: string): boolean {
  return idPattern.test(id);
}

export function assertChunkId(id: string, what = 'chunk id'): void {
  if (!isChunkId(id)) throw invalid(`${what}: expected 64 lowercase hex characters, got ${JSON.stringify(id.slice(0, 80))}`);
}

export function hashChunk(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

// lz4 spends ~5 ns/byte failing to compress random data against ~0.2 on text; compressing a
// 4 KiB probe first skips that for incompressible chunks (measured: bench/store.ts).
const probeBytes = 4096;
const probeMinGain = 0.97;

function worthCompressing(raw: Buffer): boolean {
  if (raw.length <= probeBytes * 4) return true;
  const probe = raw.subarray(0, probeBytes);
  return compressSync(probe).length < probe.length * probeMinGain;
}

/** Hashes and compresses raw bytes into the stored form. */
export function encodeChunk(raw: Buffer): StoredChunk {
  const id = hashChunk(raw);
  if (worthCompressing(raw)) {
    const packed = compressSync(raw);
    if (packed.length < raw.length) return { id, data: packed, compressed: true, rawSize: raw.length };
  }
  return { id, data: raw, compressed: false, rawSize: raw.length };
}

const corrupt = (id: string, why: string): ClusterError =>
  new ClusterError('CORRUPT', `chunk ${id}: ${why}; the bytes do not match the id, refused`);

/**
 * Checks a stored chunk against its id and returns it with its raw bytes. Throws
 * INVALID_ARGUMENT for a malformed id or size, CORRUPT when the bytes do not hash to the id.
 */
export function verifyChunk(chunk: StoredChunk): VerifiedChunk {
  const { id, data, compressed, rawSize } = chunk;
  assertChunkId(id);
  if (!Number.isInteger(rawSize) || rawSize < 0 || rawSize > maxRawChunkBytes) throw invalid(`chunk ${id}: raw size ${rawSize} out of range 0..${maxRawChunkBytes}`);
  let raw: Buffer;
  if (compressed) {
    // lz4-napi's block starts with the raw size (u32 LE) and allocates that much: check it
    // first, so a bad header cannot make us allocate gigabytes.
    if (data.length < 4 || data.readUInt32LE(0) !== rawSize) throw corrupt(id, 'lz4 header does not match the raw size');
    try {
      raw = uncompressSync(data);
    } catch (err) {
      throw corrupt(id, `lz4 block does not decode (${(err as Error).message})`);
    }
  } else {
    raw = data;
  }
  if (raw.length !== rawSize) throw corrupt(id, `${raw.length} bytes where ${rawSize} were declared`);
  if (hashChunk(raw) !== id) throw corrupt(id, 'sha256 mismatch');
  return { id, data, compressed, rawSize, raw, manifest: isManifestBytes(raw) } as VerifiedChunk;
}
