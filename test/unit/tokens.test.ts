// Tokens and what they allow: the token book on a real (embedded) state store, two replicas'
// books over one store, and the capability table every call is checked against.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { proto } from '../../proto/load.js';
import { anonymous, capabilityFor, mayTouch, methodCapability, principalOfToken, requireCapability, requireProject } from '../../scheduler/auth/access.js';
import { SubmitRate } from '../../scheduler/auth/submit-rate.js';
import { TokenBook } from '../../scheduler/auth/token-book.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';

function books() {
  const store = new MemoryStateStore();
  const commit = (ops: Parameters<MemoryStateStore['commit']>[0]) => store.commit(ops);
  return { store, commit, leader: new TokenBook(store, silentLogger), follower: new TokenBook(store, silentLogger) };
}

describe('TokenBook', () => {
  it('authenticates a token it made, keeps only a hash, and refuses it once revoked', async () => {
    const { store, commit, leader } = books();
    await leader.start();
    const { record, token } = await leader.create({ name: 'ci', role: 'submit', projects: ['alpha'] }, 'token:admin', commit);
    expect(token).toMatch(/^cd\.[0-9a-f]{12}\.[\w-]{43}$/);
    const stored = Buffer.concat((await store.list('tokens/')).map(([, v]) => Buffer.from(v)));
    expect(stored.includes(Buffer.from(token.split('.')[2]!))).toBe(false);
    const p = leader.authenticate(token);
    expect(p.who).toBe(`token:${record.id} (ci)`);
    expect([...p.projects!]).toEqual(['alpha']);
    expect(() => leader.authenticate(`${token.slice(0, -1)}x`)).toThrow(/not valid/);
    await leader.revoke(record.id, commit);
    expect(() => leader.authenticate(token)).toThrow(/was revoked/);
    leader.close();
  });

  it('lets another replica learn a token made since it last read them', async () => {
    const { commit, leader, follower } = books();
    await follower.start();
    const { token } = await leader.create({ name: 'new', role: 'read', projects: [] }, 'x', commit);
    expect(follower.unknown(token)).toBe(true);
    await follower.learn(token);
    expect(follower.unknown(token)).toBe(false);
    expect(follower.authenticate(token).projects).toBeUndefined(); // every project
    // An id found nowhere is not looked up again for a second.
    const forged = 'cd.0123456789ab.secret';
    await follower.learn(forged);
    expect(follower.unknown(forged)).toBe(false);
    expect(() => follower.authenticate(forged)).toThrow(/not valid/);
    follower.close();
  });

  it.each([
    [{ name: 'x y', role: 'read', projects: [] }, /token name/],
    [{ name: 'x', role: 'root', projects: [] }, /use one of read, submit, admin, agent/],
    [{ name: 'x', role: 'read', projects: ['../etc'] }, /project "..\/etc"/],
    [{ name: 'x', role: 'agent', projects: ['alpha'] }, /an agent token has no projects/],
  ])('refuses a bad spec %#, writing nothing', async (spec, message) => {
    const { store, commit, leader } = books();
    await expect(leader.create(spec, 'x', commit)).rejects.toThrow(message);
    expect(await store.list('tokens/')).toEqual([]);
  });
});

describe('capabilities', () => {
  const token = (role: 'read' | 'submit' | 'admin' | 'agent', projects: string[] = []) => principalOfToken({ id: 'i', name: 'n', role, projects, secretHash: '', createdAtMs: 0, createdBy: '' });

  it('lists every method of every service, or leaves it to admins on purpose', () => {
    const methods = [proto.ClientService, proto.AgentService, proto.ChunkStore].flatMap((s) => Object.values(s.service).map((m) => m.path));
    const adminOnly = methods.filter((m) => !(m in methodCapability));
    expect(adminOnly.sort()).toEqual([
      '/clusterd.v1.ChunkStore/Gc', '/clusterd.v1.ChunkStore/Stats',
      '/clusterd.v1.ClientService/CreateToken', '/clusterd.v1.ClientService/Drain', '/clusterd.v1.ClientService/ListAgents',
      '/clusterd.v1.ClientService/ListAudit', '/clusterd.v1.ClientService/ListTokens', '/clusterd.v1.ClientService/RevokeToken',
    ]);
    for (const m of adminOnly) expect(capabilityFor(m)).toBe('admin');
  });

  it('gives each role what its table says, and no more', () => {
    expect(() => requireCapability(token('read'), 'read', 'x')).not.toThrow();
    expect(() => requireCapability(token('read'), 'submit', 'submit')).toThrow(/needs a token with the submit role/);
    expect(() => requireCapability(token('submit'), 'admin', 'drain')).toThrow(/admin role/);
    expect(() => requireCapability(token('admin'), 'agent', 'connect')).toThrow(/agent role/);
    expect(() => requireCapability(token('agent'), 'read', 'read runs')).toThrow(/read role/);
    expect(() => requireCapability(token('agent'), 'store-write', 'upload')).not.toThrow();
  });

  it('keeps a token to its projects; an admin touches every project', () => {
    expect(mayTouch(token('submit', ['alpha']), 'alpha')).toBe(true);
    expect(() => requireProject(token('submit', ['alpha']), 'beta', 'cancel runs')).toThrow(/may not cancel runs in project "beta" \(its projects: alpha\)/);
    expect(mayTouch(token('admin', ['alpha']), 'beta')).toBe(true);
    expect(mayTouch(token('read'), 'anything')).toBe(true);
  });
});

describe('SubmitRate', () => {
  const caller = (id: string) => principalOfToken({ id, name: id, role: 'submit', projects: [], secretHash: '', createdAtMs: 0, createdBy: '' });

  it('lets a token submit ten seconds of its rate at once, then its rate, and leaves other tokens alone', () => {
    let now = 0;
    const rate = new SubmitRate(5, () => now);
    for (let i = 0; i < 50; i++) rate.take(caller('a'));
    expect(() => rate.take(caller('a'))).toThrow(/submits faster than 5 runs\/s .*try again in 200 ms/);
    rate.take(caller('b'));
    now += 1_000;
    for (let i = 0; i < 5; i++) rate.take(caller('a'));
    expect(() => rate.take(caller('a'))).toThrow(/QUEUE_FULL|faster/);
  });

  it('does not limit a cluster without authentication', () => {
    const rate = new SubmitRate(1, () => 0);
    for (let i = 0; i < 1_000; i++) rate.take(anonymous);
  });
});
