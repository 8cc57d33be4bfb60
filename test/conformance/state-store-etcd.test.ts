// What only the etcd store has: key prefixes that let clusters share one etcd, paged listing,
// and a clear UNAVAILABLE (not a hang) when etcd is gone or frozen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { EtcdStateStore } from '../../scheduler/state/etcd-store.js';
import type { WriteOp } from '../../scheduler/state/state-store.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { freePort } from '../support/ports.js';
import { requireProgram } from '../support/processes.js';
import { bytes, snapshot } from '../support/state-stores.js';

const put = (key: string, value: string): WriteOp => ({ op: 'put', key, value: bytes(value) });
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', errorCode);

describe.skipIf(requireProgram('etcd') === undefined)('EtcdStateStore', () => {
  let etcd: EtcdServer;
  const stores: EtcdStateStore[] = [];
  const open = (prefix: string, extra: { listPageSize?: number; callTimeoutMs?: number } = {}) => {
    const store = new EtcdStateStore({ prefix, listPageSize: extra.listPageSize, connection: { endpoints: etcd.endpoints, callTimeoutMs: extra.callTimeoutMs } });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await etcd?.stop();
  });

  it('keeps two clusters on one etcd apart by prefix, also for deletePrefix and fences', async () => {
    const a = open('/clusterd/a/');
    // A prefix that extends the other's: `/clusterd/a/` must not see `/clusterd/ab/`.
    const b = open('/clusterd/ab/');
    await a.commit([put('runs/1', 'a1'), put('leader', 'a-term')]);
    await b.commit([put('runs/1', 'b1'), put('leader', 'b-term')]);
    expect(await snapshot(a)).toEqual({ leader: 'a-term', 'runs/1': 'a1' });
    await a.commit([{ op: 'deletePrefix', prefix: '' }], { key: 'leader', value: 'a-term' });
    expect(await snapshot(a)).toEqual({});
    expect(await snapshot(b)).toEqual({ leader: 'b-term', 'runs/1': 'b1' });
    // a's fence key is gone; b's same-named key does not satisfy it.
    expect(await codeOf(a.commit([put('x', '1')], { key: 'leader', value: 'b-term' }))).toBe('LEASE_LOST');
  });

  it('lists a large range in pages, in key order, as one snapshot', async () => {
    const store = open('/clusterd/paged/', { listPageSize: 7 });
    const keys = Array.from({ length: 300 }, (_, i) => `tasks/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) await store.commit(keys.slice(i, i + 100).map((k) => put(k, k)));
    const listed = await store.list('tasks/');
    expect(listed.map(([k]) => k)).toEqual(keys);
    expect(listed.every(([k, v]) => Buffer.from(v).toString() === k)).toBe(true);
  });

  it('stores keys with non-ASCII characters and lists them by their bytes', async () => {
    const store = open('/clusterd/utf8/');
    await store.commit([put('run/é', 'e-acute'), put('run/z', 'z'), put('run/日本', 'nihon')]);
    expect((await store.list('run/')).map(([k]) => k)).toEqual(['run/z', 'run/é', 'run/日本']);
  });

  it('fails with UNAVAILABLE, quickly, when nothing listens at the endpoint', async () => {
    const port = await freePort();
    const store = new EtcdStateStore({ prefix: '/x/', connection: { endpoints: [`http://127.0.0.1:${port}`], callTimeoutMs: 1_000 } });
    stores.push(store);
    const started = Date.now();
    expect(await codeOf(store.get('k'))).toBe('UNAVAILABLE');
    expect(await codeOf(store.commit([put('k', 'v')]))).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails with UNAVAILABLE within the call deadline while etcd is frozen (SIGSTOP), and recovers', async () => {
    const frozen = await startEtcd();
    const client = createEtcdClient({ endpoints: frozen.endpoints, callTimeoutMs: 1_000 });
    const store = new EtcdStateStore({ prefix: '/frozen/', client });
    try {
      await store.commit([put('k', 'before')]);
      process.kill(frozen.pid, 'SIGSTOP');
      const started = Date.now();
      expect(await codeOf(store.commit([put('k', 'during')]))).toBe('UNAVAILABLE');
      // The client retries a timed-out call up to three times, each with its own 1 s deadline:
      // bounded, never hanging (with room for a busy machine's timers).
      expect(Date.now() - started).toBeLessThan(6_000);
      process.kill(frozen.pid, 'SIGCONT');
      // The client's circuit breaker stays open for 5 s after repeated failures.
      await expect.poll(() => store.get('k').then((v) => Buffer.from(v!).toString(), errorCode), { timeout: 10_000, interval: 250 })
        .toMatch(/before|during/);
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
      await store.close();
      client.close();
      await frozen.stop();
    }
  });
});
