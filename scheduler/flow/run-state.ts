/**
 * The in-memory model of a run and the pure planning functions over it: which tasks a step
 * has, which are ready, what input a task gets, and how a run ends. No I/O here; the engine
 * (flow-core.ts and its role files) applies the decisions.
 *
 *   step:  pending ──(parents done)──▶ expanding (a slice of tasks at a time) ──▶ expanded
 *   task:  pending ─▶ queued ─▶ running ─▶ succeeded
 *                       ▲          │  └──▶ failed (retries used up; caught or not)
 *                       └─retrying─┘      cancelled
 */
import { canonicalJson } from '../../core/canonical-json.js';
import { ByteSlab } from '../../core/byte-slab.js';
import { arrayHeader, encodeValue, encodedNil, mapHeader, ownBytes, spliceArray } from '../../core/codec.js';
import { foreachItems, parentsOf, scopes, topologicalOrder, type JobSpec, type StepSpec } from '../../core/job-spec.js';
import { arrayItems, describeValueAt, fieldRange } from '../../core/msgpack-scan.js';
import type { ArtifactRef, AttemptRecord, ErrorInfo, RunRecord, StepSummary } from '../state/records.js';
import type { StepTiming } from '../placement/types.js';
import type { StepShared } from './assignment.js';

export type TaskStateName = 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** Shared by the tasks that have no attempts, GPUs or foreach item yet: never written to. */
export const noAttempts: readonly AttemptRecord[] = Object.freeze([]) as readonly AttemptRecord[];
export const noGpus: number[] = Object.freeze([]) as unknown as number[];
const noItem = new Uint8Array(0);

/**
 * One task of a run. A sweep holds a million of these until its run is compacted, so a task
 * keeps no more objects than it must: its id is held only until it finishes; every field
 * is set in the constructor (one added later moves the fields out of the object); its result is
 * a view into the run's slab, and "no attempts" and "no GPUs" are shared empty lists.
 */
export class TaskState {
  state: TaskStateName = 'pending';
  /** The current or last attempt, from 1. */
  attempt = 0;
  /** Its attempts that ended (failed, lost or succeeded); `noAttempts` until one does. */
  attempts: AttemptRecord[] = noAttempts as AttemptRecord[];
  agentId: string | undefined = undefined;
  gpuIndices: number[] = noGpus;
  assignedAtMs: number | undefined = undefined;
  startedAtMs: number | undefined = undefined;
  finishedAtMs: number | undefined = undefined;
  /** The result, encoded: held in memory while the run may need it as a later step's input. */
  result: Uint8Array | undefined = undefined;
  /** Where the result is kept when it is too big to inline (see agent/task-outputs.ts). */
  resultObject: string | undefined = undefined;
  artifacts: ArtifactRef[] | undefined = undefined;
  error: ErrorInfo | undefined = undefined;
  caught = false;
  /** A finished update is being made durable; later duplicates are ignored. */
  finishing = false;
  /** Resume: the earlier run whose result this task took instead of running. */
  reusedFrom: string | undefined = undefined;

  /** The id, kept while the task is unfinished (it is a key of the placer's and the agents' maps meanwhile). */
  private activeId: string | undefined = undefined;

  constructor(readonly runId: string, readonly step: string, readonly index: number) {}

  get id(): string {
    if (this.activeId !== undefined) return this.activeId;
    const id = taskId(this.runId, this.step, this.index);
    if (!isTerminal(this.state)) this.activeId = id;
    return id;
  }

  /** Finished: the id is made again when asked for, not held for as long as the run is. */
  forgetId(): void {
    this.activeId = undefined;
  }
}

export interface StepRun {
  spec: StepSpec;
  /** Shared by every run of the job: read-only. */
  parents: readonly string[];
  /** The foreach step whose items this step runs over, or null. */
  scope: string | null;
  /** Null until the step's item count is known; while `expanding`, the tasks made so far. */
  tasks: TaskState[] | null;
  /** Its foreach items (the scope's, for a step inside a foreach), once known. */
  items?: ItemList;
  /** Set while its tasks are made a slice at a time (see expandStep): it counts as not expanded yet. */
  expanding?: boolean;
  /** How many of its tasks are settled (see isSettled); kept by setTaskState. */
  settled: number;
  /** How many of its tasks took an earlier run's result (resume). */
  reused: number;
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
  /** Holds its tasks' results (task.result is a view into it): they are dropped with the run. */
  results: ByteSlab;
  /** Steps not expanded yet, and expanded tasks not terminal yet: the run is done at 0 and 0. */
  unexpanded: number;
  open: number;
  /** Resume: succeeded tasks of the earlier run, by "step/index", that this run may reuse. */
  reuse?: Map<string, TaskState>;
  /** Resume: the earlier run, whose items the reused tasks' are compared with. */
  reuseItems?: RunState;
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
    steps.set(name, { spec: job.steps[name]!, parents: parents.get(name)!, scope: scope.get(name)!, tasks: null, settled: 0, reused: 0, count: noTasks(), timing: { runMs: undefined, longestRunningMs: 0 } });
  }
  return { record, job, steps, order, paramsEncoded: ownBytes(encodeValue(record.params)), results: new ByteSlab(), unexpanded: order.length, open: 0, failedTasks: 0 };
}

