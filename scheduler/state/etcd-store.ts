/**
 * The replicated state store: StateStore on etcd. Every key lives under a prefix, so several
 * clusters (or test suites) can share one etcd. A commit is one etcd transaction; its fence is a
 * compare on the fence key's value, so a deposed leader's batch fails as a whole with LEASE_LOST.
 */
import type { Etcd3, ICompare } from 'etcd3';
import { ClusterError } from '../../core/errors.js';
import { createEtcdClient, etcdError, type EtcdClientOptions } from './etcd-client.js';
import { prefixEnd, txnOps } from './etcd-txn.js';
import { checkLimits, type CommitLimits, type Fence, type StateStore, type WriteOp } from './state-store.js';

export interface EtcdStoreOptions {
  /** Keys are stored as prefix + key; must be non-empty, e.g. `/clusterd/prod/`. */
  prefix: string;
  /** A client to share (with leader election); the store then leaves closing it to the owner. */
  client?: Etcd3;
  /** Used to build the store's own client when `client` is not given. */
  connection?: EtcdClientOptions;
  /** Keys per range request in `list`. Default 1000. */
  listPageSize?: number;
}

/**
 * etcd's defaults are --max-txn-ops=128 and --max-request-bytes=1.5 MiB. Callers count only
 * keys and values; 1 MiB leaves half a MiB for the prefix on every key, the fence and framing.
 */
export const etcdLimits: CommitLimits = { maxOpsPerCommit: 128, maxBytesPerCommit: 1024 * 1024 };
const etcdMaxTxnOps = 128;

export class EtcdStateStore implements StateStore {
  readonly limits = etcdLimits;
  readonly prefix: string;
  private readonly client: Etcd3;
  private readonly ownsClient: boolean;
  private readonly pageSize: number;
  private closed = false;

  constructor(opts: EtcdStoreOptions) {
    if (!opts.prefix) throw new ClusterError('INVALID_ARGUMENT', 'etcd state store needs a non-empty key prefix');
    if (!opts.client && !opts.connection) throw new ClusterError('INVALID_ARGUMENT', 'etcd state store needs a client or connection options');
    this.prefix = opts.prefix;
    this.client = opts.client ?? createEtcdClient(opts.connection!);
    this.ownsClient = !opts.client;
    this.pageSize = opts.listPageSize ?? 1000;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: this.abs(key) }).catch((err) => {
      throw etcdError(err, `get ${key}`);
    });
    return res.kvs[0]?.value;
  }

  /**
   * Pages through the range; every page reads at the first page's revision, so the result is
   * one consistent snapshot however many pages it takes.
   */
  async list(prefix: string): Promise<Array<[string, Uint8Array]>> {
    this.checkOpen();
    const start = this.abs(prefix);
    const end = prefixEnd(start);
    const strip = Buffer.byteLength(this.prefix);
    const out: Array<[string, Uint8Array]> = [];
    let from = start;
    let revision: string | undefined;
    for (;;) {
      const res = await this.client.kv.range({ key: from, range_end: end, limit: this.pageSize, revision }).catch((err) => {
        throw etcdError(err, `list ${prefix}`);
      });
      revision ??= res.header.revision;
      for (const kv of res.kvs) out.push([kv.key.subarray(strip).toString(), kv.value]);
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) return out;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  async commit(ops: readonly WriteOp[], fence?: Fence): Promise<void> {
    this.checkOpen();
    checkLimits(ops, this.limits);
    const success = txnOps(this.prefix, ops);
    // Only a batch that deletes a prefix and then puts keys under it grows when reduced.
    if (success.length > etcdMaxTxnOps) {
      throw new ClusterError('INVALID_ARGUMENT', `commit reduces to ${success.length} etcd operations (more than ${etcdMaxTxnOps}): split the prefix deletion from the puts under it`);
    }
    const compare: ICompare[] = fence ? [{ key: this.abs(fence.key), target: 'Value', result: 'Equal', value: Buffer.from(fence.value) }] : [];
    const res = await this.client.kv.txn({ compare, success, failure: [] }).catch((err) => {
      throw etcdError(err, `commit of ${ops.length} operations`);
    });
    if (!res.succeeded) {
      throw new ClusterError('LEASE_LOST', `write refused: ${fence?.key} no longer holds this leader's claim`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.close();
  }

  private abs(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private checkOpen(): void {
    if (this.closed) throw new ClusterError('UNAVAILABLE', 'state store is closed');
  }
}
