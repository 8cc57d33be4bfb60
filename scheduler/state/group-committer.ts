/**
 * GroupCommitter: many callers' writes, few commits. While one commit is in flight the next
 * writes queue up; when it lands, as many queued writes as the store's limits allow go out as
 * the next commit. So a burst of N writes costs about N / (writes per commit) round trips, not N.
 *
 * Guarantees:
 * - A write is atomic: its operations always travel in one commit (a write larger than the
 *   store's limits is refused with INVALID_ARGUMENT).
 * - Writes apply in call order: commits run one at a time, and a commit holds writes in order.
 * - `write` resolves once its commit is durable, or rejects with that commit's error. After
 *   LEASE_LOST every queued and later write fails with LEASE_LOST too: a fence that failed once
 *   can never hold again, and a deposed leader must not keep trying.
 * - Backpressure: at most `maxPendingOps` operations wait; further writers wait their turn (in
 *   order) until the queue drains, or until their AbortSignal fires.
 * - `close()` is idempotent: new writes are refused, everything accepted is flushed, and after
 *   `closeTimeoutMs` whatever is still queued is failed with UNAVAILABLE.
 */
import { ClusterError, errorCode } from '../../core/errors.js';
import { schedulerMetrics } from '../metrics.js';
import { opBytes, checkLimits, type Fence, type StateStore, type WriteOp } from './state-store.js';

export interface GroupCommitterOptions {
  store: StateStore;
  /** The leader's fence for its term; every commit is guarded by it. */
  fence?: Fence;
  /** Operations that may wait for a commit before writers are held back. Default 20 000. */
  maxPendingOps?: number;
  closeTimeoutMs?: number;
}

export interface GroupCommitStats {
  commits: number;
  writes: number;
  ops: number;
}

interface Pending {
  ops: readonly WriteOp[];
  bytes: number;
  /** Ends its batch: see `nextBatch`. */
  deletesPrefix: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

interface Waiter {
  count: number;
  admit(): void;
  reject(err: unknown): void;
}

export class GroupCommitter {
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, ops: 0 };
  private readonly store: StateStore;
  private readonly fence: Fence | undefined;
  private readonly maxPendingOps: number;
  private readonly closeTimeoutMs: number;
  private queue: Pending[] = [];
  private queuedOps = 0;
  /** Held-back writers in arrival order (a Set: O(1) removal from the head and on abort). */
  private readonly waiting = new Set<Waiter>();
  private draining: Promise<void> | undefined;
  private failedFence: ClusterError | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: GroupCommitterOptions) {
    this.store = opts.store;
    this.fence = opts.fence;
    this.maxPendingOps = opts.maxPendingOps ?? 20_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  }

  /**
   * Resolves once `ops` are committed. Not an async function: a write that finds room (nearly
   * every one) is queued in the call, with one promise rather than three.
   */
  write(ops: readonly WriteOp[], signal?: AbortSignal): Promise<void> {
    try {
      this.checkAccepting();
      checkLimits(ops, this.store.limits);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.waiting.size > 0 || !this.hasRoom(ops.length)) return this.writeAfterWaiting(ops, signal);
    this.queuedOps += ops.length;
    return this.enqueue(ops);
  }

  private async writeAfterWaiting(ops: readonly WriteOp[], signal?: AbortSignal): Promise<void> {
    await this.waitForRoom(ops.length, signal);
    if (this.closing) {
      this.queuedOps -= ops.length;
      this.checkAccepting();
    }
    return this.enqueue(ops);
  }

  private enqueue(ops: readonly WriteOp[]): Promise<void> {
    let bytes = 0;
    let deletesPrefix = false;
    for (const op of ops) {
      bytes += opBytes(op);
      if (op.op === 'deletePrefix') deletesPrefix = true;
    }
    const done = new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, bytes, deletesPrefix, resolve, reject });
    });
    this.kick();
    return done;
  }

  /** Resolves once every write accepted so far has been committed (or has failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    // Writers still waiting for room were never accepted: they fail now rather than hold close.
    for (const w of this.waiting) w.reject(new ClusterError('UNAVAILABLE', 'group committer is closed'));
    this.waiting.clear();
    const timer = setTimeout(() => this.failQueued(new ClusterError('UNAVAILABLE', 'group committer closed before these writes were committed')), this.closeTimeoutMs);
    try {
      await this.flush();
    } finally {
      clearTimeout(timer);
    }
  }

  private checkAccepting(): void {
    if (this.failedFence) throw this.failedFence;
    if (this.closing) throw new ClusterError('UNAVAILABLE', 'group committer is closed');
  }

  private hasRoom(count: number): boolean {
    // An empty queue takes any write the limits allow, so no write waits forever.
    return this.queuedOps === 0 || this.queuedOps + count <= this.maxPendingOps;
  }

  /** Waits in FIFO order with other held-back writers; the room is reserved when it resolves. */
  private waitForRoom(count: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        this.waiting.delete(waiter);
        reject(new ClusterError('CANCELLED', 'write cancelled while waiting for room in the commit queue'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  private admitWaiting(): void {
    for (const w of this.waiting) {
      if (!this.hasRoom(w.count)) return;
      this.waiting.delete(w);
      this.queuedOps += w.count;
      w.admit();
    }
  }

  private kick(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** The one commit loop: takes the next batch, commits it, settles its writers; never throws. */
  private async drain(): Promise<void> {
    for (let batch = this.nextBatch(); batch.length > 0; batch = this.nextBatch()) {
      const ops = batch.length === 1 ? batch[0]!.ops : batch.flatMap((p) => p.ops);
      try {
        if (this.failedFence) throw this.failedFence;
        const timed = schedulerMetrics.commitSeconds.startTimer();
        await this.store.commit(ops, this.fence);
        timed();
        schedulerMetrics.commitOps.observe(ops.length);
        this.stats.commits++;
        this.stats.writes += batch.length;
        this.stats.ops += ops.length;
        for (const p of batch) p.resolve();
      } catch (err) {
        if (errorCode(err) === 'LEASE_LOST') this.failedFence ??= err as ClusterError;
        for (const p of batch) p.reject(err);
      }
    }
  }

  /**
   * Takes queued writes, in order, while they fit the store's limits. A write that deletes a
   * prefix ends its batch, so no later write's puts under that prefix share its commit (etcd
   * cannot put a key inside a range the same transaction deletes).
   */
  private nextBatch(): Pending[] {
    const { maxOpsPerCommit, maxBytesPerCommit } = this.store.limits;
    let ops = 0;
    let bytes = 0;
    let taken = 0;
    for (const p of this.queue) {
      if (taken > 0 && (ops + p.ops.length > maxOpsPerCommit || bytes + p.bytes > maxBytesPerCommit)) break;
      ops += p.ops.length;
      bytes += p.bytes;
      taken++;
      if (p.deletesPrefix) break;
    }
    const batch = this.queue.splice(0, taken);
    this.queuedOps -= ops;
    this.admitWaiting();
    return batch;
  }

  private failQueued(err: ClusterError): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedOps = 0;
    for (const p of queued) p.reject(err);
  }
}
