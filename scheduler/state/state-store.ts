/**
 * StateStore: the durable key-value state of a scheduler. Two implementations pass one contract
 * suite (test/conformance/state-store.test.ts): the embedded store (memory, optionally logged to
 * a file) for `clusterctl dev`, and etcd for replicated schedulers.
 *
 * Contract:
 * - Keys are strings relative to the store's prefix; values are opaque bytes.
 * - `commit` applies all of its operations atomically or none of them. It resolves only once the
 *   batch is durable (fsynced, or acknowledged by an etcd quorum).
 * - A `fence` makes the batch conditional: it applies only while the key `fence.key` holds
 *   exactly `fence.value`. A leader fences every write with its election key, so a deposed or
 *   paused leader's writes fail with LEASE_LOST instead of landing.
 * - One batch holds at most `limits.maxOpsPerCommit` operations and `limits.maxBytesPerCommit`
 *   bytes of keys and values; callers split larger work (see GroupCommitter).
 * - `list(prefix)` returns every entry whose key starts with prefix, sorted by key.
 * - `close()` is idempotent.
 */
export interface StateStore {
  readonly limits: CommitLimits;
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix: string): Promise<Array<[string, Uint8Array]>>;
  commit(ops: readonly WriteOp[], fence?: Fence): Promise<void>;
  close(): Promise<void>;
}

export type WriteOp =
  | { op: 'put'; key: string; value: Uint8Array }
  | { op: 'delete'; key: string }
  /** Deletes every key starting with `prefix`. */
  | { op: 'deletePrefix'; prefix: string };

export interface Fence {
  key: string;
  value: string;
}

export interface CommitLimits {
  maxOpsPerCommit: number;
  maxBytesPerCommit: number;
}

export function opBytes(op: WriteOp): number {
  switch (op.op) {
    case 'put': return op.key.length + op.value.length;
    case 'delete': return op.key.length;
    case 'deletePrefix': return op.prefix.length;
  }
}
