/**
 * The embedded state store: an in-process map, optionally made durable by a commit log on disk
 * (see commit-log.ts). Used by `clusterctl dev` and by schedulers started without etcd.
 *
 * Commits run one at a time in call order: the fence is checked against the state every earlier
 * commit left, the batch is appended and fsynced, and only then applied, so readers never see
 * data that a crash could take back. Throughput comes from GroupCommitter batching many writes
 * into each commit, not from overlapping commits here.
 */
import { ClusterError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { CommitLog } from './commit-log.js';
import { checkLimits, type CommitLimits, type Fence, type StateStore, type WriteOp } from './state-store.js';

export interface MemoryStoreOptions {
  logger?: Logger;
  /** Compact once the log exceeds this many bytes and `compactRatio` times the live data. */
  compactMinBytes?: number;
  compactRatio?: number;
}

/** Puts per snapshot record: keeps each record (one buffer in memory) a bounded size. */
const snapshotRecordBytes = 4 * 1024 * 1024;

export class MemoryStateStore implements StateStore {
  readonly limits: CommitLimits = { maxOpsPerCommit: 10_000, maxBytesPerCommit: 64 * 1024 * 1024 };
  private readonly data = new Map<string, Uint8Array>();
  private liveBytes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly compactMinBytes: number;
  private readonly compactRatio: number;
  private readonly logger: Logger;

  constructor(private readonly log?: CommitLog, opts: MemoryStoreOptions = {}) {
    this.compactMinBytes = opts.compactMinBytes ?? 16 * 1024 * 1024;
    this.compactRatio = opts.compactRatio ?? 4;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Opens the store logged at `path`, replaying every commit in it. A torn last record (a crash
   * during its write, so never acknowledged) is dropped and cut from the file.
   */
  static async open(path: string, opts: MemoryStoreOptions = {}): Promise<MemoryStateStore> {
    const { log, replayed } = await CommitLog.open(path);
    const store = new MemoryStateStore(log, opts);
    for (const ops of replayed.groups) store.apply(ops);
    return store;
  }

  /** Bytes of the log on disk, 0 for a store without one. */
  get logBytes(): number {
    return this.log?.sizeBytes ?? 0;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.data.get(key);
  }

  async list(prefix: string): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    for (const entry of this.data) if (entry[0].startsWith(prefix)) out.push(entry);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async commit(ops: readonly WriteOp[], fence?: Fence): Promise<void> {
    if (this.closing) throw new ClusterError('UNAVAILABLE', 'state store is closed');
    checkLimits(ops, this.limits);
    // Copy now: the caller may reuse its buffers while the commit waits its turn.
    const owned = ops.map((op) => (op.op === 'put' ? { op: 'put' as const, key: op.key, value: new Uint8Array(op.value) } : op));
    const done = this.tail.then(() => this.commitInOrder(owned, fence));
    this.tail = done.catch(() => undefined);
    await done;
  }

  close(): Promise<void> {
    this.closing ??= this.tail.then(() => this.log?.close());
    return this.closing;
  }

  private async commitInOrder(ops: WriteOp[], fence: Fence | undefined): Promise<void> {
    if (fence && Buffer.from(this.data.get(fence.key) ?? []).toString() !== fence.value) {
      throw new ClusterError('LEASE_LOST', `write refused: ${fence.key} no longer holds this leader's claim`);
    }
    if (ops.length === 0) return;
    await this.log?.append(ops);
    this.apply(ops);
    if (this.log && this.log.sizeBytes > Math.max(this.compactMinBytes, this.compactRatio * this.liveBytes)) {
      // The commit is durable already; a failed compaction only leaves the log long, so it is
      // logged and tried again after a later commit instead of failing this one.
      const before = this.log.sizeBytes;
      await this.log.rewrite(this.snapshot()).then(
        () => this.logger.info({ fromBytes: before, toBytes: this.log?.sizeBytes }, 'state log compacted'),
        (err: unknown) => this.logger.warn({ err }, 'state log compaction failed'),
      );
    }
  }

  private apply(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      if (op.op === 'put') {
        const old = this.data.get(op.key);
        if (old !== undefined) this.liveBytes -= op.key.length + old.byteLength;
        this.data.set(op.key, op.value); // replaced in place: a delete first would re-insert it
        this.liveBytes += op.key.length + op.value.byteLength;
      } else if (op.op === 'delete') {
        this.remove(op.key);
      } else {
        for (const key of [...this.data.keys()]) if (key.startsWith(op.prefix)) this.remove(key);
      }
    }
  }

  private remove(key: string): void {
    const old = this.data.get(key);
    if (old === undefined) return;
    this.liveBytes -= key.length + old.byteLength;
    this.data.delete(key);
  }

  private *snapshot(): Generator<WriteOp[]> {
    let batch: WriteOp[] = [];
    let bytes = 0;
    for (const [key, value] of this.data) {
      batch.push({ op: 'put', key, value });
      bytes += key.length + value.byteLength;
      if (bytes >= snapshotRecordBytes) {
        yield batch;
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) yield batch;
  }
}