/** The one place a task's state changes, keeping the run's counters right. Set `caught` first. */
export function setTaskState(run: RunState, task: TaskState, next: TaskStateName): void {
  const step = run.steps.get(task.step)!;
  const wasSettled = isSettled(task);
  const wasTerminal = isTerminal(task.state);
  step.count[task.state]--;
  step.count[next]++;
  task.state = next;
  if (isTerminal(next)) task.forgetId();
  step.settled += Number(isSettled(task)) - Number(wasSettled);
  run.open -= Number(isTerminal(next)) - Number(wasTerminal);
}

/**
 * A step's foreach items, encoded: views into one buffer (a static list's encoding, made once per
 * compiled job; a computed list's producer's result), so a million items cost a number each,
 * their offsets, found as the items are first asked for (see EncodedArray).
 */
export interface ItemList {
  readonly count: number;
  at(index: number): Uint8Array;
}

/**
 * `attempts` and one more: a list of exactly that length, as a task keeps it until its run is
 * compacted (a spread of an empty list reserves room for 17).
 */
export function withAttempt(attempts: readonly AttemptRecord[], attempt: AttemptRecord): AttemptRecord[] {
  return attempts.length === 0 ? [attempt] : attempts.concat(attempt);
}

const oneTask: ItemList = { count: 1, at: () => noItem };


/** A list or grid foreach's items, encoded once per compiled job (runs of one job share its spec). */
const staticItems = new WeakMap<StepSpec, ItemList>();

function itemsOfSpec(spec: StepSpec): ItemList {
  let items = staticItems.get(spec);
  if (!items) {
    const encoded = spliceArray(foreachItems(spec.foreach as Exclude<typeof spec.foreach, { kind: 'from' } | undefined>).map((i) => encodeValue(i)));
    items = arrayItems(encoded, 0)!;
    staticItems.set(spec, items);
  }
  return items;
}

/** Whether all of the step's tasks are made. */
export function isExpanded(step: StepRun): boolean {
  return step.tasks !== null && !step.expanding;
}

/** A task's foreach item, encoded; empty when its step has none. */
export function itemOf(run: RunState, task: TaskState): Uint8Array {
  return run.steps.get(task.step)!.items?.at(task.index) ?? noItem;
}

/**
 * Makes the tasks of a step whose item count is known: the start step and steps whose parents
 * have settled. At most `sliceTasks` at a time: a step with more is left `expanding`, and each
 * later call makes the next slice, until the last one makes it expanded. Returns the tasks made,
 * or null when the step cannot be (or need not be) expanded now.
 * Throws a plain Error when a `from:` foreach does not yield a list, or yields more than
 * `maxItems` items.
 */
export function expandStep(run: RunState, name: string, sliceTasks = Infinity, maxItems = Infinity): TaskState[] | null {
  const step = run.steps.get(name)!;
  if (isExpanded(step)) return null;
  if (!step.expanding) {
    const items = stepItems(run, name, maxItems);
    if (!items) return null;
    step.items = items;
    step.tasks = [];
    step.expanding = true;
  }
  const tasks = step.tasks!;
  const from = tasks.length;
  const to = Math.min(step.items!.count, from + sliceTasks);
  for (let index = from; index < to; index++) {
    tasks.push(new TaskState(run.record.id, name, index));
  }
  step.count.pending += to - from;
  run.open += to - from;
  if (to === step.items!.count) {
    step.expanding = false;
    run.unexpanded--;
  }
  return tasks.slice(from, to);
}

/** The step's items when they are known, else null. */
function stepItems(run: RunState, name: string, maxItems: number): ItemList | null {
  const step = run.steps.get(name)!;
  const foreach = step.spec.foreach;
  if (foreach && foreach.kind !== 'from') return capped(itemsOfSpec(step.spec), maxItems, `foreach of step "${name}"`);
  if (foreach?.kind === 'from') {
    const source = run.steps.get(foreach.step)!;
    const producer = source.tasks?.[0];
    if (!isExpanded(source) || !producer || !isSettled(producer)) return null;
    const where = `foreach from ${foreach.step}.${foreach.field}`;
    // A producer that failed under catch yields no items: the join gets an empty list.
    if (producer.state !== 'succeeded') return { count: 0, at: () => noItem };
    const result = producer.result?.length ? producer.result : encodedNil;
    const field = fieldRange(result, foreach.field.split('.'));
    const items = field && arrayItems(result, field.start);
    if (!items) throw new Error(`${where}: expected a list, got ${field ? describeValueAt(result, field.start) : 'nothing'}`);
    return capped(items, maxItems, where);
  }
  if (step.scope !== null && step.scope !== name) {
    const scope = run.steps.get(step.scope)!;
    return isExpanded(scope) ? scope.items! : null;
  }
  return oneTask;
}

