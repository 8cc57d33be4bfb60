/**
 * Compaction of finished runs, so the state store stays small however many tasks have run: once
 * a run has been finished for `compactAfterMs`, its task records move into one chunk store object
 * and the run record keeps that object's id. One fenced write puts the new run record and
 * deletes the run's `tasks/` keys, so a failover sees either the old layout or the new one.
 * The leader then drops the run's tasks from memory (FlowEngine.dropCompacted) and reads the
 * object back when something needs them; a new leader reads it on load.
 *
 * The object is written first: if the leader dies before the swap, the object is unreferenced
 * and store GC removes it after its grace period.
 */
import { spliceArray } from '../../core/codec.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ChunkBackend } from '../../store/backend.js';
import { writeObject } from '../../store/uploader.js';
import { keys, putRecord } from '../state/records.js';
import type { StateStore, WriteOp } from '../state/state-store.js';
import { stepSummaries, type RunState } from './run-state.js';

export interface CompactionOptions {
  store: StateStore;
  chunks: ChunkBackend;
  persist: (ops: WriteOp[]) => Promise<void>;
  compactAfterMs: number;
  logger: Logger;
  now?: () => number;
  /** Runs compacted per pass at most, so one pass never holds the leader's loop for long. */
  runsPerPass?: number;
}

export class RunCompactor {
  private readonly now: () => number;

  constructor(private readonly opts: CompactionOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Compacts the runs that are due; returns how many it compacted. */
  async pass(runs: Iterable<RunState>): Promise<number> {
    const due = this.now() - this.opts.compactAfterMs;
    let compacted = 0;
    for (const run of runs) {
      if (compacted >= (this.opts.runsPerPass ?? 20)) break;
      const r = run.record;
      if (r.state === 'running' || r.tasksObject || (r.finishedAtMs ?? Infinity) > due) continue;
      try {
        await this.compact(run);
        compacted++;
      } catch (err) {
        this.opts.logger.warn({ runId: r.id, err: errorMessage(err) }, 'compacting a finished run failed; will try again');
        return compacted;
      }
    }
    return compacted;
  }

  private async compact(run: RunState): Promise<void> {
    const { store, chunks, persist } = this.opts;
    const entries = await store.list(keys.tasksOf(run.record.id));
    // The stored records are msgpack already: spliced into one array as they are, not decoded
    // and encoded again (that was ~5 µs a task, on the leader's loop).
    const tasksObject = await writeObject(chunks, spliceArray(entries.map(([, value]) => value)), 'value');
    const steps = stepSummaries(run);
    const record = { ...run.record, tasksObject, steps };
    await persist([putRecord(keys.run(record.id), record), { op: 'deletePrefix', prefix: keys.tasksOf(record.id) }]);
    run.record.tasksObject = tasksObject;
    run.record.steps = steps;
    this.opts.logger.debug({ runId: record.id, tasks: entries.length, tasksObject }, 'run compacted');
  }
}
