/**
 * The in-memory model of a run and the pure planning functions over it: which tasks a step
 * has, which are ready, what input a task gets, and how a run ends. No I/O here; the engine
 * (engine.ts) applies the decisions.
 *
 *   step:  pending ──(parents done)──▶ expanded into tasks
 *   task:  pending ─▶ queued ─▶ running ─▶ succeeded
 *                       ▲          │  └──▶ failed (retries used up; caught or not)
 *                       └─retrying─┘      cancelled
 */
import { arrayHeader, decodeValue, encodeValue, encodedNil, mapHeader, ownBytes } from '../../core/codec.js';
import { foreachItems, parentsOf, scopes, topologicalOrder, type JobSpec, type StepSpec } from '../../core/job-spec.js';
import type { ArtifactRef, AttemptRecord, ErrorInfo, RunRecord, StepSummary } from '../state/records.js';
import type { StepTiming } from '../placement/types.js';
import type { StepShared } from './assignment.js';

export type TaskStateName = 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

export interface TaskState {
  id: string;
  runId: string;
  step: string;
  index: number;
  state: TaskStateName;
  /** The current or last attempt, from 1. */
  attempt: number;
  attempts: AttemptRecord[];
  /** The foreach item, encoded; empty when the step has none. */
  item: Uint8Array;
  agentId?: string;
  gpuIndices: number[];
  assignedAtMs?: number;
  startedAtMs?: number;
  finishedAtMs?: number;
  /** The result, encoded: held in memory while the run may need it as a later step's input. */
  result?: Uint8Array;
  /** Where the result is kept when it is too big to inline (see agent/task-outputs.ts). */
  resultObject?: string;
  artifacts?: ArtifactRef[];
  error?: ErrorInfo;
  caught: boolean;
  /** A finished update is being made durable; later duplicates are ignored. */
  finishing: boolean;
  /** Resume: the earlier run whose result this task took instead of running. */
  reusedFrom?: string;
}

export interface StepRun {
  spec: StepSpec;
  /** Shared by every run of the job: read-only. */
  parents: readonly string[];
  /** The foreach step whose items this step runs over, or null. */
  scope: string | null;
  /** Null until the step is expanded (its item count is known). */
  tasks: TaskState[] | null;
  /** How many of its tasks are settled (see isSettled); kept by setTaskState. */
  settled: number;
  /** How many of its tasks are in each state; kept by setTaskState, so a status costs no scan. */
  count: Record<TaskStateName, number>;
  /** What its tasks' assignments share; built at its first placement (see assignment.ts). */
  shared?: StepShared;
  /** How long its tasks run, for prefetching (see placement/prefetch.ts); shared with its queued tasks. */
  timing: StepTiming;
}

export interface RunState {
  record: RunRecord;
  job: JobSpec;
  steps: Map<string, StepRun>;
  /** Steps in dependency order; shared by every run of the job: read-only. */
  order: readonly string[];
  paramsEncoded: Uint8Array;
  /** Steps not expanded yet, and expanded tasks not terminal yet: the run is done at 0 and 0. */
  unexpanded: number;
  open: number;
  /** Resume: succeeded tasks of the earlier run, by "step/index", that this run may reuse. */
  reuse?: Map<string, TaskState>;
  /** The first failure of a foreach item (no catch): the run fails once the rest of it is done. */
  failure?: ErrorInfo;
  /** Tasks that failed without catch. */
  failedTasks: number;
}

export const isTerminal = (s: TaskStateName): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';
/** A task whose outcome lets the flow go on: success, or a failure its step catches. */
export const isSettled = (t: TaskState): boolean => t.state === 'succeeded' || (t.state === 'failed' && t.caught);

export function taskId(runId: string, step: string, index: number): string {
  return `${runId}/${step}/${index}`;
}

/** A job's step order, parents and foreach scopes: derived once per compiled job (see shape). */
interface JobShape {
  order: readonly string[];
  parents: ReadonlyMap<string, readonly string[]>;
  scope: ReadonlyMap<string, string | null>;
}

/**
 * Compiled jobs are shared by every run of the same job text (api/job-cache.ts), so their shape
 * is worked out once, not per run: the maps and arrays were ~3 KB of allocation per run.
 */
const shapes = new WeakMap<JobSpec, JobShape>();

function shape(job: JobSpec): JobShape {
  let s = shapes.get(job);
  if (!s) {
    const order = topologicalOrder(job);
    s = { order, parents: parentsOf(job), scope: scopes(job, order) };
    shapes.set(job, s);
  }
  return s;
}

export function newRunState(record: RunRecord, job: JobSpec): RunState {
  const { order, scope, parents } = shape(job);
  const steps = new Map<string, StepRun>();
  for (const name of order) {
    steps.set(name, { spec: job.steps[name]!, parents: parents.get(name)!, scope: scope.get(name)!, tasks: null, settled: 0, count: noTasks(), timing: { runMs: undefined, longestRunningMs: 0 } });
  }
  return { record, job, steps, order, paramsEncoded: ownBytes(encodeValue(record.params)), unexpanded: order.length, open: 0, failedTasks: 0 };
}

