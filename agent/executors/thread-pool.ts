/**
 * A warm pool of worker threads that runs thread tasks, one task per worker at a time.
 *
 * Spawning a Worker costs ~26 ms and a round trip to a warm one ~0.06 ms, so workers are kept
 * and reused. A worker's heap limit (resourceLimits) is fixed when it is spawned, so workers
 * are grouped by memory limit: a task runs on an idle worker of its own limit, or a new one is
 * spawned (replacing an idle worker of another limit when the pool is full).
 *
 * A task that throws fails alone. One that overruns its timeout or is cancelled gets its
 * ctx.signal aborted, and if it has not finished after the grace period its worker is
 * terminated and replaced. A worker that exits or runs out of heap fails its task alone.
 */
import { Worker } from 'node:worker_threads';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ArtifactSource, Executor, TaskOutcome, TaskRun } from './executor.js';

const workerUrl = new URL('./thread-worker.js', import.meta.url);
const mib = 2 ** 20;
const minLimitMb = 64;

export interface ThreadPoolOptions {
  /** Workers kept, and tasks run at once. */
  size: number;
  /** The memory limit of the workers spawned at start. */
  warmLimitBytes: number;
  /** How long an aborted task gets to finish before its worker is terminated. */
  abortGraceMs: number;
  /** Tasks waiting for a worker, at most. */
  maxQueue: number;
  logger: Logger;
}

interface Slot {
  task: TaskRun;
  limitMb: number;
  resolve: (outcome: TaskOutcome) => void;
  artifacts: ArtifactSource[];
  stopReason?: 'timeout' | 'cancel';
  timers: NodeJS.Timeout[];
  detach?: () => void;
}

interface PooledWorker {
  worker: Worker;
  limitMb: number;
  slot: Slot | null;
}

export class ThreadPool implements Executor {
  readonly name = 'thread';
  private readonly workers = new Set<PooledWorker>();
  private readonly queue: Slot[] = [];
  private closed = false;

  constructor(private readonly opts: ThreadPoolOptions) {
    const warm = limitMbOf(opts.warmLimitBytes);
    for (let i = 0; i < opts.size; i++) this.spawn(warm);
  }

  get busy(): number {
    let n = 0;
    for (const w of this.workers) if (w.slot) n++;
    return n;
  }

