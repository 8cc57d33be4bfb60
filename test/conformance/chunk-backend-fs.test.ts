// What only the fs backend has to get right: its on-disk layout, leftovers of interrupted
// writes, and files damaged in ways a memory backend cannot be.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { encodeChunk, verifyChunk } from '../../store/chunk-codec.js';
import { FsBackend } from '../../store/fs-backend.js';

let dir: string;
let backend: FsBackend;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fs-backend-'));
  backend = await FsBackend.open(dir);
});

afterEach(async () => {
  await backend.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('fs backend', () => {
  it('lays chunks out as chunks/<2 hex>/<id> and leaves no temp files', async () => {
    const c = verifyChunk(encodeChunk(randomBytes(5000)));
    await backend.put(c);
    await expect(fs.stat(path.join(dir, 'chunks', c.id.slice(0, 2), c.id))).resolves.toBeTruthy();
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('sweeps temp files older than the cutoff and keeps recent ones', async () => {
    const stale = path.join(dir, 'tmp', 'a'.repeat(64) + '.dead');
    const fresh = path.join(dir, 'tmp', 'b'.repeat(64) + '.live');
    await fs.writeFile(stale, 'half a chunk');
    await fs.writeFile(fresh, 'being written');
    const then = new Date(Date.now() - 7200_000);
    await fs.utimes(stale, then, then);
    expect(await backend.sweep(3600_000)).toBe(1);
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([path.basename(fresh)]);
  });

  it.each([
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 100)],
    ['a file cut inside its header', (b: Buffer) => b.subarray(0, 5)],
    ['a header from a future format', (b: Buffer) => Buffer.concat([b.subarray(0, 2), Buffer.from([9]), b.subarray(3)])],
    ['an empty file', () => Buffer.alloc(0)],
  ])('reports %s as CORRUPT and sets it aside', async (_name, damage) => {
    const c = verifyChunk(encodeChunk(Buffer.from('loss=0.1\n'.repeat(4000))));
    await backend.put(c);
    const file = path.join(dir, 'chunks', c.id.slice(0, 2), c.id);
    await fs.writeFile(file, damage(await fs.readFile(file)));
    const err = await backend.get(c.id).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('CORRUPT');
    expect((err as Error).message).toContain(file);
    expect(await fs.readdir(path.join(dir, 'corrupt'))).toHaveLength(1);
    expect(await backend.missing([c.id])).toEqual([c.id]);
  });

  it('a chunk written by another process that lost the race is replaced by identical bytes', async () => {
    const c = verifyChunk(encodeChunk(randomBytes(64 * 1024)));
    const second = await FsBackend.open(dir);
    const outcomes = await Promise.all([backend.put(c), second.put(c)]);
    expect(outcomes.filter((o) => o === 'stored').length).toBeGreaterThanOrEqual(1);
    expect((await backend.get(c.id)).raw.equals(c.raw)).toBe(true);
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
  });
});
