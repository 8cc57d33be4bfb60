import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chunker, chunkBuffer, chunkStream, defaultChunkSizes } from '../../store/chunker.js';

const { minBytes, avgBytes, maxBytes } = defaultChunkSizes;

/** Deterministic pseudo-random bytes (xorshift32), so boundaries can be pinned. */
function seeded(sizeBytes: number, seed: number): Buffer {
  const out = Buffer.alloc(sizeBytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < sizeBytes; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sizesOf = (chunks: Buffer[]): number[] => chunks.map((c) => c.length);
const idsOf = (chunks: Buffer[]): string[] => chunks.map((c) => createHash('sha256').update(c).digest('hex'));

describe('chunker', () => {
  const data = seeded(16 * 1024 * 1024, 42);
  const chunks = chunkBuffer(data);

  it('cuts every chunk but the last within [min, max], and loses no byte', () => {
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(minBytes);
      expect(c.length).toBeLessThanOrEqual(maxBytes);
    }
    expect(chunks.at(-1)!.length).toBeLessThanOrEqual(maxBytes);
  });

  it('averages near the normal size on random data (normalised chunking: avg + a quarter)', () => {
    // 16 MiB over ~73 KiB chunks ≈ 224; allow ±15%.
    const mean = data.length / chunks.length;
    expect(mean).toBeGreaterThan(avgBytes * 0.95);
    expect(mean).toBeLessThan(avgBytes * 1.35);
  });

  it('keeps its boundaries forever: changing them would end dedup with stored data', () => {
    const digest = createHash('sha256').update(sizesOf(chunks).join(',')).digest('hex').slice(0, 16);
    expect({ count: chunks.length, digest }).toMatchInlineSnapshot(`
      {
        "count": 230,
        "digest": "4f11c5cbf2ff5526",
      }
    `);
  });

  it.each([
    ['8 bytes inserted', (b: Buffer, at: number) => Buffer.concat([b.subarray(0, at), Buffer.from('inserted'), b.subarray(at)])],
    ['100 bytes deleted', (b: Buffer, at: number) => Buffer.concat([b.subarray(0, at), b.subarray(at + 100)])],
    ['one byte changed', (b: Buffer, at: number) => { const c = Buffer.from(b); c[at] = c[at]! ^ 1; return c; }],
  ])('an edit near the start (%s) changes only the chunks around it', (_name, edit) => {
    const edited = chunkBuffer(edit(data, 5000));
    const before = new Set(idsOf(chunks));
    const changed = idsOf(edited).filter((id) => !before.has(id));
    // The chunk holding the edit, and at most one after it while the cut resynchronises.
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.length).toBeLessThanOrEqual(2);
    const tail = Math.min(chunks.length, edited.length) - 3;
    expect(idsOf(edited).slice(-tail)).toEqual(idsOf(chunks).slice(-tail));
  });

  it('cuts a stream identically however it is split into blocks', () => {
    const sample = data.subarray(0, 3 * 1024 * 1024);
    const expected = sizesOf(chunkBuffer(sample));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 40 }), (cuts) => {
        const chunker = new Chunker();
        const got: number[] = [];
        let at = 0;
        for (let i = 0; at < sample.length; i++) {
          const end = Math.min(sample.length, at + cuts[i % cuts.length]!);
          got.push(...sizesOf(chunker.push(sample.subarray(at, end))));
          at = end;
        }
        got.push(...sizesOf(chunker.flush()));
        expect(got).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('chunks an async stream and the empty stream', async () => {
    async function* blocks() {
      for (let at = 0; at < 1024 * 1024; at += 10_000) yield data.subarray(at, Math.min(at + 10_000, 1024 * 1024));
    }
    const streamed: Buffer[] = [];
    for await (const c of chunkStream(blocks())) streamed.push(c);
    expect(sizesOf(streamed)).toEqual(sizesOf(chunkBuffer(data.subarray(0, 1024 * 1024))));
    expect(chunkBuffer(Buffer.alloc(0))).toEqual([]);
  });

  it('cuts data with no content boundaries (all zeros) at max', () => {
    expect(sizesOf(chunkBuffer(Buffer.alloc(3 * maxBytes + 5)))).toEqual([maxBytes, maxBytes, maxBytes, 5]);
  });

  it.each([
    [{ minBytes: 1000, avgBytes: 3000, maxBytes: 9000 }, /power of two/],
    [{ minBytes: 8192, avgBytes: 4096, maxBytes: 16384 }, /minBytes < avgBytes/],
    [{ minBytes: 1024, avgBytes: 4096, maxBytes: 4096 }, /avgBytes < maxBytes/],
  ])('refuses sizes %j', (sizes, message) => {
    expect(() => new Chunker(sizes)).toThrow(message);
  });
});