function capped(items: ItemList, maxItems: number, where: string): ItemList {
  if (items.count > maxItems) throw new Error(`${where}: ${items.count} items, more than this cluster's limit of ${maxItems} (--max-foreach-items)`);
  return items;
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
    } else if (!isExpanded(parent) || parent.settled !== parent.tasks.length) {
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
    } else if (isExpanded(parent) && parent.settled === parent.tasks!.length) {
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
  if (isExpanded(step) && succeeded + failed + cancelled === step.tasks.length) {
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
    return { name, state: stepState(step), total: step.items?.count ?? step.tasks?.length ?? 0, succeeded, failed, running, cancelled, ...(step.reused ? { reused: step.reused } : {}) };
  });
}

function noTasks(): Record<TaskStateName, number> {
  return { pending: 0, queued: 0, running: 0, retrying: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/** How a resume reuses: `fromStep` and after run again; `ignoreCode` reuses across a code change. */
export interface ReuseOptions {
  fromStep?: string | undefined;
  ignoreCode?: boolean | undefined;
}

/**
 * Resume: what an earlier run offers for reuse — every task that succeeded in a step that
 * computes what it computed then: the same code (the package's files but the job file, by
 * digest), the same params (every task sees them all) and the same step definition (what it
 * runs, its foreach, its parents). A step that changed runs again, and with it everything
 * downstream (`reusable` takes a task only if its inputs were reused too); `fromStep` and the
 * steps after it run again even if nothing changed. Changed code reuses nothing, unless the
 * user says the change cannot alter what succeeded (`ignoreCode`: a fix for the items that
 * failed is the usual case).
 */
export function reusableTasks(earlier: RunState, later: { job: JobSpec; record: Pick<RunRecord, 'params' | 'codePackage' | 'codeDigest'> }, options: ReuseOptions = {}): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  if (canonicalJson(earlier.record.params) !== canonicalJson(later.record.params)) return out;
  if (!options.ignoreCode && !sameCode(earlier.record, later.record)) return out;
  const { fromStep } = options;
  const job = later.job;
  const rerun = new Set<string>();
  for (const name of Object.keys(job.steps)) {
    if (earlier.job.steps[name] && stepDefinition(earlier.job, name) !== stepDefinition(job, name)) rerun.add(name);
  }
  if (fromStep) {
    const pending = [fromStep];
    while (pending.length) {
      const name = pending.pop()!;
      if (rerun.has(name)) continue;
      rerun.add(name);
      pending.push(...(job.steps[name]?.next ?? []));
    }
  }
  for (const t of tasksOf(earlier)) {
    if (t.state === 'succeeded' && !rerun.has(t.step) && job.steps[t.step]) out.set(`${t.step}/${t.index}`, t);
  }
  return out;
}

/** Same code digests; where a run has none (submitted through the API without one), the same package. */
export function sameCode(a: Pick<RunRecord, 'codePackage' | 'codeDigest'>, b: Pick<RunRecord, 'codePackage' | 'codeDigest'>): boolean {
  return a.codeDigest && b.codeDigest ? a.codeDigest === b.codeDigest : a.codePackage === b.codePackage;
}

/** What a step computes, as text: what it runs, over which items, from which parents. */
function stepDefinition(job: JobSpec, name: string): string {
  const { executor, run, container, foreach, join } = job.steps[name]!;
  return canonicalJson({ executor, run, container, foreach, join, parents: [...shape(job).parents.get(name)!].sort() });
}

/**
 * The earlier task whose result this task may take: same step, index and item, and everything
 * it depends on was reused too (a re-run parent may produce a different input).
 */
export function reusable(run: RunState, task: TaskState): TaskState | undefined {
  const earlier = run.reuse?.get(`${task.step}/${task.index}`);
  if (!earlier || !run.reuseItems || Buffer.compare(itemOf(run.reuseItems, earlier), itemOf(run, task)) !== 0) return undefined;
  const step = run.steps.get(task.step)!;
  for (const p of step.parents) {
    const parent = run.steps.get(p)!;
    const deps = sameScope(step, parent) ? [parent.tasks?.[task.index]] : parent.tasks ?? [];
    if (deps.some((d) => !d?.reusedFrom)) return undefined;
  }
  return earlier;
}
