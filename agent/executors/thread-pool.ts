/**
 * A warm pool of worker threads that runs thread tasks.
 *
 * Spawning a Worker costs ~26 ms, so workers are kept and reused. A worker's heap limit
 * (resourceLimits) is fixed when it is spawned, so workers are grouped by memory limit: a task
 * runs on an idle worker of its own limit, or a new one is spawned (replacing an idle worker of
 * another limit when the pool is full).
 *
 * Short tasks are handed over in batches. Waking a worker for one message costs far more CPU
 * than a no-op task itself (~70 µs against a few), so an idle worker gets, in one message, as
 * many queued tasks as fit in a small time budget by the recent duration of their function
 * (its fair share of the queue, at most; only successful runs count, as a failure is often an
 * early throw). A function with no recent duration, or a long one, goes alone. The worker runs
 * its backlog in order and reports each task as it finishes.
 * A batch still unfinished well after its budget gives back the tasks it has not started, so
 * one unexpectedly long task holds up the rest for at most its own duration.
 *
 * The pool's queue is also where the tasks the scheduler prefetched for this agent wait (see
 * scheduler/placement/prefetch.ts): a worker is handed a task only while the tasks running
 * (the head of each worker's backlog) leave room for its CPU and memory in the agent's capacity,
 * in queue order. A batch holds tasks of one size, so the task at its head always counts as the
 * batch's one.
 *
 * A task counts as started, and its timeout runs, from when its worker reports the one before
 * it done (or from the hand-off, for the first of a batch). A task that throws fails alone.
 * One that overruns its timeout or is cancelled gets its ctx.signal aborted (or is dropped, if
 * its worker has not reached it), and if it has not finished after the grace period its worker
 * is terminated and replaced. A worker that exits or runs out of heap fails the task it was
 * running; the ones it had not reached run again.
 */
import { Worker } from 'node:worker_threads';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { OrderedClose } from '../../core/ordered-close.js';
import type { Resources } from '../../core/resources.js';
import type { ArtifactSource, Executor, TaskOutcome, TaskRun, ThreadTaskRun } from './executor.js';
import { killGroup, type TaskProcessGroups } from './task-process-groups.js';

const workerUrl = new URL('./thread-worker.js', import.meta.url);
const mib = 2 ** 20;
const minLimitMb = 64;
/** The estimated run time one batch may hold. */
const batchBudgetMs = 2;
const maxBatch = 128;
/** A batch not finished this long after its hand-off gives back the tasks not yet started. */
const reclaimAfterMs = 50;
/** A worker is handed its next task before it finishes the current one when its function takes at most this long. */
const topUpMaxMs = 25;
/** Functions whose recent duration is remembered. */
const maxEstimates = 1000;

export interface ThreadPoolOptions {
  /** Workers kept, and tasks run at once. */
  size: number;
  /** The memory limit of the workers spawned at start. */
  warmLimitBytes: number;
  /** How long an aborted task gets to finish before its worker is terminated. */
  abortGraceMs: number;
  /** Tasks waiting for a worker, at most. */
  maxQueue: number;
  /** The CPU and memory the tasks running at once may take together; unset: no limit but the workers. */
  capacity?: Pick<Resources, 'cpuMilli' | 'memoryBytes'>;
  /** Where the process groups tasks start are written down while they may run (see task-process-groups.ts). */
  processGroups?: TaskProcessGroups;
  logger: Logger;
}

interface Slot {
  /** Names the task in messages to and from its worker; unique per hand-off. */
  id: number;
  task: ThreadTaskRun;
  /** moduleUrl#exportName: what its duration estimate is kept under. */
  fn: string;
  limitMb: number;
  resolve: (outcome: TaskOutcome) => void;
  artifacts: ArtifactSource[];
  stopReason?: 'timeout' | 'cancel';
  /** Its outcome has been delivered. */
  finished: boolean;
  /** onStarted was called: a task given back and handed out again does not report it twice. */
  started: boolean;
  /** When it became the head of its worker's backlog (performance.now()). */
  runningSince?: number;
  timeout?: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
  detach?: () => void;
  /** Process groups the task started (one per child process): killed when it ends. */
  childGroups?: number[];
}

