/**
 * How a run moves on: steps are expanded (a big one a slice at a time), ready tasks are queued
 * or settled at once (reused on resume, or carrying an upstream failure under catch), and the
 * run ends when all is done, when a task fails without catch, or when it is cancelled.
 */
import { errorMessage } from '../../core/errors.js';
import type { ErrorInfo } from '../state/records.js';
import { expandSoon } from './effects.js';
import type { FlowCore } from './flow-core.js';
import {
  allDone, dependentsOf, expandStep, failedParentItem, isTerminal, parentsSettled, reusable, tasksOf,
  type RunState, type StepRun, type TaskState,
} from './run-state.js';
import { setResultFields, taskRecord } from './task-records.js';

/** Tasks a big step gets made per slice, and how long slices may take per turn of the event loop. */
export const expandSliceTasks = 2_000;
const expandTurnMs = 10;
/**
 * How far a step being expanded may run ahead of placement: it is made no further while this
 * many of its tasks are queued, and goes on as they are placed. A second of work at the
 * throughput of a 2-core machine; it keeps the wait queues (and their maps, whose growth past a
 * million entries rehashes for a few hundred milliseconds) the size of what can be placed soon.
 */
const expandAheadTasks = 10_000;

/**
 * Expands what can be expanded, queues what is ready, and ends the run when all is done. With
 * `settled`, only the tasks that depend on it are looked at, so a task's end costs its
 * dependents, not the run's size. Tasks settled here (reused, or carrying an upstream
 * failure) may unlock expansions, hence the loop.
 */
export function advance(core: FlowCore, run: RunState, settled?: TaskState, work: TaskState[] = settled ? dependentsOf(run, settled) : [...tasksOf(run)], continueExpansion = false): void {
  if (run.record.state !== 'running') return;
  // A big step gets one slice of tasks per call; the rest come from expandMore, a turn at a
  // time. Only expandMore goes on with a step already being expanded: a turn that settles a
  // thousand tasks would otherwise make a thousand slices.
  const sliced = new Set<string>();
  for (;;) {
    let expanded = false;
    try {
      for (const name of run.order) {
        if (sliced.has(name)) continue;
        const step = run.steps.get(name)!;
        if (step.expanding && (!continueExpansion || !roomToExpand(step))) {
          sliced.add(name);
          continue;
        }
        const created = expandStep(run, name, expandSliceTasks, core.maxForeachItems);
        if (step.expanding) sliced.add(name);
        if (!created) continue;
        expanded = true;
        for (const t of created) work.push(t);
      }
    } catch (err) {
      endRun(core, run, 'failed', { code: 'TASK_FAILED', message: errorMessage(err) });
      return;
    }
    if (core.recovering) break;
    const settledHere = startReady(core, run, work);
    if (!expanded && !settledHere) break;
    work = [];
  }
  if (sliced.size > 0) {
    core.expanding.add(run);
    core.emit(expandSoon);
  }
  // A run's end first: its final status is then written ahead of the placement pass. A run
  // with a failed foreach item ends once nothing of it is queued, running or retrying.
  if (run.failure && !core.recovering && activeTasks(run) === 0) endRun(core, run, 'failed', failureOf(run));
  else if (!run.failure && allDone(run)) endRun(core, run, 'succeeded');
  core.schedulePass();
  core.notify(run.record.id);
}

/**
 * Makes the next slices of the steps being expanded, for at most `expandTurnMs` of this turn
 * of the event loop, queueing the tasks that are ready; the rest waits for the next turn. A
 * step with `expandAheadTasks` queued waits for the placement pass to make room (see
 * placement-pass.ts). A million-item foreach is made as it runs, never all at once.
 */
export function expandMore(core: FlowCore): void {
  const deadline = performance.now() + expandTurnMs;
  let more = false;
  for (const run of [...core.expanding]) {
    if (run.record.state !== 'running' || core.recovering) {
      core.expanding.delete(run);
      continue;
    }
    if (!canExpand(run)) continue;
    if (performance.now() > deadline) {
      more = true;
      break;
    }
    core.expanding.delete(run);
    advance(core, run, undefined, [], true);
    more ||= core.expanding.has(run) && canExpand(run);
  }
  if (more) core.emit(expandSoon);
}

/** Placed tasks made room: steps being expanded may make more. */
export function roomMade(core: FlowCore): void {
  if (core.expanding.size > 0) core.emit(expandSoon);
}

