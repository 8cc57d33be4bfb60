/**
 * Compaction of finished runs, so the state store stays small however many tasks have run: once
 * a run has been finished for `compactAfterMs`, its task records move into a chunk store object
 * and the run record keeps that object's id. Small runs share an object (up to `groupTasks`
 * tasks), so a stream of single-task runs costs one object and a few writes per group, not per
 * run; a run's records are told apart inside it by their runId.
 *
 * One fenced write puts a run's new record and deletes its `tasks/` keys, so a failover sees
 * either the old layout or the new one. The leader then drops the run's tasks from memory
 * (FlowEngine.dropCompacted) and reads the object back when something needs them; a new leader
 * reads it on load. The object is written first: if the leader dies before the swap, the
 * object is unreferenced and store GC removes it after its grace period.
 */
import { yieldToLoop } from '../../core/abortable.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ChunkBackend } from '../../store/backend.js';
import { writeObject } from '../../store/uploader.js';
import { keys, putRecord } from '../state/records.js';
import { opBytes, type CommitLimits, type StateStore, type WriteOp } from '../state/state-store.js';
import { stepSummaries, taskCount, type RunState } from './run-state.js';

export interface CompactionOptions {
  store: StateStore;
  chunks: ChunkBackend;
  persist: (ops: WriteOp[]) => Promise<void>;
  compactAfterMs: number;
  logger: Logger;
  now?: () => number;
  /**
   * Tasks one object gathers from several runs; a run with more has an object of its own.
   * Reading one run back reads its whole object, so this bounds what a small run costs to read.
   */
  groupTasks?: number;
  /**
   * Tasks of finished runs the leader keeps in memory: past it, the oldest finished runs are
   * compacted (and dropped) before `compactAfterMs`, so a burst of runs cannot outgrow memory.
   */
  maxFinishedTasks: number;
}

const sliceBytes = 1024 * 1024;

export class RunCompactor {
  private readonly now: () => number;
  private readonly groupTasks: number;

  constructor(private readonly opts: CompactionOptions) {
    this.now = opts.now ?? Date.now;
    this.groupTasks = opts.groupTasks ?? 1_000;
  }

  /**
   * Compacts the next group of due runs among `finished` (oldest first, as FlowEngine keeps
   * them, with `finishedTasks` tasks in all); returns how many runs it compacted, 0 when none
   * is due. A failure is logged and counts as none: the same runs are tried again later.
   */
  async compactNext(finished: Iterable<RunState>, finishedTasks: number): Promise<number> {
    const group = this.nextGroup(finished, finishedTasks);
    if (group.length === 0) return 0;
    try {
      await this.compact(group);
      return group.length;
    } catch (err) {
      this.opts.logger.warn({ runs: group.length, firstRunId: group[0]!.record.id, err: errorMessage(err) }, 'compacting finished runs failed; will try again');
      return 0;
    }
  }

  /**
   * The oldest due runs (finished `compactAfterMs` ago, or taking memory past
   * `maxFinishedTasks`), as many as share one object and one write of the store's limits.
   */
  private nextGroup(finished: Iterable<RunState>, finishedTasks: number): RunState[] {
    const due = this.now() - this.opts.compactAfterMs;
    const maxRuns = Math.max(1, Math.floor(this.opts.store.limits.maxOpsPerCommit / 2));
    let excess = finishedTasks - this.opts.maxFinishedTasks;
    const group: RunState[] = [];
    let tasks = 0;
    for (const run of finished) {
      const n = taskCount(run);
      if (run.record.tasksObject) { // loaded back after compaction: only to be dropped
        excess -= n;
        continue;
      }
      if (excess <= 0 && (run.record.finishedAtMs ?? Infinity) > due) break;
      if (group.length > 0 && (group.length === maxRuns || tasks + n > this.groupTasks)) break;
      group.push(run);
      tasks += n;
      excess -= n;
    }
    return group;
  }

  private async compact(group: RunState[]): Promise<void> {
    const { store, chunks, persist } = this.opts;
    const entries = await Promise.all(group.map((run) => store.list(keys.tasksOf(run.record.id))));
    // The stored values (segments of records, msgpack already) go into the object one after
    // another as they are, in the order written: not decoded and encoded again (that was ~5 µs
    // a task on the leader's loop), nor spliced into one buffer (a run of a million tasks is
    // ~200 MB of them); readers take each task's last record.
    const tasksObject = await writeObject(chunks, inSlices(entries.flat().map(([, value]) => value)), 'value');
    const segments = entries.flat().length;
    const updates = group.map((run) => ({ run, steps: stepSummaries(run) }));
    const perRun = updates.map(({ run, steps }): WriteOp[] => [
      putRecord(keys.run(run.record.id), { ...run.record, tasksObject, steps }),
      { op: 'deletePrefix', prefix: keys.tasksOf(run.record.id) },
    ]);
    await Promise.all(packWrites(perRun, store.limits).map(persist));
    for (const { run, steps } of updates) {
      run.record.tasksObject = tasksObject;
      run.record.steps = steps;
    }
    this.opts.logger.debug({ runs: group.length, segments, tasksObject }, 'runs compacted');
  }
}

/** The values, a slice of about a megabyte at a time, the event loop given back between slices. */
async function* inSlices(values: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  let slice: Uint8Array[] = [];
  let size = 0;
  for (const value of values) {
    slice.push(value);
    size += value.length;
    if (size < sliceBytes) continue;
    yield Buffer.concat(slice, size);
    slice = [];
    size = 0;
    await yieldToLoop();
  }
  if (size > 0) yield Buffer.concat(slice, size);
}

/** Whole runs' operations packed into as few writes as the store's limits allow. */
function packWrites(perRun: WriteOp[][], limits: CommitLimits): WriteOp[][] {
  const writes: WriteOp[][] = [];
  let current: WriteOp[] = [];
  let bytes = 0;
  for (const ops of perRun) {
    const size = ops.reduce((n, op) => n + opBytes(op), 0);
    if (current.length > 0 && (current.length + ops.length > limits.maxOpsPerCommit || bytes + size > limits.maxBytesPerCommit)) {
      writes.push(current);
      current = [];
      bytes = 0;
    }
    current.push(...ops);
    bytes += size;
  }
  if (current.length > 0) writes.push(current);
  return writes;
}
