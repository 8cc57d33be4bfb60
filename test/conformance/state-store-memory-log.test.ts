// The embedded store's durable log: replay on open, a torn tail dropped and cut, damage in the
// middle refused, and compaction into a snapshot that replays to the same data.
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { bytes, snapshot } from '../support/state-stores.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('MemoryStateStore with a log file', () => {
  let dir: TempDir;
  let path: string;
  beforeEach(async () => {
    dir = await tempDir('clusterd-log');
    path = join(dir.path, 'state.log');
  });
  afterEach(() => dir.remove());

  async function seeded(): Promise<Record<string, string>> {
    const store = await MemoryStateStore.open(path);
    await store.commit([{ op: 'put', key: 'runs/1', value: bytes('one') }, { op: 'put', key: 'runs/2', value: bytes('two') }]);
    await store.commit([{ op: 'delete', key: 'runs/1' }, { op: 'put', key: 'tasks/2/0', value: bytes('t') }]);
    await store.commit([{ op: 'put', key: 'leader', value: bytes('term-1') }]);
    await store.commit([{ op: 'put', key: 'runs/2', value: bytes('two, done') }], { key: 'leader', value: 'term-1' });
    const data = await snapshot(store);
    await store.close();
    return data;
  }

  it('replays every commit on open', async () => {
    const before = await seeded();
    expect(before).toEqual({ leader: 'term-1', 'runs/2': 'two, done', 'tasks/2/0': 't' });
    const reopened = await MemoryStateStore.open(path);
    expect(await snapshot(reopened)).toEqual(before);
    await reopened.close();
  });

  it('drops a torn last record, cuts it from the file, and appends after it', async () => {
    const before = await seeded();
    const goodBytes = (await stat(path)).size;
    // A crash mid-append: a record header promising 100 bytes with only 10 of them written.
    const torn = Buffer.alloc(18);
    torn.writeUInt32LE(100, 0);
    await appendFile(path, torn);

    const store = await MemoryStateStore.open(path);
    expect(await snapshot(store)).toEqual(before);
    expect((await stat(path)).size).toBe(goodBytes);
    await store.commit([{ op: 'put', key: 'after', value: bytes('crash') }]);
    await store.close();
    const again = await MemoryStateStore.open(path);
    expect(await snapshot(again)).toEqual({ ...before, after: 'crash' });
    await again.close();
  });

  it('drops a last record whose checksum does not match (written length, garbage payload)', async () => {
    const before = await seeded();
    const whole = await readFile(path);
    await truncate(path, whole.length - 3);
    await appendFile(path, Buffer.from([0xde, 0xad, 0xbe])); // same length, different bytes
    const store = await MemoryStateStore.open(path);
    expect(await snapshot(store)).toEqual({ ...before, 'runs/2': 'two' }); // the last commit is gone
    await store.close();
  });

  it('refuses a log damaged before its last record with CORRUPT', async () => {
    await seeded();
    const whole = await readFile(path);
    whole[20] = whole[20]! ^ 0xff; // inside the first record's payload
    await writeFile(path, whole);
    expect(await MemoryStateStore.open(path).then(() => 'opened', errorCode)).toBe('CORRUPT');
  });

  it('refuses a file that is not a state log', async () => {
    await writeFile(path, 'hello, this is not a log');
    expect(await MemoryStateStore.open(path).then(() => 'opened', errorCode)).toBe('CORRUPT');
  });

  it('compacts the log into a snapshot once it outgrows the live data, and replays it', async () => {
    const store = await MemoryStateStore.open(path, { compactMinBytes: 64 * 1024, compactRatio: 4 });
    const value = new Uint8Array(1000).fill(1);
    let largest = 0;
    // 10 keys rewritten 200 times: ~2 MB appended for ~10 kB of live data.
    for (let round = 0; round < 200; round++) {
      await store.commit(Array.from({ length: 10 }, (_, i) => ({ op: 'put' as const, key: `k/${i}`, value: value.map(() => round % 256) })));
      largest = Math.max(largest, store.logBytes);
    }
    await store.commit([{ op: 'put', key: 'k/last', value: bytes('x') }]);
    expect(largest).toBeLessThanOrEqual(64 * 1024 + 11_000);
    expect(store.logBytes).toBeLessThan(64 * 1024 + 11_000);
    expect((await stat(path)).size).toBe(store.logBytes);
    const data = await snapshot(store);
    await store.close();

    const reopened = await MemoryStateStore.open(path);
    expect(await snapshot(reopened)).toEqual(data);
    expect((await reopened.get('k/3'))?.[0]).toBe(199);
    await reopened.close();
  });
});
