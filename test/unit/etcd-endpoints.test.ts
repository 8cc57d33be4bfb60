import { describe, expect, it } from 'vitest';
import { createEtcdClient, etcdEndpoints } from '../../scheduler/state/etcd-client.js';

describe('etcd endpoints and TLS settings', () => {
  it('adds the scheme TLS calls for where none is given, and keeps a given one', () => {
    expect(etcdEndpoints('10.0.0.1:2379, 10.0.0.2:2379', false)).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    expect(etcdEndpoints('etcd-1:2379,https://etcd-2:2379', true)).toEqual(['https://etcd-1:2379', 'https://etcd-2:2379']);
    expect(etcdEndpoints('https://etcd-1:2379', false)).toEqual(['https://etcd-1:2379']);
  });

  it('refuses a plaintext endpoint beside TLS settings, other schemes and an empty list', () => {
    expect(() => etcdEndpoints('http://etcd-1:2379', true)).toThrow('http://etcd-1:2379 is plaintext but --etcd-ca/--etcd-cert is given: use https://');
    expect(() => etcdEndpoints('unix://etcd.sock', false)).toThrow('use http:// or https://');
    expect(() => etcdEndpoints(' , ', false)).toThrow('no endpoints given');
  });

  it('refuses a client certificate without its key and a key without its certificate', () => {
    expect(() => createEtcdClient({ endpoints: ['https://etcd-1:2379'], tls: { cert: Buffer.from('x') } })).toThrow('--etcd-cert with --etcd-key');
    expect(() => createEtcdClient({ endpoints: ['https://etcd-1:2379'], tls: { key: Buffer.from('x') } })).toThrow('--etcd-cert with --etcd-key');
  });
});
