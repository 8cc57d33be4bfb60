// The chunk store through its real gRPC service on loopback: an fs backend in a temp directory,
// StoreClient on one side, raw gRPC calls where a test has to misbehave like a broken client.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { channelOptions, proto } from '../../proto/load.js';
import { fromServiceError } from '../../proto/status.js';
import type { ChunkStoreClient } from '../../proto/types.js';
import type { PutChunk } from '../../proto/generated/clusterd/v1/PutChunk.js';
import { encodeChunk } from '../../store/chunk-codec.js';
import { StoreClient } from '../../store/client.js';
import { FsBackend } from '../../store/fs-backend.js';
import { encodeManifest } from '../../store/manifest.js';
import { startStoreServer, type StandaloneServer } from '../../store/standalone-server.js';

let dir: string;
let server: StandaloneServer;
let client: StoreClient;
let roots: string[];

/** Text, random and repeated thirds, so some chunks compress, some do not, some repeat. */
function mixed(sizeBytes: number): Buffer {
  const third = Math.floor(sizeBytes / 3);
  const text = Buffer.from('step train finished: loss=0.0213 acc=0.981 epoch=3\n'.repeat(Math.ceil(third / 50))).subarray(0, third);
  const repeated = Buffer.concat(Array.from({ length: Math.ceil(third / 4096) }, () => randomBytes(4096).fill(7, 0, 2048))).subarray(0, third);
  return Buffer.concat([text, randomBytes(sizeBytes - 2 * third), repeated]);
}

async function chunkFiles(): Promise<string[]> {
  const fans = await fs.readdir(path.join(dir, 'chunks'));
  return (await Promise.all(fans.map((f) => fs.readdir(path.join(dir, 'chunks', f))))).flat();
}

/** A raw Put of hand-made messages; resolves with the error it got (or undefined on success). */
function rawPut(messages: PutChunk[]): Promise<Error | undefined> {
  const raw = new proto.ChunkStore(server.addr, grpc.credentials.createInsecure(), channelOptions) as ChunkStoreClient;
  return new Promise((resolve) => {
    const call = raw.Put((err) => {
      raw.close();
      resolve(err ? fromServiceError(err) : undefined);
    });
    for (const m of messages) call.write(m);
    call.end();
  });
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'store-grpc-'));
  roots = [];
  server = await startStoreServer({ backend: await FsBackend.open(dir), roots: async () => roots, gcGraceMs: 0 });
  client = new StoreClient(server.addr);
});

