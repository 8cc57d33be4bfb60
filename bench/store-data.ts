/**
 * Data for the store benchmark: a mixed corpus (text, random, repeated) and a series of model
 * "checkpoints" each differing from the previous in 1% of its bytes. Deterministic from a seed,
 * so runs compare.
 */
import { createCipheriv } from 'node:crypto';
import { seededRandom } from './seeded-random.js';

/** Fast seeded pseudo-random bytes: AES-CTR over zeros (~1 GB/s, far faster than a JS PRNG). */
export function seededBytes(sizeBytes: number, seed: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32LE(seed >>> 0, 0);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(sizeBytes));
}

/** Log-like text: lz4 shrinks it 3-5x, and no two lines are equal. */
function textSegment(sizeBytes: number, rand: () => number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < sizeBytes; i++) {
    const line = `${new Date(1_700_000_000_000 + i * 1000).toISOString()} step=${i} loss=${rand().toFixed(6)} lr=${(rand() / 100).toExponential(3)} worker=w${Math.floor(rand() * 64)}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, sizeBytes);
}

const segmentBytes = 8 * 1024 * 1024;

/**
 * `sizeBytes` of 8 MiB segments cycling text, random, repeated: the repeated segments are one
 * 8 MiB block each time, so they dedup within the corpus as a directory of copies would.
 */
export function mixedCorpus(sizeBytes: number, seed = 1): Buffer {
  const rand = seededRandom(seed);
  const repeated = seededBytes(segmentBytes, seed + 1000);
  const out = Buffer.allocUnsafe(sizeBytes);
  for (let at = 0, i = 0; at < sizeBytes; at += segmentBytes, i++) {
    const n = Math.min(segmentBytes, sizeBytes - at);
    const segment = i % 3 === 0 ? textSegment(n, rand) : i % 3 === 1 ? seededBytes(n, seed + i) : repeated.subarray(0, n);
    segment.copy(out, at);
  }
  return out;
}

/** `bytes` as a stream of `blockBytes` views, as a file read would deliver it. */
export async function* blocksOf(bytes: Buffer, blockBytes = 1024 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += blockBytes) yield bytes.subarray(at, Math.min(at + blockBytes, bytes.length));
}

export interface CheckpointOptions {
  count: number;
  sizeBytes: number;
  /** Share of bytes that differ from the previous checkpoint. */
  changedShare: number;
  /** Length of each edited run: a changed tensor slice, not scattered single bytes (see store.ts). */
  editRunBytes: number;
  seed?: number;
}

/** Checkpoints as a generator: each one is the previous with ~changedShare of bytes rewritten at random places. */
export function* checkpoints(opts: CheckpointOptions): Generator<Buffer> {
  const rand = seededRandom(opts.seed ?? 7);
  let current = seededBytes(opts.sizeBytes, opts.seed ?? 7);
  yield current;
  const runs = Math.max(1, Math.round((opts.sizeBytes * opts.changedShare) / opts.editRunBytes));
  for (let i = 1; i < opts.count; i++) {
    current = Buffer.from(current);
    for (let r = 0; r < runs; r++) {
      const at = Math.floor(rand() * (opts.sizeBytes - opts.editRunBytes));
      seededBytes(opts.editRunBytes, i * 100_003 + r).copy(current, at);
    }
    yield current;
  }
}
