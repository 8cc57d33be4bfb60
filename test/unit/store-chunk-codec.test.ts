import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { encodeChunk, verifyChunk, type StoredChunk } from '../../store/chunk-codec.js';
import { decodeManifest, encodeManifest, isManifestBytes, type Manifest } from '../../store/manifest.js';

const text = Buffer.from('epoch=1 loss=0.31 acc=0.88\n'.repeat(3000));
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'none';
  } catch (err) {
    return errorCode(err);
  }
};

describe('chunk codec', () => {
  it('ids a chunk by the sha256 of its uncompressed bytes', () => {
    expect(encodeChunk(Buffer.from('abc')).id).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    ['compressible text', text, true],
    ['random bytes', randomBytes(100_000), false],
    ['a small random chunk (no probe, lz4 tried and refused)', randomBytes(3000), false],
    ['nothing', Buffer.alloc(0), false],
  ])('round-trips %s, compressed only when lz4 shrinks it', (_name, raw, compressed) => {
    const stored = encodeChunk(raw);
    expect(stored.compressed).toBe(compressed);
    if (compressed) expect(stored.data.length).toBeLessThan(raw.length / 10);
    const v = verifyChunk(stored);
    expect(v.raw.equals(raw)).toBe(true);
    expect(v.manifest).toBe(false);
  });

  const good = encodeChunk(text);
  const flip = (b: Buffer, at: number): Buffer => { const c = Buffer.from(b); c[at] = c[at]! ^ 0xff; return c; };
  it.each<[string, StoredChunk, string]>([
    ['a flipped byte in the lz4 block', { ...good, data: flip(good.data, good.data.length - 3) }, 'CORRUPT'],
    ['a truncated lz4 block', { ...good, data: good.data.subarray(0, good.data.length - 8) }, 'CORRUPT'],
    ['an lz4 header claiming 4 GiB', { ...good, data: Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), good.data.subarray(4)]) }, 'CORRUPT'],
    ['a raw size that disagrees', { ...good, rawSize: good.rawSize - 1 }, 'CORRUPT'],
    ['raw bytes under another id', { ...encodeChunk(randomBytes(500)), id: good.id }, 'CORRUPT'],
    ['raw bytes cut short', { ...encodeChunk(randomBytes(500)), data: randomBytes(400) }, 'CORRUPT'],
    ['an uppercase id', { ...good, id: good.id.toUpperCase() }, 'INVALID_ARGUMENT'],
    ['a short id', { ...good, id: good.id.slice(0, 40) }, 'INVALID_ARGUMENT'],
    ['a negative raw size', { ...good, rawSize: -1 }, 'INVALID_ARGUMENT'],
    ['a raw size over the limit', { ...good, rawSize: 2 ** 31 }, 'INVALID_ARGUMENT'],
  ])('refuses %s', (_name, chunk, code) => {
    expect(codeOf(() => verifyChunk(chunk))).toBe(code);
  });
});

describe('manifest', () => {
  const manifest: Manifest = {
    kind: 'tar',
    sizeBytes: 70_000,
    chunks: [{ id: encodeChunk(Buffer.from('a')).id, sizeBytes: 50_000 }, { id: encodeChunk(Buffer.from('b')).id, sizeBytes: 20_000 }],
  };

  it('round-trips and is recognised as a manifest once stored', () => {
    const bytes = encodeManifest(manifest);
    expect(decodeManifest(bytes)).toEqual(manifest);
    expect(isManifestBytes(bytes)).toBe(true);
    expect(verifyChunk(encodeChunk(bytes)).manifest).toBe(true);
  });

  it('stays compact: 32 bytes of id per chunk plus its size', () => {
    const big: Manifest = { kind: 'blob', sizeBytes: 10_000 * 65536, chunks: Array.from({ length: 10_000 }, (_, i) => ({ id: encodeChunk(Buffer.from(String(i))).id, sizeBytes: 65536 })) };
    // 10 000 × (32 id + 5 msgpack uint32) ≈ 370 kB.
    expect(encodeManifest(big).length).toBeLessThan(10_000 * 38);
    expect(decodeManifest(encodeManifest(big))).toEqual(big);
  });

  it.each<[string, Buffer]>([
    ['data without the magic', Buffer.from('hello world')],
    ['the magic followed by something else', Buffer.concat([encodeManifest(manifest).subarray(0, 4), Buffer.from('{"nonsense":true}')])],
    ['sizes that do not add up', encodeManifest({ ...manifest, sizeBytes: 69_999 })],
    ['an unknown kind', encodeManifest({ ...manifest, kind: 'zip' as never })],
    ['a zero-size chunk', encodeManifest({ ...manifest, chunks: [{ ...manifest.chunks[0]!, sizeBytes: 0 }, { ...manifest.chunks[1]!, sizeBytes: 70_000 }] })],
  ])('refuses %s as CORRUPT and does not count it as a manifest', (_name, bytes) => {
    expect(codeOf(() => decodeManifest(bytes, 'x'))).toBe('CORRUPT');
    expect(isManifestBytes(bytes)).toBe(false);
  });
});