afterEach(async () => {
  await client.close();
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('chunk store over gRPC', () => {
  it('stores an object and reads back the same bytes, whole and streamed', async () => {
    const data = mixed(6 * 1024 * 1024);
    const id = await client.putObject(data, 'blob');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await client.getObject(id)).equals(data)).toBe(true);
    const parts: Buffer[] = [];
    for await (const part of client.getObjectStream(id)) parts.push(part);
    expect(parts.length).toBeGreaterThan(10);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(await client.stat(id)).toEqual({ objectId: id, sizeBytes: data.length, chunks: parts.length, kind: 'blob' });
  });

  it('stores values and empty objects', async () => {
    const value = { lr: 0.01, scores: [0.9, 0.95], name: 'sweep', nested: { ok: true } };
    expect(await client.getValue(await client.putValue(value))).toEqual(value);
    const empty = await client.putObject(Buffer.alloc(0), 'blob');
    expect((await client.getObject(empty)).length).toBe(0);
  });

  it('uploads a file as a stream', async () => {
    const file = path.join(dir, 'input.bin');
    const data = mixed(3 * 1024 * 1024);
    await fs.writeFile(file, data);
    const id = await client.putFile(file, 'blob');
    expect(id).toBe(await client.putObject(data, 'blob'));
  });

  it('deduplicates: the same bytes twice add nothing, a small edit adds a few chunks', async () => {
    const data = mixed(8 * 1024 * 1024);
    const first = await client.putObject(data, 'blob');
    const before = await client.stats();
    expect(await client.putObject(data, 'blob')).toBe(first);
    expect(await client.stats()).toEqual(before);

    const edited = Buffer.concat([data.subarray(0, 1_000_000), Buffer.from('inserted'), data.subarray(1_000_000)]);
    await client.putObject(edited, 'blob');
    const after = await client.stats();
    // One manifest plus the chunk(s) around the edit: at most 3 new chunks of 256 KiB max.
    expect(after.chunks - before.chunks).toBeLessThanOrEqual(4);
    expect(after.storedBytes - before.storedBytes).toBeLessThan(3 * 256 * 1024 + 64 * 1024);
    expect(after.objects).toBe(2);
    expect(after.logicalBytes).toBe(data.length * 2 + 8);
  });

  it('refuses a chunk whose bytes do not match its id, and stores nothing', async () => {
    const good = encodeChunk(randomBytes(1000));
    const forged = { id: good.id, data: randomBytes(1000), compressed: false, raw_size: 1000 };
    const err = await rawPut([forged]);
    expect(errorCode(err)).toBe('CORRUPT');
    expect(err?.message).toMatch(new RegExp(`chunk ${good.id}.*do not match`));
    expect(await chunkFiles()).toEqual([]);
  });

  it('refuses a truncated compressed chunk', async () => {
    const c = encodeChunk(Buffer.from('abc'.repeat(10_000)));
    expect(c.compressed).toBe(true);
    const err = await rawPut([{ id: c.id, data: c.data.subarray(0, c.data.length - 5), compressed: true, raw_size: c.rawSize }]);
    expect(errorCode(err)).toBe('CORRUPT');
    expect(await chunkFiles()).toEqual([]);
  });

  it('refuses a manifest listing chunks the store does not hold', async () => {
    const data = randomBytes(5000);
    const head = encodeChunk(encodeManifest({ kind: 'blob', sizeBytes: data.length, chunks: [{ id: encodeChunk(data).id, sizeBytes: data.length }] }));
    const err = await rawPut([{ id: head.id, data: head.data, compressed: head.compressed, raw_size: head.rawSize }]);
    expect(errorCode(err)).toBe('NOT_FOUND');
    await expect(client.stat(head.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an aborted upload leaves no object, and its chunks are collected', async () => {
    const abort = new AbortController();
    async function* slowSource() {
      for (let i = 0; i < 40; i++) {
        if (i === 20) abort.abort();
        yield randomBytes(256 * 1024);
      }
    }
    await expect(client.putObject(slowSource(), 'blob', { signal: abort.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    const stats = await client.stats();
    expect(stats.objects).toBe(0);
    await client.gc();
    expect((await client.stats()).chunks).toBe(0);
  });

  it('two clients uploading the same data at once both succeed, leaving one copy', async () => {
    const other = new StoreClient(server.addr);
    const data = mixed(4 * 1024 * 1024);
    const [a, b] = await Promise.all([client.putObject(data, 'blob'), other.putObject(data, 'blob')]);
    await other.close();
    expect(a).toBe(b);
    const files = await chunkFiles();
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBe((await client.stat(a)).chunks + 1);
    expect((await client.getObject(a)).equals(data)).toBe(true);
  });

  it('reports corruption on read instead of returning bad bytes, and a re-upload heals it', async () => {
    const data = mixed(2 * 1024 * 1024);
    const id = await client.putObject(data, 'blob');
    const victim = (await chunkFiles()).find((f) => f !== id)!;
    const file = path.join(dir, 'chunks', victim.slice(0, 2), victim);
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await fs.writeFile(file, bytes);

    await expect(client.getObject(id)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining(victim) });
    expect(await fs.readdir(path.join(dir, 'corrupt'))).toHaveLength(1);
    expect(await client.putObject(data, 'blob')).toBe(id);
    expect((await client.getObject(id)).equals(data)).toBe(true);
  });

  it('collects what no root reaches, keeps roots, and a dry run removes nothing', async () => {
    const kept = await client.putObject(mixed(1024 * 1024), 'blob');
    const dropped = await client.putObject(randomBytes(1024 * 1024), 'blob');
    roots = [kept];
    const keptChunks = (await client.stat(kept)).chunks + 1;
    const droppedChunks = (await client.stat(dropped)).chunks + 1;

    const dry = await client.gc({ dryRun: true });
    expect(dry).toMatchObject({ removedChunks: droppedChunks, keptChunks });
    expect((await client.stats()).objects).toBe(2);

    const real = await client.gc();
    expect(real).toMatchObject({ removedChunks: droppedChunks, keptChunks });
    expect(real.removedBytes).toBeGreaterThan(1024 * 1024);
    await expect(client.getObject(dropped)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.getObject(kept)).length).toBe(1024 * 1024);
  });

  it('answers malformed requests with INVALID_ARGUMENT', async () => {
    const data = encodeChunk(Buffer.from('plain data'));
    expect(await rawPut([{ id: data.id, data: data.data, compressed: false, raw_size: data.rawSize }])).toBeUndefined();
    await expect(client.stat(data.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not an object') });
    await expect(client.getObject('not-a-hash')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const err = await rawPut([{ id: 'ABC', data: Buffer.from('x'), compressed: false, raw_size: 1 }]);
    expect(errorCode(err)).toBe('INVALID_ARGUMENT');
  });

  it('cancels a download when its signal aborts', async () => {
    const id = await client.putObject(randomBytes(4 * 1024 * 1024), 'blob');
    const abort = new AbortController();
    const read = async (): Promise<void> => {
      for await (const _ of client.getObjectStream(id, { signal: abort.signal })) abort.abort();
    };
    await expect(read()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
