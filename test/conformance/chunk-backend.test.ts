// The ChunkBackend contract (store/backend.ts), run against every backend. A new backend joins
// by adding a harness to `harnesses`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import type { ChunkBackend, ChunkInfo } from '../../store/backend.js';
import { encodeChunk, verifyChunk, type VerifiedChunk } from '../../store/chunk-codec.js';
import { FsBackend } from '../../store/fs-backend.js';
import { encodeManifest } from '../../store/manifest.js';
import { MemoryBackend, type MemoryEntry } from '../../store/memory-backend.js';

interface Harness {
  backend: ChunkBackend;
  /** A second instance over the same storage, as another replica would see it. */
  reopen(): Promise<ChunkBackend>;
  /** Damages the stored bytes of a chunk behind the backend's back. */
  corrupt(id: string): Promise<void>;
  /** Makes a chunk look last written `ms` ago. */
  age(id: string, ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

const harnesses: Record<string, () => Promise<Harness>> = {
  memory: async () => {
    const entries = new Map<string, MemoryEntry>();
    const entry = (id: string): MemoryEntry => entries.get(id)!;
    return {
      backend: new MemoryBackend({ entries }),
      reopen: async () => new MemoryBackend({ entries }),
      corrupt: async (id) => {
        const { data } = entry(id);
        data[data.length - 1] = data[data.length - 1]! ^ 0xff;
      },
      age: async (id, ms) => { entry(id).touchedMs = Date.now() - ms; },
      cleanup: async () => {},
    };
  },
  fs: async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chunk-backend-'));
    const file = (id: string): string => path.join(dir, 'chunks', id.slice(0, 2), id);
    return {
      backend: await FsBackend.open(dir),
      reopen: () => FsBackend.open(dir),
      corrupt: async (id) => {
        const bytes = await fs.readFile(file(id));
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
        await fs.writeFile(file(id), bytes);
      },
      age: async (id, ms) => {
        const then = new Date(Date.now() - ms);
        await fs.utimes(file(id), then, then);
      },
      cleanup: () => fs.rm(dir, { recursive: true, force: true }),
    };
  },
};

const chunk = (raw: Buffer): VerifiedChunk => verifyChunk(encodeChunk(raw));
const hour = 3600_000;

async function listAll(backend: ChunkBackend): Promise<ChunkInfo[]> {
  const out: ChunkInfo[] = [];
  for await (const info of backend.list()) out.push(info);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

describe.each(Object.keys(harnesses))('ChunkBackend contract: %s', (name) => {
  let h: Harness;
  let backend: ChunkBackend;
  beforeEach(async () => {
    h = await harnesses[name]!();
    backend = h.backend;
  });
  afterEach(async () => {
    await backend.close();
    await h.cleanup();
  });

  it('stores a chunk once and returns it verified, to this and to another instance', async () => {
    const c = chunk(Buffer.from('metrics '.repeat(5000)));
    expect(await backend.put(c)).toBe('stored');
    expect(await backend.put(c)).toBe('present');
    const got = await backend.get(c.id);
    expect(got.raw.equals(c.raw)).toBe(true);
    expect(got).toMatchObject({ id: c.id, compressed: true, rawSize: 40_000, manifest: false });
    const other = await h.reopen();
    expect((await other.get(c.id)).raw.equals(c.raw)).toBe(true);
  });

  it('keeps raw chunks raw and empty chunks empty', async () => {
    const random = chunk(randomBytes(70_000));
    const empty = chunk(Buffer.alloc(0));
    await backend.put(random);
    await backend.put(empty);
    expect((await backend.get(random.id)).compressed).toBe(false);
    expect((await backend.get(empty.id)).raw.length).toBe(0);
  });

  it('reports missing ids in the order given', async () => {
    const [a, b, c] = [chunk(randomBytes(100)), chunk(randomBytes(100)), chunk(randomBytes(100))];
    await backend.put(b);
    expect(await backend.missing([c.id, b.id, a.id])).toEqual([c.id, a.id]);
    expect(await backend.missing([])).toEqual([]);
  });

  it('throws NOT_FOUND for an absent chunk', async () => {
    const err = await backend.get(chunk(randomBytes(10)).id).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('NOT_FOUND');
  });

  it('never returns corrupt bytes: CORRUPT, then the chunk counts as missing and a put replaces it', async () => {
    const c = chunk(randomBytes(50_000));
    await backend.put(c);
    await h.corrupt(c.id);
    const err = await backend.get(c.id).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('CORRUPT');
    expect(await backend.missing([c.id])).toEqual([c.id]);
    expect(await backend.put(c)).toBe('stored');
    expect((await backend.get(c.id)).raw.equals(c.raw)).toBe(true);
  });

  it('concurrent puts of one id all succeed and leave one copy', async () => {
    const c = chunk(randomBytes(200_000));
    const other = await h.reopen();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : backend).put(c)));
    expect(outcomes).toContain('stored');
    expect((await listAll(backend)).map((i) => i.id)).toEqual([c.id]);
    expect((await backend.get(c.id)).raw.equals(c.raw)).toBe(true);
  });

  it('an aborted put leaves nothing visible', async () => {
    const c = chunk(randomBytes(1000));
    const err = await backend.put(c, AbortSignal.abort()).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('CANCELLED');
    expect(await backend.missing([c.id])).toEqual([c.id]);
    expect(await listAll(backend)).toEqual([]);
  });

  it('lists every chunk once with its sizes and whether it is a manifest', async () => {
    const data = chunk(Buffer.from('x'.repeat(30_000)));
    const head = chunk(encodeManifest({ kind: 'blob', sizeBytes: 30_000, chunks: [{ id: data.id, sizeBytes: 30_000 }] }));
    await backend.put(data);
    await backend.put(head);
    const infos = await listAll(backend);
    expect(infos.map((i) => [i.id, i.rawBytes, i.manifest])).toEqual(
      [[data.id, 30_000, false], [head.id, head.rawSize, true]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // Stored bytes are what the backend holds: compressed data plus at most a small header.
    const stored = infos.find((i) => i.id === data.id)!.storedBytes;
    expect(stored).toBeGreaterThanOrEqual(data.data.length);
    expect(stored).toBeLessThan(data.data.length + 64);
  });

  it('missing and put of a held chunk refresh its age', async () => {
    const [a, b] = [chunk(randomBytes(100)), chunk(randomBytes(100))];
    await backend.put(a);
    await backend.put(b);
    await h.age(a.id, 2 * hour);
    await h.age(b.id, 2 * hour);
    const start = Date.now() - 1000;
    await backend.missing([a.id]);
    await backend.put(b);
    for (const info of await listAll(backend)) expect(info.touchedMs).toBeGreaterThanOrEqual(start);
  });

  it('delete removes a chunk only if it was not refreshed since the cutoff', async () => {
    const c = chunk(randomBytes(100));
    await backend.put(c);
    expect(await backend.delete(c.id, Date.now() - hour)).toBe(false);
    await h.age(c.id, 2 * hour);
    expect(await backend.delete(c.id, Date.now() - hour)).toBe(true);
    expect(await backend.delete(c.id, Date.now())).toBe(false);
    expect(await backend.missing([c.id])).toEqual([c.id]);
  });

  it('sweep leaves stored chunks alone, and close is idempotent', async () => {
    const c = chunk(randomBytes(100));
    await backend.put(c);
    expect(await backend.sweep(0)).toBeGreaterThanOrEqual(0);
    expect(await backend.missing([c.id])).toEqual([]);
    await Promise.all([backend.close(), backend.close()]);
  });
});