/** The one place a task's state changes, keeping the run's counters right. Set `caught` first. */
export function setTaskState(run: RunState, task: TaskState, next: TaskStateName): void {
  const step = run.steps.get(task.step)!;
  const wasSettled = isSettled(task);
  const wasTerminal = isTerminal(task.state);
  step.count[task.state]--;
  step.count[next]++;
  task.state = next;
  step.settled += Number(isSettled(task)) - Number(wasSettled);
  run.open -= Number(isTerminal(next)) - Number(wasTerminal);
}

/** The item of a task outside any foreach: one for all, as a finished run stays in memory a while. */
const noItem = new Uint8Array(0);

/**
 * Expands a step whose item count is known: the start step and steps with settled parents.
 * Returns the new tasks, or null when the step cannot be expanded yet.
 * Throws a ClusterError-free plain Error when a `from:` foreach does not yield a list.
 */
export function expandStep(run: RunState, name: string): TaskState[] | null {
  const step = run.steps.get(name)!;
  if (step.tasks) return null;
  let items: Uint8Array[];
  if (step.spec.foreach && step.spec.foreach.kind !== 'from') {
    items = foreachItems(step.spec.foreach).map((i) => encodeValue(i));
  } else if (step.spec.foreach?.kind === 'from') {
    const source = run.steps.get(step.spec.foreach.step)!;
    const producer = source.tasks?.[0];
    if (!producer || !isSettled(producer)) return null;
    // A producer that failed under catch yields no items: the join gets an empty list.
    const list = producer.state === 'succeeded' ? fieldOf(decodeValue(producer.result ?? encodedNil), step.spec.foreach.field) : [];
    if (!Array.isArray(list)) {
      throw new Error(`foreach from ${step.spec.foreach.step}.${step.spec.foreach.field}: expected a list, got ${list === undefined ? 'nothing' : typeof list}`);
    }
    items = list.map((i) => encodeValue(i));
  } else if (step.scope !== null && step.scope !== name) {
    const scopeTasks = run.steps.get(step.scope)!.tasks;
    if (!scopeTasks) return null;
    items = scopeTasks.map((t) => t.item);
  } else {
    items = [noItem];
  }
  step.tasks = items.map((item, index) => ({
    id: taskId(run.record.id, name, index),
    runId: run.record.id,
    step: name,
    index,
    state: 'pending',
    attempt: 0,
    attempts: [],
    item,
    gpuIndices: [],
    caught: false,
    finishing: false,
  }));
  step.count.pending = step.tasks.length;
  run.unexpanded--;
  run.open += step.tasks.length;
  return step.tasks;
}

