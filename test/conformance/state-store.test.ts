// The StateStore contract (scheduler/state/state-store.ts), run against every implementation:
// memory, memory logged to a file, and etcd on a real etcd process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { opBytes, type StateStore, type WriteOp } from '../../scheduler/state/state-store.js';
import { bytes, snapshot, storeSubjects, text } from '../support/state-stores.js';

const stores = storeSubjects();
beforeAll(() => stores.setup());
afterAll(() => stores.teardown());

const put = (key: string, value: string): WriteOp => ({ op: 'put', key, value: bytes(value) });

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'resolved', errorCode);
}

describe.each(stores.subjects)('StateStore contract: $name', (subject) => {
  let store: StateStore;
  beforeAll(async () => {
    if (subject.available) store = await subject.make();
  });
  const test = it.skipIf(!subject.available);
  // Each case works under its own key prefix of the one store, so cases never see each other.
  let n = 0;
  const ns = () => `case-${++n}/`;

  test('put, get, list sorted by key, delete, deletePrefix', async () => {
    const p = ns();
    await store.commit([put(`${p}b`, 'B'), put(`${p}a`, 'A'), put(`${p}c/1`, 'C1'), put(`${p}c/2`, 'C2'), put(`${p}cx`, 'CX')]);
    expect(text(await store.get(`${p}a`))).toBe('A');
    expect(await store.get(`${p}missing`)).toBeUndefined();
    expect((await store.list(p)).map(([k]) => k)).toEqual([`${p}a`, `${p}b`, `${p}c/1`, `${p}c/2`, `${p}cx`]);
    expect(await snapshot(store, `${p}c/`)).toEqual({ [`${p}c/1`]: 'C1', [`${p}c/2`]: 'C2' });

    await store.commit([{ op: 'delete', key: `${p}b` }, { op: 'delete', key: `${p}never` }]);
    await store.commit([{ op: 'deletePrefix', prefix: `${p}c/` }]);
    expect(await snapshot(store, p)).toEqual({ [`${p}a`]: 'A', [`${p}cx`]: 'CX' });
    expect(await store.list(`${p}zzz`)).toEqual([]);
  });

  test('a prefix need not end at a "/": list and deletePrefix match the key\'s characters', async () => {
    const p = ns();
    await store.commit([put(`${p}r1/s/0`, '1'), put(`${p}r1/s/1`, '2'), put(`${p}r1/t/0`, '3'), put(`${p}r10/s/0`, '4'), put(`${p}r2`, '5')]);
    expect((await store.list(`${p}r1`)).map(([k]) => k)).toEqual([`${p}r1/s/0`, `${p}r1/s/1`, `${p}r1/t/0`, `${p}r10/s/0`]);
    expect((await store.list(`${p}r1/`)).map(([k]) => k)).toEqual([`${p}r1/s/0`, `${p}r1/s/1`, `${p}r1/t/0`]);
    expect((await store.list(`${p}r1/s`)).map(([k]) => k)).toEqual([`${p}r1/s/0`, `${p}r1/s/1`]);
    await store.commit([{ op: 'deletePrefix', prefix: `${p}r1/s` }]);
    expect(Object.keys(await snapshot(store, p))).toEqual([`${p}r1/t/0`, `${p}r10/s/0`, `${p}r2`]);
    await store.commit([{ op: 'deletePrefix', prefix: `${p}r1` }, put(`${p}r1/s/0`, 'again')]);
    expect(await snapshot(store, p)).toEqual({ [`${p}r1/s/0`]: 'again', [`${p}r2`]: '5' });
    expect(await store.list(`${p}r1/t/`)).toEqual([]);
  });

  test('values are bytes: every byte value and the empty value round-trip', async () => {
    const p = ns();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.commit([{ op: 'put', key: `${p}all`, value: all }, { op: 'put', key: `${p}empty`, value: new Uint8Array() }]);
    expect([...(await store.get(`${p}all`))!]).toEqual([...all]);
    expect((await store.get(`${p}empty`))?.length).toBe(0);
  });

  test('a batch has sequential meaning: later operations win, also across deletePrefix', async () => {
    const p = ns();
    await store.commit([put(`${p}old/1`, 'x'), put(`${p}old/2`, 'x'), put(`${p}keep`, 'x')]);
    await store.commit([
      put(`${p}k`, 'first'), put(`${p}k`, 'second'),            // same key twice: the last put wins
      put(`${p}gone`, 'x'), { op: 'delete', key: `${p}gone` },  // put then delete: absent
      { op: 'deletePrefix', prefix: `${p}old/` }, put(`${p}old/2`, 'new'), // cleared, then one key set again
      put(`${p}old/3`, 'new'),
    ]);
    expect(await snapshot(store, p)).toEqual({ [`${p}k`]: 'second', [`${p}keep`]: 'x', [`${p}old/2`]: 'new', [`${p}old/3`]: 'new' });
  });

  test('fence: the batch applies only while the fence key holds the fence value', async () => {
    const p = ns();
    const fence = { key: `${p}leader`, value: 'term-1' };
    expect(await codeOf(store.commit([put(`${p}x`, '1')], fence))).toBe('LEASE_LOST'); // key absent
    await store.commit([put(fence.key, 'term-1')]);
    await store.commit([put(`${p}x`, '1')], fence);
    await store.commit([put(fence.key, 'term-2')]); // a new leader's claim
    expect(await codeOf(store.commit([put(`${p}x`, 'deposed'), put(`${p}y`, 'deposed')], fence))).toBe('LEASE_LOST');
    expect(await snapshot(store, `${p}x`)).toEqual({ [`${p}x`]: '1' });
    expect(await store.get(`${p}y`)).toBeUndefined();
    await store.commit([put(`${p}x`, '2')], { key: fence.key, value: 'term-2' });
    expect(text(await store.get(`${p}x`))).toBe('2');
  });

  test('a batch is all or nothing: a refused batch leaves no trace', async () => {
    const p = ns();
    const { maxOpsPerCommit } = store.limits;
    const tooMany = Array.from({ length: maxOpsPerCommit + 1 }, (_, i) => put(`${p}${i}`, 'v'));
    expect(await codeOf(store.commit(tooMany))).toBe('INVALID_ARGUMENT');
    expect(await store.list(p)).toEqual([]);
  });

  test('limits: a batch of exactly maxOpsPerCommit operations and maxBytesPerCommit bytes commits', async () => {
    const p = ns();
    const { maxOpsPerCommit, maxBytesPerCommit } = store.limits;
    const keys = Array.from({ length: maxOpsPerCommit }, (_, i) => `${p}${String(i).padStart(6, '0')}`);
    const keyBytes = keys.reduce((sum, k) => sum + k.length, 0);
    // Spread the byte budget over the values; the first takes the remainder so the total is exact.
    const each = Math.floor((maxBytesPerCommit - keyBytes) / maxOpsPerCommit);
    const first = maxBytesPerCommit - keyBytes - each * (maxOpsPerCommit - 1);
    const ops: WriteOp[] = keys.map((key, i) => ({ op: 'put', key, value: new Uint8Array(i === 0 ? first : each).fill(7) }));
    expect(ops.reduce((sum, op) => sum + opBytes(op), 0)).toBe(maxBytesPerCommit);
    await store.commit(ops);
    expect((await store.list(p)).length).toBe(maxOpsPerCommit);

    const over: WriteOp[] = [{ op: 'put', key: `${p}big`, value: new Uint8Array(maxBytesPerCommit) }];
    expect(await codeOf(store.commit(over))).toBe('INVALID_ARGUMENT');
    expect(await store.get(`${p}big`)).toBeUndefined();
    await store.commit([{ op: 'deletePrefix', prefix: p }]);
  });
});

describe.each(stores.subjects)('StateStore close: $name', (subject) => {
  it.skipIf(!subject.available)('is idempotent; writes and reads after it fail with UNAVAILABLE', async () => {
    const store = await subject.make();
    await store.commit([put('x', '1')]);
    await Promise.all([store.close(), store.close()]);
    await store.close();
    expect(await codeOf(store.commit([put('x', '2')]))).toBe('UNAVAILABLE');
    expect(await codeOf(store.get('x'))).toBe('UNAVAILABLE');
    expect(await codeOf(store.list(''))).toBe('UNAVAILABLE');
  });
});
