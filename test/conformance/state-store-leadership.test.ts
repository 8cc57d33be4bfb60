// The embedded "always leader" of `clusterctl dev` on the memory store: leads at once with its
// claim in the store as the fence, is fenced out by a newer claim, resigns on close.
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { EmbeddedLeader } from '../../scheduler/leader/embedded-leader.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { bytes } from '../support/state-stores.js';

describe('EmbeddedLeader', () => {
  it('is elected at start with its claim written to the fence key, and fences writes with it', async () => {
    const store = new MemoryStateStore();
    const leader = new EmbeddedLeader({ store, id: 'dev-1', addr: '127.0.0.1:7700' });
    const states: string[] = [];
    leader.on('state', (s) => states.push(s.kind));
    leader.start();
    const fence = await leader.whenElected();
    expect(states).toEqual(['candidate', 'leader']);
    expect(fence.key).toBe('leader');
    expect(Buffer.from((await store.get('leader'))!).toString()).toBe(fence.value);
    expect(await leader.currentLeader()).toEqual({ id: 'dev-1', addr: '127.0.0.1:7700' });
    await store.commit([{ op: 'put', key: 'runs/1', value: bytes('x') }], fence);
    await leader.close();
  });

  it('a newer claim on the same store fences the older leader out', async () => {
    const store = new MemoryStateStore();
    const first = new EmbeddedLeader({ store, id: 'old', addr: 'a:1' });
    first.start();
    const oldFence = await first.whenElected();
    const second = new EmbeddedLeader({ store, id: 'new', addr: 'b:1' });
    second.start();
    const newFence = await second.whenElected();
    const put = { op: 'put' as const, key: 'k', value: bytes('v') };
    expect(await store.commit([put], oldFence).then(() => 'ok', errorCode)).toBe('LEASE_LOST');
    expect(await store.commit([put], newFence).then(() => 'ok', errorCode)).toBe('ok');
    // Closing the old one must not delete the new leader's claim.
    await first.close();
    expect(await second.currentLeader()).toEqual({ id: 'new', addr: 'b:1' });
    await second.close();
  });

  it('fenceLost (a write of its term was refused) ends its term at once and leaves it a follower', async () => {
    const store = new MemoryStateStore();
    const leader = new EmbeddedLeader({ store, id: 'old', addr: 'a:1' });
    leader.start();
    await leader.whenElected();
    const term = leader.state.kind === 'leader' ? leader.state.term : undefined;
    const lost: string[] = [];
    leader.on('lost', (reason) => lost.push(reason));
    leader.fenceLost('write refused');
    leader.fenceLost('write refused'); // a second refused write of the same term: nothing more
    expect(lost).toEqual(['a write was refused: write refused']);
    expect(term?.aborted).toBe(true);
    expect(leader.state.kind).toBe('follower');
    await leader.close();
  });

  it('close is idempotent: lost fires once, the claim is removed, the term signal is aborted', async () => {
    const store = new MemoryStateStore();
    const leader = new EmbeddedLeader({ store, id: 'dev', addr: 'a:1' });
    leader.start();
    await leader.whenElected();
    const term = leader.state.kind === 'leader' ? leader.state.term : undefined;
    const lost: string[] = [];
    leader.on('lost', (reason) => lost.push(reason));
    await Promise.all([leader.close(), leader.close()]);
    await leader.close();
    expect(lost).toEqual(['closed']);
    expect(term?.aborted).toBe(true);
    expect(leader.state.kind).toBe('stopped');
    expect(await store.get('leader')).toBeUndefined();
    expect(await leader.whenElected().then(() => 'elected', errorCode)).toBe('UNAVAILABLE');
  });
});
