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
 * - `close()` is idempotent; calls after it fail with UNAVAILABLE.
 * - A batch over the limits fails with INVALID_ARGUMENT; a store that cannot be reached fails
 *   with UNAVAILABLE within a bounded time, never hangs.
 * - Values handed out by `get` and `list` are the store's own: treat them as read-only.
 */
import { ClusterError } from '../../core/errors.js';

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

/** The bytes an operation counts against `maxBytesPerCommit`: its key (UTF-8) and value. */
export function opBytes(op: WriteOp): number {
  switch (op.op) {
    case 'put': return Buffer.byteLength(op.key) + op.value.byteLength;
    case 'delete': return Buffer.byteLength(op.key);
    case 'deletePrefix': return Buffer.byteLength(op.prefix);
  }
}

/** Refuses a batch over the store's limits with INVALID_ARGUMENT before anything is written. */
export function checkLimits(ops: readonly WriteOp[], limits: CommitLimits): void {
  if (ops.length > limits.maxOpsPerCommit) {
    throw new ClusterError('INVALID_ARGUMENT', `commit of ${ops.length} operations exceeds the limit of ${limits.maxOpsPerCommit}`);
  }
  let bytes = 0;
  for (const op of ops) bytes += opBytes(op);
  if (bytes > limits.maxBytesPerCommit) {
    throw new ClusterError('INVALID_ARGUMENT', `commit of ${bytes} bytes exceeds the limit of ${limits.maxBytesPerCommit}`);
  }
}
