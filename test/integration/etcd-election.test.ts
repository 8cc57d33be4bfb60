// Leader election on a real etcd: one of two candidates leads, the other follows and knows the
// leader's address; when the leader resigns, loses its lease, or is cut off from etcd, the other
// takes over, and the deposed leader's fenced writes fail with LEASE_LOST.
import type { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { EtcdLeaderElection } from '../../scheduler/leader/etcd-election.js';
import type { Leadership } from '../../scheduler/leader/leadership.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { EtcdStateStore } from '../../scheduler/state/etcd-store.js';
import type { Fence } from '../../scheduler/state/state-store.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { requireProgram } from '../support/processes.js';
import { bytes } from '../support/state-stores.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const ttlMs = 2_000;

describe.skipIf(requireProgram('etcd') === undefined)('etcd leader election', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  let n = 0;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: etcd.endpoints, callTimeoutMs: 1_000 });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  /** A fresh cluster prefix per test, with a store and candidates on it. */
  function cluster() {
    const prefix = `/election-test/${++n}/`;
    const store = new EtcdStateStore({ prefix, client });
    cleanups.push(() => store.close());
    const candidate = (id: string, c: Etcd3 = client, ttl = ttlMs): EtcdLeaderElection => {
      const election = new EtcdLeaderElection({ client: c, prefix, id, addr: `10.0.0.${id.length}:7700`, ttlMs: ttl });
      cleanups.push(() => election.close());
      election.start();
      return election;
    };
    const write = (fence: Fence, key: string) => store.commit([{ op: 'put', key, value: bytes(key) }], fence).then(() => 'ok', errorCode);
    return { store, candidate, write };
  }

  async function firstElected(...elections: Leadership[]): Promise<[Leadership, Leadership, Fence]> {
    const fence = await Promise.race(elections.map((e) => e.whenElected(AbortSignal.timeout(10_000))));
    const leader = elections.find((e) => e.state.kind === 'leader')!;
    return [leader, elections.find((e) => e !== leader)!, fence];
  }

  it('elects exactly one; the follower knows the leader and its fenced writes are refused', async () => {
    const { candidate, write } = cluster();
    const [leader, follower, fence] = await firstElected(candidate('a'), candidate('bb'));
    await expect.poll(() => follower.state, { timeout: 5_000 }).toMatchObject({ kind: 'follower', leader: { id: leader.id, addr: `10.0.0.${leader.id.length}:7700` } });
    expect(await follower.currentLeader()).toEqual({ id: leader.id, addr: `10.0.0.${leader.id.length}:7700` });
    expect(await write(fence, 'by-leader')).toBe('ok');
    // The follower has no fence of its own; a guessed one does not pass.
    expect(await write({ key: fence.key, value: '{"id":"bb"}' }, 'by-follower')).toBe('LEASE_LOST');
  });

  it('hands over at once when the leader resigns (close), and the old fence no longer writes', async () => {
    const { candidate, write } = cluster();
    const [leader, follower, oldFence] = await firstElected(candidate('a'), candidate('bb'));
    const lost = new Promise<string>((resolve) => leader.once('lost', resolve));
    const started = Date.now();
    await leader.close();
    expect(await lost).toBe('closed');
    expect(leader.state.kind).toBe('stopped');
    const newFence = await follower.whenElected(AbortSignal.timeout(10_000));
    expect(Date.now() - started).toBeLessThan(ttlMs); // resign revokes: no waiting out the TTL
    expect(newFence.value).not.toBe(oldFence.value);
    expect(await write(oldFence, 'deposed')).toBe('LEASE_LOST');
    expect(await write(newFence, 'new-leader')).toBe('ok');
  });

  it('a leader whose lease is revoked in etcd steps down, its term signal fires, and the other takes over', async () => {
    const { candidate, write } = cluster();
    const [leader, follower, oldFence] = await firstElected(candidate('a'), candidate('bb'));
    const term = leader.state.kind === 'leader' ? leader.state.term : undefined;
    const lost = new Promise<string>((resolve) => leader.once('lost', resolve));
    const leaseId = (JSON.parse(oldFence.value) as { term: string }).term;
    await client.leaseClient.leaseRevoke({ ID: leaseId });
    const newFence = await follower.whenElected(AbortSignal.timeout(10_000));
    expect(await write(oldFence, 'deposed')).toBe('LEASE_LOST');
    expect(await lost).toMatch(/lease|claim/);
    expect(term?.aborted).toBe(true);
    expect(await write(newFence, 'new-leader')).toBe('ok');
    // The deposed replica campaigns again and follows the new leader.
    await expect.poll(() => leader.state, { timeout: 2 * ttlMs }).toMatchObject({ kind: 'follower', leader: { id: follower.id } });
  });

  it('a leader whose write was refused (fenceLost) steps down at once, not at its next renewal, and campaigns again', async () => {
    const { candidate, write } = cluster();
    // Renewals 20 s apart: only fenceLost can end this term within the test.
    const [leader, follower, oldFence] = await firstElected(candidate('a', client, 60_000), candidate('bb', client, 60_000));
    const term = leader.state.kind === 'leader' ? leader.state.term : undefined;
    const lost = new Promise<string>((resolve) => leader.once('lost', resolve));
    // Another replica's claim replaces this one's (as after a pause longer than the lease).
    await client.put(`/election-test/${n}/leader`).value(JSON.stringify({ id: 'zz', addr: 'z:1', term: 'other' }));
    expect(await write(oldFence, 'refused')).toBe('LEASE_LOST');
    leader.fenceLost('write refused: the fence no longer holds');
    expect(await lost).toBe('a write was refused: write refused: the fence no longer holds');
    expect(term?.aborted).toBe(true);
    await expect.poll(() => leader.state, { timeout: 10_000 }).toMatchObject({ kind: 'follower', leader: { id: 'zz' } });
    follower.fenceLost('ignored'); // not leading: nothing happens
    expect(follower.state.kind).toBe('follower');
  });

  it('a leader cut off from etcd steps down on its own clock; after the cut heals its writes are fenced', async () => {
    const { candidate, write } = cluster();
    const [host, port] = [new URL(etcd.endpoints[0]!).hostname, Number(new URL(etcd.endpoints[0]!).port)];
    const proxy: TcpProxy = await startTcpProxy(host, port);
    cleanups.push(() => proxy.close());
    const isolatedClient = createEtcdClient({ endpoints: [proxy.endpoint], callTimeoutMs: 1_000 });
    cleanups.push(() => isolatedClient.close());

    const isolated = candidate('iso', isolatedClient);
    const fence = await isolated.whenElected(AbortSignal.timeout(10_000));
    const other = candidate('other');
    await expect.poll(() => other.state.kind, { timeout: 5_000 }).toBe('follower');

    const lost = new Promise<number>((resolve) => isolated.once('lost', () => resolve(Date.now())));
    const cutAt = Date.now();
    proxy.pause(); // like SIGSTOP for everything this leader says to etcd
    const lostAt = await lost;
    const otherFence = await other.whenElected(AbortSignal.timeout(10_000));
    const electedAt = Date.now();
    // It steps down within about one TTL of the cut (its timer and a call deadline on a busy
    // machine), and never later than etcd lets the other take over.
    expect(lostAt - cutAt).toBeLessThanOrEqual(ttlMs + 1_000);
    expect(lostAt).toBeLessThanOrEqual(electedAt);
    proxy.resume();
    // The thawed replica's own write, through its own client (whose circuit breaker may still
    // be open for a moment: UNAVAILABLE until it retries, never success).
    const isolatedStore = new EtcdStateStore({ prefix: `/election-test/${n}/`, client: isolatedClient });
    const attempt = () => isolatedStore.commit([{ op: 'put', key: 'late', value: bytes('late') }], fence).then(() => 'ok', errorCode);
    await expect.poll(attempt, { timeout: 8_000, interval: 250 }).toBe('LEASE_LOST');
    expect(await write(otherFence, 'from-the-new-leader')).toBe('ok');
  });
});