function fieldOf(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/**
 * Whether a pending task may be queued: its parents' tasks it depends on are settled. A step in
 * the same foreach scope as its parent waits only for the parent's task of the same item.
 */
export function parentsSettled(run: RunState, task: TaskState): boolean {
  const step = run.steps.get(task.step)!;
  for (const p of step.parents) {
    const parent = run.steps.get(p)!;
    if (!parent.tasks) return false;
    if (sameScope(step, parent)) {
      const t = parent.tasks[task.index];
      if (!t || !isSettled(t)) return false;
    } else if (parent.settled !== parent.tasks.length) {
      return false;
    }
  }
  return true;
}

/** Whether a settled-but-failed parent item means this task is skipped (it carries the failure on). */
export function failedParentItem(run: RunState, task: TaskState): TaskState | undefined {
  const step = run.steps.get(task.step)!;
  for (const p of step.parents) {
    const parent = run.steps.get(p)!;
    if (!sameScope(step, parent)) continue;
    const t = parent.tasks?.[task.index];
    if (t?.state === 'failed') return t;
  }
  return undefined;
}

/**
 * The tasks that may have become ready because `task` settled: in a child step of the same
 * foreach scope the task of the same item; in other child steps every task, once the whole
 * parent step has settled.
 */
export function dependentsOf(run: RunState, task: TaskState): TaskState[] {
  const parent = run.steps.get(task.step)!;
  const out: TaskState[] = [];
  for (const name of parent.spec.next) {
    const child = run.steps.get(name)!;
    if (!child.tasks) continue;
    if (sameScope(child, parent)) {
      const t = child.tasks[task.index];
      if (t) out.push(t);
    } else if (parent.tasks && parent.settled === parent.tasks.length) {
      out.push(...child.tasks);
    }
  }
  return out;
}

function sameScope(step: StepRun, parent: StepRun): boolean {
  return step.scope !== null && !step.spec.join && parent.scope === step.scope;
}

/**
 * A task's input (ctx.input): nothing for start; the parent's result; in a join the array of
 * the foreach results in item order (a caught failure appears as { error, attempts }); with
 * several parents a map by step name. Spliced from the encoded results, never decoding them.
 */
export function buildInput(run: RunState, task: TaskState): Uint8Array {
  const pieces = [...inputPieces(run, task)];
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/**
 * The encoded pieces a task's input is made of, in order, without copying them: a join of a
 * million results is sent in slices (api/input-stream.ts) rather than built as one buffer.
 */
export function* inputPieces(run: RunState, task: TaskState): Generator<Uint8Array> {
  const step = run.steps.get(task.step)!;
  if (step.parents.length === 0) {
    yield encodedNil;
    return;
  }
  if (step.parents.length > 1) yield mapHeader(step.parents.length);
  for (const p of step.parents) {
    const parent = run.steps.get(p)!;
    const tasks = parent.tasks ?? [];
    if (step.parents.length > 1) yield encodeValue(p);
    if (sameScope(step, parent)) yield outcomeOf(tasks[task.index]);
    else if (step.spec.join || parent.scope !== null) {
      yield arrayHeader(tasks.length);
      for (const t of tasks) yield outcomeOf(t);
    } else yield outcomeOf(tasks[0]);
  }
}

/** Whether the task's input is larger than `limitBytes` (it stops counting there). */
export function inputExceeds(run: RunState, task: TaskState, limitBytes: number): boolean {
  let size = 0;
  for (const piece of inputPieces(run, task)) if ((size += piece.length) > limitBytes) return true;
  return false;
}

/** Whether every task of the step gets the same input: none of its parents shares its foreach scope. */
export function sharesInput(run: RunState, stepName: string): boolean {
  const step = run.steps.get(stepName)!;
  return step.parents.every((p) => !sameScope(step, run.steps.get(p)!));
}

function outcomeOf(task: TaskState | undefined): Uint8Array {
  if (!task) return encodedNil;
  if (task.state === 'succeeded') return task.result?.length ? task.result : encodedNil;
  return encodeValue({ error: task.error ?? { code: 'TASK_FAILED', message: 'failed' }, attempts: task.attempts.filter((a) => !a.lost).length });
}

/** Every task of the run, expanded so far. */
export function* tasksOf(run: RunState): Iterable<TaskState> {
  for (const step of run.steps.values()) if (step.tasks) yield* step.tasks;
}

/** How many tasks the run has expanded so far. */
export function taskCount(run: RunState): number {
  let n = 0;
  for (const step of run.steps.values()) n += step.tasks?.length ?? 0;
  return n;
}

/** The run is done when every step is expanded and every task terminal. */
export function allDone(run: RunState): boolean {
  return run.unexpanded === 0 && run.open === 0;
}

export function stepState(step: StepRun): string {
  if (!step.tasks) return 'pending';
  const { succeeded, failed, cancelled, running } = step.count;
  if (succeeded + failed + cancelled === step.tasks.length) {
    if (cancelled) return 'cancelled';
    const caughtFailures = step.settled - succeeded;
    return failed > caughtFailures ? 'failed' : 'succeeded';
  }
  return running ? 'running' : 'queued';
}

/** What is kept of a finished run dropped from memory: enough to list it and to load it back. */
export interface RunSummary {
  record: RunRecord;
  name: string;
  project: string;
  steps: StepSummary[];
}

/** What a dropped run keeps; a compacted run's record has its step counts already. */
export function summarize(run: RunState): RunSummary {
  return { record: run.record, name: run.job.name, project: run.job.project, steps: run.record.steps ?? stepSummaries(run) };
}

export function stepSummaries(run: RunState): StepSummary[] {
  return run.order.map((name) => {
    const step = run.steps.get(name)!;
    const { succeeded, failed, running, cancelled } = step.count;
    return { name, state: stepState(step), total: step.tasks?.length ?? 0, succeeded, failed, running, cancelled };
  });
}

function noTasks(): Record<TaskStateName, number> {
  return { pending: 0, queued: 0, running: 0, retrying: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/**
 * Resume: what an earlier run offers for reuse — every task that succeeded, except in `fromStep`
 * and the steps after it (which re-run even if they succeeded).
 */
export function reusableTasks(earlier: RunState, job: JobSpec, fromStep?: string): Map<string, TaskState> {
  const rerun = new Set<string>();
  if (fromStep) {
    const pending = [fromStep];
    while (pending.length) {
      const name = pending.pop()!;
      if (rerun.has(name)) continue;
      rerun.add(name);
      pending.push(...(job.steps[name]?.next ?? []));
    }
  }
  const out = new Map<string, TaskState>();
  for (const t of tasksOf(earlier)) {
    if (t.state === 'succeeded' && !rerun.has(t.step) && job.steps[t.step]) out.set(`${t.step}/${t.index}`, t);
  }
  return out;
}

/**
 * The earlier task whose result this task may take: same step, index and item, and everything
 * it depends on was reused too (a re-run parent may produce a different input).
 */
export function reusable(run: RunState, task: TaskState): TaskState | undefined {
  const earlier = run.reuse?.get(`${task.step}/${task.index}`);
  if (!earlier || Buffer.compare(Buffer.from(earlier.item), Buffer.from(task.item)) !== 0) return undefined;
  const step = run.steps.get(task.step)!;
  for (const p of step.parents) {
    const parent = run.steps.get(p)!;
    const deps = sameScope(step, parent) ? [parent.tasks?.[task.index]] : parent.tasks ?? [];
    if (deps.some((d) => !d?.reusedFrom)) return undefined;
  }
  return earlier;
}
