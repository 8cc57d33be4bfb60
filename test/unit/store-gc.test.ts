// Garbage collection, statistics and verification over the memory backend, where a test sets
// every chunk's age directly.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeChunk, verifyChunk } from '../../store/chunk-codec.js';
import { collectGarbage, storeStats, verifyStore } from '../../store/gc.js';
import type { ObjectKind } from '../../store/manifest.js';
import { MemoryBackend, type MemoryEntry } from '../../store/memory-backend.js';
import { uploadObject, type UploadTransport } from '../../store/uploader.js';

const hour = 3600_000;
let entries: Map<string, MemoryEntry>;
let backend: MemoryBackend;

/** Uploads straight into the backend, the way the service would. */
const direct = (): UploadTransport => ({
  missing: (ids) => backend.missing(ids),
  put: async (chunks) => { for (const c of chunks) await backend.put(verifyChunk(c)); },
});

async function put(bytes: Buffer, kind: ObjectKind = 'blob'): Promise<{ id: string; chunkIds: string[] }> {
  const r = await uploadObject([bytes], kind, direct());
  return { id: r.objectId, chunkIds: [r.objectId, ...r.manifest.chunks.map((c) => c.id)] };
}

const ageAll = (ms: number): void => entries.forEach((e) => { e.touchedMs = Date.now() - ms; });

beforeEach(() => {
  entries = new Map();
  backend = new MemoryBackend({ entries });
});

describe('garbage collection', () => {
  it('removes what no root reaches once older than the grace, keeps roots and their chunks', async () => {
    const kept = await put(randomBytes(600_000));
    const dropped = await put(randomBytes(600_000));
    ageAll(2 * hour);
    const r = await collectGarbage(backend, { roots: async () => [kept.id], graceMs: hour });
    expect(r).toMatchObject({ removedChunks: dropped.chunkIds.length, keptChunks: kept.chunkIds.length, missingRoots: [] });
    expect(await backend.missing(kept.chunkIds)).toEqual([]);
    expect(await backend.missing(dropped.chunkIds)).toEqual(dropped.chunkIds);
  });

  it('keeps unreachable chunks younger than the grace: an upload in progress', async () => {
    const done = await put(randomBytes(300_000));
    ageAll(2 * hour);
    // Chunks of an upload whose manifest has not arrived yet: written a minute ago.
    const inProgress = [verifyChunk(encodeChunk(randomBytes(70_000))), verifyChunk(encodeChunk(randomBytes(70_000)))];
    for (const c of inProgress) await backend.put(c);
    entries.forEach((e, id) => { if (inProgress.some((c) => c.id === id)) e.touchedMs = Date.now() - 60_000; });
    const r = await collectGarbage(backend, { roots: async () => [], graceMs: hour });
    expect(r.removedChunks).toBe(done.chunkIds.length);
    expect(await backend.missing(inProgress.map((c) => c.id))).toEqual([]);
  });

  it('keeps an old chunk a client was just told is held (missing refreshes it)', async () => {
    const old = await put(randomBytes(300_000));
    ageAll(2 * hour);
    await backend.missing(old.chunkIds.slice(1)); // a new upload found the data chunks present
    const r = await collectGarbage(backend, { roots: async () => [], graceMs: hour });
    expect(r.removedChunks).toBe(1); // only the old manifest
    expect(await backend.missing(old.chunkIds.slice(1))).toEqual([]);
  });

  it('dry run counts and removes nothing; missing roots are reported, not fatal', async () => {
    const a = await put(randomBytes(200_000));
    ageAll(2 * hour);
    const ghost = encodeChunk(Buffer.from('never stored')).id;
    const r = await collectGarbage(backend, { roots: async () => [ghost], graceMs: hour, dryRun: true });
    expect(r).toMatchObject({ removedChunks: a.chunkIds.length, keptChunks: 0, missingRoots: [ghost] });
    expect(entries.size).toBe(a.chunkIds.length);
  });

  it('stops without removing anything when a root is corrupt', async () => {
    const a = await put(randomBytes(200_000));
    const b = await put(randomBytes(200_000));
    ageAll(2 * hour);
    const head = entries.get(a.id)!.data;
    head[10] = head[10]! ^ 0xff;
    await expect(collectGarbage(backend, { roots: async () => [a.id], graceMs: hour })).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(await backend.missing(b.chunkIds)).toEqual([]);
  });

  it('refuses a root that is not an id', async () => {
    await expect(collectGarbage(backend, { roots: async () => ['../etc/passwd'], graceMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('store statistics and verification', () => {
  it('counts objects, chunks, logical and stored bytes; dedup shows in the ratio', async () => {
    const data = randomBytes(1024 * 1024);
    await put(data);
    await put(data); // same object: nothing new
    await put(Buffer.concat([data, Buffer.from('tail')]), 'blob'); // shares all but the last chunk
    const s = await storeStats(backend);
    expect(s.objects).toBe(2);
    expect(s.logicalBytes).toBe(2 * data.length + 4);
    // Random data does not compress: stored ≈ one copy plus two manifests and a changed last chunk.
    expect(s.storedBytes).toBeGreaterThan(data.length);
    expect(s.storedBytes).toBeLessThan(data.length + 300 * 1024);
    expect(s.dedupRatio).toBeCloseTo(s.logicalBytes / s.storedBytes, 10);
    expect(s.dedupRatio).toBeGreaterThan(1.7);
  });

  it('an empty store has ratio 1', async () => {
    expect(await storeStats(backend)).toEqual({ objects: 0, chunks: 0, logicalBytes: 0, storedBytes: 0, dedupRatio: 1 });
  });

  it('verify finds and sets aside corrupt chunks', async () => {
    const a = await put(Buffer.from('x'.repeat(100_000)));
    const victim = a.chunkIds[1]!;
    const bytes = entries.get(victim)!.data;
    bytes[5] = bytes[5]! ^ 0xff;
    expect(await verifyStore(backend)).toEqual({ checked: a.chunkIds.length, corrupt: [victim] });
    expect(await backend.missing([victim])).toEqual([victim]);
  });
});