interface PooledWorker {
  worker: Worker;
  limitMb: number;
  /** Tasks handed over and not yet reported back, in run order: the head is running. */
  backlog: Slot[];
  /** The task running now holds this much of the agent's capacity (every task of a batch the same). */
  holds: { cpuMilli: number; memoryBytes: number } | undefined;
  reclaim?: NodeJS.Timeout;
}

export class ThreadPool implements Executor {
  readonly name = 'thread';
  private readonly workers = new Set<PooledWorker>();
  private readonly queue: Slot[] = [];
  /** Recent run time in ms by function (moving average). */
  private readonly estimates = new Map<string, number>();
  private nextId = 1;
  private dispatchQueued = false;
  private readonly closer: OrderedClose;
  /** What the tasks running now hold together (see PooledWorker.holds). */
  private readonly inUse = { cpuMilli: 0, memoryBytes: 0 };

  constructor(private readonly opts: ThreadPoolOptions) {
    const shutdown = failure('CANCELLED', 'the agent is shutting down');
    this.closer = new OrderedClose('thread pool', () => [
      { name: 'queued tasks', run: () => this.queue.splice(0).forEach((slot) => this.finish(slot, shutdown)) },
      {
        name: 'workers',
        run: () => Promise.all([...this.workers].map(async (w) => {
          for (const slot of w.backlog) this.finish(slot, shutdown);
          clearTimeout(w.reclaim);
          await w.worker.terminate();
        })).finally(() => this.workers.clear()),
      },
    ], opts.logger);
    const warm = limitMbOf(opts.warmLimitBytes);
    for (let i = 0; i < opts.size; i++) this.spawn(warm);
  }

