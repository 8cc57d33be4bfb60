/**
 * The embedded state store: a sorted in-process map. Used by `clusterctl dev` and by schedulers
 * started without etcd.
 */
import { ClusterError } from '../../core/errors.js';
import type { CommitLimits, Fence, StateStore, WriteOp } from './state-store.js';

export class MemoryStateStore implements StateStore {
  readonly limits: CommitLimits = { maxOpsPerCommit: 10_000, maxBytesPerCommit: 64 * 1024 * 1024 };
  private readonly data = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.data.get(key);
  }

  async list(prefix: string): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    for (const entry of this.data) if (entry[0].startsWith(prefix)) out.push(entry);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async commit(ops: readonly WriteOp[], fence?: Fence): Promise<void> {
    if (fence && Buffer.from(this.data.get(fence.key) ?? []).toString() !== fence.value) {
      throw new ClusterError('LEASE_LOST', `write refused: ${fence.key} no longer holds this leader's claim`);
    }
    for (const op of ops) {
      if (op.op === 'put') this.data.set(op.key, op.value);
      else if (op.op === 'delete') this.data.delete(op.key);
      else for (const key of [...this.data.keys()]) if (key.startsWith(op.prefix)) this.data.delete(key);
    }
  }

  async close(): Promise<void> {}
}
