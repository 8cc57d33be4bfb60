/**
 * RunCatalog: every run the leader knows, by id and in submission order — unfinished and
 * finished runs in memory with all their tasks, and finished runs dropped from memory once
 * compacted, kept as the summary their record carries. Listing, compaction and retention walk
 * it; the engine adds runs and marks them finished.
 */
import { notFound } from '../../core/errors.js';
import type { RunRecord, StepSummary } from '../state/records.js';
import { summarize, taskCount, type RunState, type RunSummary, type TaskState } from './run-state.js';

export class RunCatalog {
  /** Runs in memory with all their tasks: every unfinished run, and finished ones until dropped. */
  readonly runs = new Map<string, RunState>();
  /**
   * The finished runs in memory, oldest first (in the order they ended, were restored or were
   * loaded back): compaction and dropping walk it from the front, so each costs the runs it
   * takes, not every run in memory.
   */
  private readonly finished = new Map<string, RunState>();
  private finishedTaskCount = 0;
  /** Finished runs dropped from memory once compacted (see dropCompacted). */
  private readonly dropped = new Map<string, RunSummary>();
  /**
   * Every run, in memory or dropped, by its seq (submission order): listing the newest walks
   * down from the last seq instead of scanning every run. Scanning 120,000 dropped runs took
   * ~20 ms of the loop, mostly cache misses, and a leader may know millions.
   */
  private readonly idBySeq = new Map<number, string>();
  private seq = 0;
  /** Runs in memory not yet ended, per project: what --max-active-runs bounds. */
  private readonly activeByProject = new Map<string, number>();

  /** The seq of the next run submitted. */
  nextSeq(): number {
    return this.seq++;
  }

  has(runId: string): boolean {
    return this.runs.has(runId) || this.dropped.has(runId);
  }

  /** A run in memory: submitted, restored by a new leader, or loaded back. */
  add(run: RunState): void {
    this.seq = Math.max(this.seq, run.record.seq + 1);
    this.idBySeq.set(run.record.seq, run.record.id);
    this.runs.set(run.record.id, run);
    // Counted until markFinished: a run restored or loaded back ended is marked at once.
    this.activeByProject.set(run.job.project, (this.activeByProject.get(run.job.project) ?? 0) + 1);
  }

  /** Runs of `project` that have not ended. */
  activeRuns(project: string): number {
    return this.activeByProject.get(project) ?? 0;
  }

  /** A run in memory; a dropped one is only found by the engine's `load`. */
  get(runId: string): RunState {
    const run = this.runs.get(runId);
    if (!run) throw notFound(`no run "${runId}"`);
    return run;
  }

  task(runId: string, step: string, index: number): TaskState {
    const run = this.get(runId);
    const s = run.steps.get(step);
    if (!s) throw notFound(`run ${runId} has no step "${step}" (steps: ${run.order.join(', ')})`);
    const task = s.tasks?.[index];
    if (!task) throw notFound(`step "${step}" of run ${runId} has no task ${index}${s.tasks ? ` (it has ${s.tasks.length})` : ' yet'}`);
    return task;
  }

  droppedSummary(runId: string): RunSummary | undefined {
    return this.dropped.get(runId);
  }

  /** Takes a dropped run out of the dropped ones, to be added back in memory; false if it is not (any more) dropped. */
  undrop(runId: string): boolean {
    return this.dropped.delete(runId);
  }

  /**
   * A new leader's compacted, finished run that nothing unfinished depends on: kept as the
   * summary its record carries, its tasks left in the chunk store until something loads them.
   */
  restoreDropped(record: RunRecord, steps: StepSummary[]): void {
    this.seq = Math.max(this.seq, record.seq + 1);
    this.idBySeq.set(record.seq, record.id);
    // The job was checked when it was submitted; its name and project are all a summary needs.
    const job = record.job as { name: string; project?: string };
    this.dropped.set(record.id, { record, name: job.name, project: job.project ?? 'default', steps });
  }

  /** Summaries of the finished runs dropped from memory, oldest dropped first: for listings and retention. */
  droppedRuns(): IterableIterator<RunSummary> {
    return this.dropped.values();
  }

  /** A dropped run whose record was deleted (retention): it is gone for good. */
  forgetDropped(runId: string): void {
    const summary = this.dropped.get(runId);
    if (!summary) return;
    this.dropped.delete(runId);
    this.idBySeq.delete(summary.record.seq);
  }

  /** The `limit` most recently submitted runs `visible` lets through (all by default), newest first, in memory or as dropped summaries. */
  newestRuns(limit: number, visible?: (run: RunState | RunSummary) => boolean): Array<RunState | RunSummary> {
    const out: Array<RunState | RunSummary> = [];
    // Seqs are dense: a gap is only a submission whose record was never written.
    for (let seq = this.seq - 1, seen = 0; seq >= 0 && out.length < limit && seen < this.idBySeq.size; seq--) {
      const id = this.idBySeq.get(seq);
      if (id === undefined) continue;
      seen++;
      const run = this.runs.get(id) ?? this.dropped.get(id);
      if (run && (!visible || visible(run))) out.push(run);
    }
    return out;
  }

  /** The run has ended (or was restored or loaded back ended). */
  markFinished(run: RunState): void {
    this.finished.set(run.record.id, run);
    this.finishedTaskCount += taskCount(run);
    const active = (this.activeByProject.get(run.job.project) ?? 1) - 1;
    if (active > 0) this.activeByProject.set(run.job.project, active);
    else this.activeByProject.delete(run.job.project);
  }

  /** The finished runs in memory, oldest first: what compaction looks at. */
  finishedRuns(): IterableIterator<RunState> {
    return this.finished.values();
  }

  /** Tasks of the finished runs in memory: past a bound, compaction takes the oldest early. */
  get finishedTasks(): number {
    return this.finishedTaskCount;
  }

  /**
   * Drops from memory the oldest finished runs whose task records are compacted into the chunk
   * store, up to the first that is not, keeping a summary: the leader's memory then follows the
   * work in progress, not every task it ever ran (~2.9 KB each). `onDrop` is told each run
   * dropped. Returns what it dropped (the ids of the first 20 runs).
   */
  dropCompacted(onDrop: (runId: string) => void): { runs: number; tasks: number; runIds: string[] } {
    let runs = 0;
    let tasks = 0;
    const runIds: string[] = [];
    for (const run of this.finished.values()) {
      if (!run.record.tasksObject) break;
      this.finished.delete(run.record.id);
      this.dropped.set(run.record.id, summarize(run));
      this.runs.delete(run.record.id);
      onDrop(run.record.id);
      tasks += taskCount(run);
      if (runIds.length < 20) runIds.push(run.record.id);
      runs++;
    }
    this.finishedTaskCount -= tasks;
    return { runs, tasks, runIds };
  }
}