  run(task: TaskRun): Promise<TaskOutcome> {
    if (task.kind !== 'thread') return Promise.resolve(failure('INVALID_ARGUMENT', `the thread pool cannot run a ${task.kind} task`));
    if (this.closed) return Promise.resolve(failure('CANCELLED', 'the agent is shutting down'));
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.resolve(failure('QUEUE_FULL', `the thread pool queue is full (${this.opts.maxQueue} tasks)`));
    }
    if (task.cancellation.cancelled) return Promise.resolve(failure('CANCELLED', 'cancelled before it started'));
    return new Promise((resolve) => {
      const slot: Slot = {
        id: this.nextId++, task, fn: `${task.moduleUrl}#${task.exportName}`, limitMb: limitMbOf(task.memoryBytes),
        resolve, artifacts: [], finished: false, started: false,
      };
      slot.detach = task.cancellation.onCancel(() => this.stop(slot, 'cancel'));
      this.queue.push(slot);
      this.dispatchSoon();
    });
  }

  /**
   * Dispatches once the tasks arriving together are all queued: an assignment message's tasks
   * reach run() one after another in the same turn, and handed out as they come each would go
   * alone (the first to an idle worker, the next as a top-up) instead of in batches.
   */
  private dispatchSoon(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  /** Idempotent: what waits or runs ends CANCELLED, the workers are terminated; every caller waits for the same shutdown. */
  close(): Promise<void> {
    return this.closer.close();
  }

  private get closed(): boolean {
    return this.closer.begun;
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      const head = this.queue[0]!;
      const worker = this.hasRoomFor(head.task) ? this.idleWorker(head.limitMb) : undefined;
      if (worker) {
        this.handOver(worker, this.takeBatch());
        continue;
      }
      const busy = this.workerToTopUp(head);
      if (!busy) return;
      this.topUp(busy, this.takeBatch());
    }
  }

  /**
   * A worker running a short task of the same size as `slot`, with nothing after it: it can take
   * `slot` (and a batch after it) as what it runs next, so that it does not sit idle between two
   * tasks while its 'done' makes the round trip through the main thread (~1-4 ms on a busy
   * machine: a tenth of a 10 ms task). What runs at once does not change: the worker runs its
   * backlog one task after another.
   */
  private workerToTopUp(slot: Slot): PooledWorker | undefined {
    const estimate = this.estimates.get(slot.fn);
    if (estimate === undefined || estimate > topUpMaxMs) return undefined;
    for (const w of this.workers) {
      if (w.backlog.length !== 1 || w.limitMb !== slot.limitMb || w.holds?.cpuMilli !== slot.task.cpuMilli || w.holds.memoryBytes !== slot.task.memoryBytes) continue;
      // Not behind a task that has already run longer than a short one would: that one may run
      // for minutes, and a task given back from behind it would only be put back there.
      const head = w.backlog[0]!;
      if (head.runningSince !== undefined && performance.now() - head.runningSince > topUpMaxMs) continue;
      return w;
    }
    return undefined;
  }

  /** Hands a busy worker what it runs next; given back if not started `reclaimAfterMs` from now. */
  private topUp(w: PooledWorker, batch: Slot[]): void {
    w.backlog.push(...batch);
    const message = runMessage(batch);
    w.worker.postMessage(message, [message.bytes]);
    committed(batch);
    clearTimeout(w.reclaim);
    w.reclaim = setTimeout(() => this.reclaim(w), reclaimAfterMs);
  }

  /** Whether the task's CPU and memory fit beside what runs now (anything fits an idle pool). */
  private hasRoomFor(task: TaskRun): boolean {
    const capacity = this.opts.capacity;
    if (!capacity || (this.inUse.cpuMilli === 0 && this.inUse.memoryBytes === 0)) return true;
    return this.inUse.cpuMilli + task.cpuMilli <= capacity.cpuMilli && this.inUse.memoryBytes + task.memoryBytes <= capacity.memoryBytes;
  }

  /** A worker's backlog is empty: what its batch held is free. */
  private idle(w: PooledWorker): void {
    if (!w.holds) return;
    this.inUse.cpuMilli -= w.holds.cpuMilli;
    this.inUse.memoryBytes -= w.holds.memoryBytes;
    w.holds = undefined;
  }

  /**
   * Queued tasks from the front for one worker: of one size (CPU and memory), of functions known
   * to be short, within the time budget and the worker's fair share of the queue. The first always.
   */
  private takeBatch(): Slot[] {
    const first = this.queue[0]!;
    let idle = this.opts.size - this.workers.size;
    for (const w of this.workers) if (!w.backlog.length) idle++;
    const share = Math.min(maxBatch, Math.ceil(this.queue.length / Math.max(1, idle)));
    const firstEstimate = this.estimates.get(first.fn);
    if (firstEstimate === undefined) return this.queue.splice(0, 1);
    let n = 1;
    let budget = batchBudgetMs - firstEstimate;
    while (n < share && n < this.queue.length) {
      const next = this.queue[n]!;
      const estimate = this.estimates.get(next.fn);
      const sameSize = next.task.cpuMilli === first.task.cpuMilli && next.task.memoryBytes === first.task.memoryBytes;
      if (!sameSize || estimate === undefined || estimate > budget) break;
      budget -= estimate;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /** An idle worker with the given memory limit, spawning or replacing one if need be. */
  private idleWorker(limitMb: number): PooledWorker | undefined {
    let other: PooledWorker | undefined;
    for (const w of this.workers) {
      if (w.backlog.length) continue;
      if (w.limitMb === limitMb) return w;
      other ??= w;
    }
    if (this.workers.size < this.opts.size) return this.spawn(limitMb);
    if (!other) return undefined;
    this.retire(other);
    return this.spawn(limitMb);
  }

  private handOver(w: PooledWorker, batch: Slot[]): void {
    const { cpuMilli, memoryBytes } = batch[0]!.task;
    w.holds = { cpuMilli, memoryBytes };
    this.inUse.cpuMilli += cpuMilli;
    this.inUse.memoryBytes += memoryBytes;
    w.backlog.push(...batch);
    const message = runMessage(batch);
    w.worker.postMessage(message, [message.bytes]);
    committed(batch);
    if (batch.length > 1) w.reclaim = setTimeout(() => this.reclaim(w), reclaimAfterMs);
    this.headStarted(w);
  }

  /**
   * The head of a backlog is running (the worker starts each task as soon as it has posted the
   * previous one's 'done'): it counts as started, and its timeout runs, from now.
   */
  private headStarted(w: PooledWorker): void {
    const slot = w.backlog[0];
    if (!slot) return;
    if (slot.stopReason) this.armGrace(w, slot); // stopped while waiting, and reached anyway
    if (slot.finished) return;
    slot.runningSince ??= performance.now();
    if (!slot.started) {
      slot.started = true;
      slot.task.onStarted(Date.now());
    }
    if (slot.task.timeoutMs > 0) slot.timeout ??= setTimeout(() => this.stop(slot, 'timeout'), slot.task.timeoutMs);
  }

  /** Asks a worker to give back the tasks of its backlog it has not started. */
  private reclaim(w: PooledWorker): void {
    w.reclaim = undefined;
    if (w.backlog.length > 1) w.worker.postMessage({ type: 'give-back' });
  }

  /**
   * Stops a task: one still queued, or not reached by its worker, ends at once; a running one
   * gets ctx.signal aborted, and its worker is terminated if it does not end within the grace.
   */
  private stop(slot: Slot, reason: 'timeout' | 'cancel'): void {
    if (slot.stopReason || slot.finished) return;
    slot.stopReason = reason;
    const queued = this.queue.indexOf(slot);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(slot, stoppedOutcome(slot));
      return;
    }
    const w = this.holderOf(slot);
    if (!w) return;
    w.worker.postMessage({ type: 'abort', id: slot.id, reason: reason === 'timeout' ? 'timeout' : 'cancelled' });
    if (w.backlog[0] === slot) this.armGrace(w, slot);
    else this.finish(slot, stoppedOutcome(slot)); // the worker drops it, or aborts it should it have just started
  }

  private armGrace(w: PooledWorker, slot: Slot): void {
    slot.grace ??= setTimeout(() => {
      if (w.backlog[0] !== slot || !this.workers.has(w)) return;
      this.opts.logger.warn({ taskId: slot.task.taskId, reason: slot.stopReason }, 'task did not stop in time; terminating its worker');
      this.retire(w);
      this.vacate(w, stoppedOutcome(slot));
      this.replenish();
    }, this.opts.abortGraceMs);
  }

  private holderOf(slot: Slot): PooledWorker | undefined {
    for (const w of this.workers) if (w.backlog.includes(slot)) return w;
    return undefined;
  }

  private spawn(limitMb: number): PooledWorker {
    const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: limitMb }, stdout: false, stderr: false });
    const w: PooledWorker = { worker, limitMb, backlog: [], holds: undefined };
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
      this.vacate(w, crash ?? failure('WORKER_EXITED', `the task's worker exited with code ${code}`));
      this.replenish();
    });
    return w;
  }

  /**
   * Empties the backlog of a worker that is gone: the running task ends with `outcome` (or as
   * stopped, if it was being stopped); the tasks it had not reached go back to the queue front.
   */
  private vacate(w: PooledWorker, outcome: TaskOutcome): void {
    clearTimeout(w.reclaim);
    this.idle(w);
    const [head, ...rest] = w.backlog.splice(0);
    if (head && !head.finished) this.finish(head, head.stopReason ? stoppedOutcome(head) : outcome);
    this.queue.unshift(...rest.filter((s) => !s.finished));
  }

  private onMessage(w: PooledWorker, msg: WorkerMessage): void {
    if (msg.type === 'given-back') {
      const ids = new Set(msg.ids);
      const back = w.backlog.filter((s) => ids.has(s.id) && !s.finished);
      w.backlog = w.backlog.filter((s) => !ids.has(s.id));
      for (const slot of back) {
        // Its timeout runs again from when another worker reaches it.
        clearTimeout(slot.timeout);
        slot.timeout = undefined;
        slot.runningSince = undefined;
      }
      this.queue.unshift(...back);
      if (!w.backlog.length) this.idle(w);
      this.headStarted(w);
      this.dispatch();
      return;
    }
    const slot = msg.id === w.backlog[0]?.id ? w.backlog[0] : w.backlog.find((s) => s.id === msg.id);
    if (!slot) return;
    if (msg.type === 'child') {
      (slot.childGroups ??= []).push(msg.pid);
      this.opts.processGroups?.add(msg.pid);
    }
    else if (msg.type === 'log') slot.task.onLog(msg.stream, msg.text);
    else if (msg.type === 'artifact') slot.artifacts.push({ name: msg.name, bytes: msg.bytes });
    else {
      w.backlog.splice(w.backlog.indexOf(slot), 1);
      // Only a success says how long the function runs: a failure is often a throw at its start.
      if (msg.ok && msg.ms !== undefined) this.estimate(slot.fn, msg.ms);
      if (!slot.finished) {
        this.finish(slot, slot.stopReason ? stoppedOutcome(slot)
          : msg.ok ? { ok: true, result: msg.result, runMs: msg.ms } : { ok: false, error: msg.error, runMs: msg.ms });
      }
      this.headStarted(w);
      if (!w.backlog.length) {
        clearTimeout(w.reclaim);
        this.idle(w);
      }
      this.dispatch();
    }
  }

  private estimate(fn: string, ms: number): void {
    const previous = this.estimates.get(fn);
    this.estimates.delete(fn); // re-inserted last: the map's order is least recently used first
    if (this.estimates.size >= maxEstimates) this.estimates.delete(this.estimates.keys().next().value!);
    this.estimates.set(fn, previous === undefined ? ms : previous * 0.8 + ms * 0.2);
  }

  private finish(slot: Slot, outcome: TaskOutcome): void {
    if (slot.finished) return;
    slot.finished = true;
    for (const group of slot.childGroups ?? []) {
      if (this.opts.processGroups) this.opts.processGroups.kill(group);
      else killGroup(group);
    }
    clearTimeout(slot.timeout);
    clearTimeout(slot.grace);
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
  | { type: 'log'; id: number; stream: string; text: string }
  | { type: 'artifact'; id: number; name: string; bytes: Uint8Array }
  | { type: 'done'; id: number; ms?: number; ok: true; result: Uint8Array }
  | { type: 'done'; id: number; ms?: number; ok: false; error: { code: string; message: string; stack: string } }
  | { type: 'given-back'; ids: number[] }
  | { type: 'child'; id: number; pid: number };

/** A batch for a worker; see the message list in thread-worker.js. */
interface RunMessage {
  type: 'run';
  /** Module URL and export name of each function the batch runs, one after the other. */
  fns: string[];
  /** Every task's input, params and item, each distinct array once; transferred, not copied. */
  bytes: ArrayBuffer;
  /** Inputs in memory shared with the workers (fetched big inputs): passed by reference, never copied. */
  shared: SharedArrayBuffer[];
  /**
   * Ten numbers per task: id, function (index into fns / 2), attempt, the start and end of its
   * input, params and item in `bytes`, and the index in `shared` its input is in (-1: in bytes).
   */
  tasks: number[];
}

/**
 * Cloning objects that carry three small byte arrays each (an ArrayBuffer apiece) was the
 * largest item of an agent's main thread in no-op sweeps (postMessage, ~17% of it): a batch goes
 * as one transferred buffer and numbers instead (in isolation, 64-task batches: ~3.4 against
 * ~1.1 µs a task, both threads).
 * Arrays shared by the batch's tasks (a step's params, its shared input) go in once. The bytes
 * are copied out of the gRPC frame they are views of, so the worker never holds a frame; an
 * input in shared memory stays there.
 */
function runMessage(batch: readonly Slot[]): RunMessage {
  const fns: string[] = [];
  const fnIndex = new Map<string, number>();
  const offsets = new Map<Uint8Array, number>();
  const parts: Uint8Array[] = [];
  const shared: SharedArrayBuffer[] = [];
  let size = 0;
  const place = (b: Uint8Array): number => {
    let at = offsets.get(b);
    if (at === undefined) {
      at = size;
      offsets.set(b, at);
      parts.push(b);
      size += b.length;
    }
    return at;
  };
  const tasks: number[] = [];
  for (const { id, fn, task } of batch) {
    let f = fnIndex.get(fn);
    if (f === undefined) {
      f = fns.length / 2;
      fnIndex.set(fn, f);
      fns.push(task.moduleUrl, task.exportName);
    }
    const inShared = task.input.buffer instanceof SharedArrayBuffer;
    let sharedIndex = -1;
    if (inShared) {
      sharedIndex = shared.indexOf(task.input.buffer as SharedArrayBuffer);
      if (sharedIndex < 0) sharedIndex = shared.push(task.input.buffer as SharedArrayBuffer) - 1;
    }
    const input = inShared ? task.input.byteOffset : place(task.input);
    const params = place(task.params);
    const item = place(task.item);
    tasks.push(id, f, task.attempt, input, input + task.input.length, params, params + task.params.length, item, item + task.item.length, sharedIndex);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { type: 'run', fns, bytes: bytes.buffer, shared, tasks };
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

/**
 * A worker runs its backlog one task after another, starting the next as soon as it has posted
 * the previous one's 'done': a task behind the head may already run while this thread still
 * counts it as waiting. So a task posted to a worker is committed: the agent no longer gives it
 * back unstarted (it would run twice, here and wherever the scheduler sends it next).
 */
function committed(batch: Slot[]): void {
  for (const slot of batch) slot.task.onCommitted?.();
}

