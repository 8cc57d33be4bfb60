/**
 * The embedded state store: an in-process map, optionally made durable by a commit log on disk
 * (see commit-log.ts). Used by `clusterctl dev` and by schedulers started without etcd.
 *
 * Commits run one at a time in call order: the fence is checked against the state every earlier
 * commit left, the batch is appended and fsynced, and only then applied, so readers never see
 * data that a crash could take back. Throughput comes from GroupCommitter batching many writes
 * into each commit, not from overlapping commits here. Without a log a commit is applied at once.
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
  /**
   * Keys by their second-level folder ("tasks/RUN/" for "tasks/RUN/STEP/0"): listing or deleting
   * a prefix at or below one touches its keys only, not every key in the store. Compaction reads
   * and deletes one run's `tasks/RUN/` among millions of keys. A top-level prefix ("runs/") is
   * listed by scanning every key: only a new leader's load and the store's gc do that, and they
   * read most keys anyway; indexing every key under it too tripled the index's cost per put
   * (a Set insert and a sliced string to hash per level, on every task's record).
   */
  private readonly byFolder = new Map<string, Set<string>>();
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
    this.checkOpen();
    return this.data.get(key);
  }

  async list(prefix: string): Promise<Array<[string, Uint8Array]>> {
    this.checkOpen();
    const out: Array<[string, Uint8Array]> = [];
    for (const key of this.keysUnder(prefix)) out.push([key, this.data.get(key)!]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async commit(ops: readonly WriteOp[], fence?: Fence): Promise<void> {
    this.checkOpen();
    checkLimits(ops, this.limits);
    if (!this.log) {
      // Nothing to wait for: applied now, so in call order by construction, without a turn in
      // the queue (three of them per run, on the way to the agent and to the client).
      this.checkFence(fence);
      this.apply(ops, true);
      return;
    }
    const owned = ops.map((op) => (op.op === 'put' ? { op: 'put' as const, key: op.key, value: ownCopy(op.value) } : op));
    const done = this.tail.then(() => this.commitInOrder(owned, fence));
    this.tail = done.catch(() => undefined);
    await done;
  }

  close(): Promise<void> {
    this.closing ??= this.tail.then(() => this.log?.close());
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closing) throw new ClusterError('UNAVAILABLE', 'state store is closed');
  }

  private checkFence(fence: Fence | undefined): void {
    if (fence && Buffer.from(this.data.get(fence.key) ?? []).toString() !== fence.value) {
      throw new ClusterError('LEASE_LOST', `write refused: ${fence.key} no longer holds this leader's claim`);
    }
  }

  private async commitInOrder(ops: WriteOp[], fence: Fence | undefined): Promise<void> {
    this.checkFence(fence);
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

  /** `copy`: the values are the caller's, copied as they are stored (see ownCopy). */
  private apply(ops: readonly WriteOp[], copy = false): void {
    for (const op of ops) {
      if (op.op === 'put') {
        const old = this.data.get(op.key);
        if (old !== undefined) this.liveBytes -= op.key.length + old.byteLength;
        else this.index(op.key);
        // Replaced in place: a delete first would re-insert it.
        this.data.set(op.key, copy ? ownCopy(op.value) : op.value);
        this.liveBytes += op.key.length + op.value.byteLength;
      } else if (op.op === 'delete') {
        this.remove(op.key);
      } else {
        for (const key of [...this.keysUnder(op.prefix)]) this.remove(key);
      }
    }
  }

  private remove(key: string): void {
    const old = this.data.get(key);
    if (old === undefined) return;
    this.liveBytes -= key.length + old.byteLength;
    this.data.delete(key);
    const folder = folderOf(key);
    if (folder === undefined) return;
    const keys = this.byFolder.get(folder)!;
    keys.delete(key);
    if (keys.size === 0) this.byFolder.delete(folder);
  }

  private index(key: string): void {
    const folder = folderOf(key);
    if (folder === undefined) return;
    const keys = this.byFolder.get(folder);
    if (keys) keys.add(key);
    else this.byFolder.set(folder, new Set([key]));
  }

  /** The keys starting with `prefix`: those of its second-level folder, or every key for a shorter prefix. */
  private keysUnder(prefix: string): Iterable<string> {
    const folder = folderOf(prefix);
    const candidates = folder === undefined ? this.data.keys() : this.byFolder.get(folder) ?? [];
    if (folder === prefix) return candidates;
    return [...candidates].filter((key) => key.startsWith(prefix));
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

/**
 * A value in memory of its own: the caller may reuse its buffer once the commit returns (or while
 * it waits its turn), and a view into a larger buffer (msgpackr packs into shared slabs) would
 * keep all of it alive.
 */
function ownCopy(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** The second-level folder of `key` ("tasks/r/" for "tasks/r/s/0"), or undefined for "runs/r" or "meta/". */
function folderOf(key: string): string | undefined {
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  return second < 0 ? undefined : key.slice(0, second + 1);
}