  run(task: TaskRun): Promise<TaskOutcome> {
    if (this.closed) return Promise.resolve(failure('CANCELLED', 'the agent is shutting down'));
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.resolve(failure('QUEUE_FULL', `the thread pool queue is full (${this.opts.maxQueue} tasks)`));
    }
    return new Promise((resolve) => {
      const slot: Slot = { task, limitMb: limitMbOf(task.memoryBytes), resolve, artifacts: [], timers: [] };
      if (task.signal.aborted) {
        resolve(failure('CANCELLED', 'cancelled before it started'));
        return;
      }
      const onAbort = () => this.stop(slot, 'cancel');
      task.signal.addEventListener('abort', onAbort, { once: true });
      slot.detach = () => task.signal.removeEventListener('abort', onAbort);
      this.queue.push(slot);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.queue.splice(0)) this.finish(slot, failure('CANCELLED', 'the agent is shutting down'));
    await Promise.all([...this.workers].map(async (w) => {
      if (w.slot) this.finish(w.slot, failure('CANCELLED', 'the agent is shutting down'));
      await w.worker.terminate();
    }));
    this.workers.clear();
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      const slot = this.queue[0]!;
      const worker = this.idleWorker(slot.limitMb);
      if (!worker) return;
      this.queue.shift();
      this.start(worker, slot);
    }
  }

  /** An idle worker with the slot's memory limit, spawning or replacing one if need be. */
  private idleWorker(limitMb: number): PooledWorker | undefined {
    let other: PooledWorker | undefined;
    for (const w of this.workers) {
      if (w.slot) continue;
      if (w.limitMb === limitMb) return w;
      other ??= w;
    }
    if (this.workers.size < this.opts.size) return this.spawn(limitMb);
    if (!other) return undefined;
    this.retire(other);
    return this.spawn(limitMb);
  }

  private start(w: PooledWorker, slot: Slot): void {
    const { task } = slot;
    w.slot = slot;
    task.onStarted(Date.now());
    w.worker.postMessage({
      type: 'run',
      taskId: task.taskId,
      url: task.moduleUrl,
      module: task.moduleUrl,
      exportName: task.exportName,
      input: detached(task.input),
      params: detached(task.params),
      item: detached(task.item),
      attempt: task.attempt,
    });
    if (task.timeoutMs > 0) slot.timers.push(setTimeout(() => this.stop(slot, 'timeout'), task.timeoutMs));
  }

  /** Asks a task to stop (ctx.signal); terminates its worker if it does not within the grace. */
  private stop(slot: Slot, reason: 'timeout' | 'cancel'): void {
    if (slot.stopReason) return;
    slot.stopReason = reason;
    const queued = this.queue.indexOf(slot);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(slot, stoppedOutcome(slot));
      return;
    }
    const w = [...this.workers].find((x) => x.slot === slot);
    if (!w) return;
    w.worker.postMessage({ type: 'abort', taskId: slot.task.taskId, reason: reason === 'timeout' ? 'timeout' : 'cancelled' });
    slot.timers.push(setTimeout(() => {
      if (w.slot !== slot) return;
      this.opts.logger.warn({ taskId: slot.task.taskId, reason }, 'task did not stop in time; terminating its worker');
      this.finish(slot, stoppedOutcome(slot));
      w.slot = null;
      this.retire(w);
      this.replenish();
    }, this.opts.abortGraceMs));
  }

  private spawn(limitMb: number): PooledWorker {
    const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: limitMb }, stdout: false, stderr: false });
    const w: PooledWorker = { worker, limitMb, slot: null };
    this.workers.add(w);
    worker.unref();
    worker.on('message', (msg: WorkerMessage) => this.onMessage(w, msg));
    let crash: TaskOutcome | undefined;
    worker.on('error', (err: Error & { code?: string }) => {
      crash = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? failure('OUT_OF_MEMORY', `out of memory (limit ${limitMb} MiB)`)
        : failure('WORKER_EXITED', `the task's worker crashed: ${err.message}`, err.stack);
    });
    worker.on('exit', (code) => {
      if (!this.workers.delete(w)) return;
      if (w.slot) {
        const slot = w.slot;
        w.slot = null;
        this.finish(slot, slot.stopReason ? stoppedOutcome(slot) : crash ?? failure('WORKER_EXITED', `the task's worker exited with code ${code}`));
      }
      this.replenish();
    });
    return w;
  }

  private onMessage(w: PooledWorker, msg: WorkerMessage): void {
    const slot = w.slot;
    if (!slot || msg.taskId !== slot.task.taskId) return;
    if (msg.type === 'log') slot.task.onLog(msg.stream, msg.text);
    else if (msg.type === 'artifact') slot.artifacts.push({ name: msg.name, bytes: msg.bytes });
    else if (msg.type === 'done') {
      w.slot = null;
      const outcome: TaskOutcome = slot.stopReason ? stoppedOutcome(slot)
        : msg.ok ? { ok: true, result: msg.result } : { ok: false, error: msg.error };
      this.finish(slot, outcome);
      this.dispatch();
    }
  }

  private finish(slot: Slot, outcome: TaskOutcome): void {
    for (const t of slot.timers) clearTimeout(t);
    slot.detach?.();
    slot.resolve(slot.artifacts.length ? { ...outcome, artifacts: slot.artifacts } : outcome);
  }

  private retire(w: PooledWorker): void {
    this.workers.delete(w);
    void w.worker.terminate();
  }

  /** Keeps the pool warm after a worker died, and runs what waits. */
  private replenish(): void {
    if (this.closed) return;
    if (this.workers.size < this.opts.size) this.spawn(this.queue[0]?.limitMb ?? limitMbOf(this.opts.warmLimitBytes));
    this.dispatch();
  }
}

type WorkerMessage =
  | { type: 'log'; taskId: string; stream: string; text: string }
  | { type: 'artifact'; taskId: string; name: string; bytes: Uint8Array }
  | { type: 'done'; taskId: string; ok: true; result: Uint8Array }
  | { type: 'done'; taskId: string; ok: false; error: { code: string; message: string; stack: string } };

/**
 * A copy with its own exact-size ArrayBuffer. Values decoded from a gRPC message are views
 * into the whole received frame, and postMessage clones a view's entire underlying buffer:
 * sending the view would copy the frame (a batch of thousands of assignments) per task.
 */
function detached(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function limitMbOf(bytes: number): number {
  return Math.max(minLimitMb, Math.ceil(bytes / mib));
}

function stoppedOutcome(slot: Slot): TaskOutcome {
  return slot.stopReason === 'timeout'
    ? failure('TIMEOUT', `timed out after ${slot.task.timeoutMs} ms`)
    : failure('CANCELLED', 'cancelled');
}

function failure(code: ClusterError['code'], message: string, stack?: string): TaskOutcome {
  return { ok: false, error: { code, message, ...(stack ? { stack } : {}) } };
}
