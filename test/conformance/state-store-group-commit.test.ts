// GroupCommitter over every StateStore: many writers land in few commits, in call order, each
// write atomic, with the fence, backpressure and an ordered close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { GroupCommitter } from '../../scheduler/state/group-committer.js';
import type { StateStore, WriteOp } from '../../scheduler/state/state-store.js';
import { bytes, snapshot, storeSubjects, text } from '../support/state-stores.js';

const stores = storeSubjects();
beforeAll(() => stores.setup());
afterAll(() => stores.teardown());

const put = (key: string, value: string): WriteOp => ({ op: 'put', key, value: bytes(value) });

describe.each(stores.subjects)('GroupCommitter on $name', (subject) => {
  const test = it.skipIf(!subject.available);
  let store: StateStore;
  beforeAll(async () => {
    if (subject.available) store = await subject.make();
  });

  test('500 concurrent writers share a handful of commits, and every write is durable when it resolves', async () => {
    const committer = new GroupCommitter({ store });
    await Promise.all(Array.from({ length: 500 }, (_, i) => committer.write([put(`burst/${String(i).padStart(3, '0')}`, `v${i}`)])));
    expect((await store.list('burst/')).length).toBe(500);
    expect(committer.stats.writes).toBe(500);
    // The first write goes out alone; the other 499 queue behind it and leave in batches of at
    // most maxOpsPerCommit: 1 + ceil(499 / 128) = 5 commits on etcd, 2 on the memory store.
    expect(committer.stats.commits).toBe(1 + Math.ceil(499 / store.limits.maxOpsPerCommit));
    await committer.close();
  });

  test('writes apply in call order: the last write to a key wins, and a write is never split', async () => {
    const committer = new GroupCommitter({ store });
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 300; i++) {
      // Each write sets a pair of keys together; no commit may ever hold half of a pair.
      writes.push(committer.write([put('order/a', String(i)), put('order/b', String(i))]));
      if (i % 50 === 0) writes.push(committer.write([{ op: 'deletePrefix', prefix: 'order/' }, put('order/reset', String(i))]));
    }
    await Promise.all(writes);
    expect(await snapshot(store, 'order/')).toEqual({ 'order/a': '299', 'order/b': '299', 'order/reset': '250' });
    await committer.close();
  });

  test('a write larger than the store limits is refused at once, the others go on', async () => {
    const committer = new GroupCommitter({ store });
    const tooMany = Array.from({ length: store.limits.maxOpsPerCommit + 1 }, (_, i) => put(`big/${i}`, 'x'));
    const ok = committer.write([put('big/fits', 'y')]);
    expect(await committer.write(tooMany).then(() => 'resolved', errorCode)).toBe('INVALID_ARGUMENT');
    await ok;
    expect(await snapshot(store, 'big/')).toEqual({ 'big/fits': 'y' });
    await committer.close();
  });

  test('fenced: a lost fence fails that batch and every later write with LEASE_LOST, nothing lands', async () => {
    await store.commit([put('gc-leader', 'term-1')]);
    const committer = new GroupCommitter({ store, fence: { key: 'gc-leader', value: 'term-1' } });
    await committer.write([put('fenced/before', 'x')]);
    await store.commit([put('gc-leader', 'term-2')]);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      committer.write([put(`fenced/${i}`, 'deposed')]).then(() => 'resolved', errorCode)));
    expect(new Set(results)).toEqual(new Set(['LEASE_LOST']));
    expect(await committer.write([put('fenced/later', 'x')]).then(() => 'resolved', errorCode)).toBe('LEASE_LOST');
    expect(await snapshot(store, 'fenced/')).toEqual({ 'fenced/before': 'x' });
    await committer.close();
  });

  test('backpressure: with room for 10 pending operations, 200 writers all land, in order', async () => {
    const committer = new GroupCommitter({ store, maxPendingOps: 10 });
    const writes = Array.from({ length: 200 }, (_, i) => committer.write([put('bp/last', String(i)), put(`bp/${i}`, 'x')]));
    await Promise.all(writes);
    expect(text(await store.get('bp/last'))).toBe('199');
    expect((await store.list('bp/')).length).toBe(201);
    await committer.close();
  });

  test('a writer held back by backpressure can be cancelled with its AbortSignal', async () => {
    const committer = new GroupCommitter({ store, maxPendingOps: 1 });
    const first = committer.write([put('cancel/1', 'x')]);
    const second = committer.write([put('cancel/2', 'x')]); // queued behind the in-flight first
    const abort = new AbortController();
    const third = committer.write([put('cancel/3', 'x')], abort.signal); // no room: waits
    abort.abort();
    expect(await third.then(() => 'resolved', errorCode)).toBe('CANCELLED');
    await Promise.all([first, second]);
    expect(Object.keys(await snapshot(store, 'cancel/'))).toEqual(['cancel/1', 'cancel/2']);
    await committer.close();
  });

  test('close flushes what was accepted, is idempotent, and refuses later writes', async () => {
    const committer = new GroupCommitter({ store });
    const accepted = Array.from({ length: 100 }, (_, i) => committer.write([put(`close/${i}`, 'x')]));
    await Promise.all([committer.close(), committer.close()]);
    await Promise.all(accepted);
    expect((await store.list('close/')).length).toBe(100);
    expect(await committer.write([put('close/late', 'x')]).then(() => 'resolved', errorCode)).toBe('UNAVAILABLE');
    await committer.close();
  });
});