/** Queues the ready tasks of `work`, or settles them at once; returns whether any settled. */
function startReady(core: FlowCore, run: RunState, work: TaskState[]): boolean {
  let settledAny = false;
  for (let i = 0; i < work.length; i++) {
    const task = work[i]!;
    if (task.state !== 'pending' || !parentsSettled(run, task)) continue;
    const failedParent = failedParentItem(run, task);
    const earlier = failedParent ? undefined : reusable(run, task);
    if (!failedParent && !earlier) {
      core.queue(task);
      continue;
    }
    if (earlier) reuse(core, run, task, earlier);
    else {
      // The item failed upstream under catch: carry the failure on to the join.
      task.caught = true;
      task.error = failedParent!.error ?? { code: 'TASK_FAILED', message: 'an earlier step of this item failed' };
      core.transition(run, task, 'failed');
    }
    settledAny = true;
    work.push(...dependentsOf(run, task));
  }
  return settledAny;
}

/**
 * Resume: takes an earlier run's result for this task instead of running it. Its record is
 * written without waiting: if it is lost, recovery finds the task unrecorded and reuses it again.
 */
function reuse(core: FlowCore, run: RunState, task: TaskState, earlier: TaskState): void {
  task.result = earlier.result;
  if (earlier.resultObject) task.resultObject = earlier.resultObject;
  if (earlier.artifacts) task.artifacts = earlier.artifacts;
  task.attempts = earlier.attempts;
  task.attempt = earlier.attempt;
  task.startedAtMs = earlier.startedAtMs;
  task.finishedAtMs = earlier.finishedAtMs;
  task.reusedFrom = earlier.reusedFrom ?? earlier.runId;
  run.steps.get(task.step)!.reused++;
  core.transition(run, task, 'succeeded');
  const record = taskRecord(task, task.attempts, 'succeeded');
  record.reusedFrom = task.reusedFrom;
  setResultFields(record, task);
  core.emit({ kind: 'writeTask', record });
}

/** A task failed without catch: the run fails now, or (a foreach item) once its siblings are done. */
export function taskFailed(core: FlowCore, run: RunState, task: TaskState, error: ErrorInfo | undefined): void {
  const failure = { code: error?.code ?? 'TASK_FAILED', message: `${task.step}/${task.index} failed: ${error?.message ?? 'unknown error'}` };
  if (!failsSlowly(run, task)) {
    endRun(core, run, 'failed', failure);
    return;
  }
  // Its siblings run to their end (resume then re-runs only what failed); the run fails after.
  run.failure ??= failure;
  run.failedTasks++;
  advance(core, run, task);
}

export function cancelRun(core: FlowCore, run: RunState): void {
  endRun(core, run, 'cancelled', { code: 'CANCELLED', message: 'cancelled by request' });
}

/**
 * Ends a run once: what of it is queued is dropped, what runs is stopped, its watchers are told
 * and its final record written.
 */
export function endRun(core: FlowCore, run: RunState, state: 'succeeded' | 'failed' | 'cancelled', error?: ErrorInfo): void {
  if (run.record.state !== 'running') return;
  run.record.state = state;
  run.record.finishedAtMs = core.now();
  core.catalog.markFinished(run);
  if (error) run.record.error = error;
  // A run that succeeded has no open task: a million of them need not be looked at.
  for (const task of run.open > 0 ? tasksOf(run) : []) {
    if (isTerminal(task.state)) continue;
    if (task.state === 'queued') core.placer.dequeue(task.id);
    if (task.state === 'running') {
      core.emit({ kind: 'cancel', agentId: task.agentId!, ref: { task_id: task.id, attempt: task.attempt }, reason: state });
      core.placer.release(task.id);
    }
    if (task.state === 'retrying') core.emit({ kind: 'clearTimer', key: task.id });
    core.transition(run, task, 'cancelled');
    core.logs.end(task.id);
  }
  // Watchers first: the final status is on its way to clients before the record is written.
  core.notify(run.record.id);
  core.logger.info({ runId: run.record.id, state, error: error?.message }, 'run ended');
  core.emit({ kind: 'writeRun', record: run.record });
}

/**
 * Whether a failed task (no catch) lets its run go on until the rest of it is done: a foreach
 * item's, unless its step says fail_fast.
 */
function failsSlowly(run: RunState, task: TaskState): boolean {
  const step = run.steps.get(task.step)!;
  return step.scope !== null && !step.spec.join && !step.spec.failFast;
}

/** Tasks of the run queued, running or retrying: while there are any, a failing run waits for them. */
function activeTasks(run: RunState): number {
  let n = 0;
  for (const step of run.steps.values()) n += step.count.queued + step.count.running + step.count.retrying;
  return n;
}

/** The error a run that failed slowly ends with: its first failure, and how many failed. */
function failureOf(run: RunState): ErrorInfo {
  const first = run.failure!;
  return run.failedTasks > 1 ? { ...first, message: `${first.message} (and ${run.failedTasks - 1} more failed)` } : first;
}

/** Whether a step being expanded may make more now: fewer than `expandAheadTasks` of it queued. */
function roomToExpand(step: StepRun): boolean {
  return step.count.queued < expandAheadTasks;
}

function canExpand(run: RunState): boolean {
  for (const step of run.steps.values()) if (step.expanding && roomToExpand(step)) return true;
  return false;
}
