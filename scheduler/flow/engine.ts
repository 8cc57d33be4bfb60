/**
 * FlowEngine: runs jobs. It owns the runs in memory, queues ready tasks with the placer, hands
 * placements to the dispatcher, and records outcomes durably before acting on them: a result
 * is acknowledged to its agent, and the flow advances, only once it is committed.
 *
 * Events in: submit, placements (schedule pass), task started/log/finished, agent registered
 * (with what it runs) and lost, cancel, the timeout sweep. Side effects out: persist(ops),
 * dispatcher.assign/cancel/ack, run-changed notifications.
 */
import { ClusterError, errorMessage, notFound } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { compileJob, foreachCount, type JobSpec } from '../../core/job-spec.js';
import type { Logger } from '../../core/logger.js';
import { addResources, zeroResources, type Resources } from '../../core/resources.js';
import type { LogLine, TaskAssignment, TaskFinished__Output, TaskRef__Output } from '../../proto/types.js';
import type { AgentEvents, AttemptRef } from '../dispatch/agent-events.js';
import type { Placer } from '../placement/placer.js';
import type { StepTiming, TaskDemand } from '../placement/types.js';
import {
  decodeTaskRecords, keys, putRecord, type ArtifactRef, type AttemptRecord, type ErrorInfo, type RunRecord, type TaskEnd, type TaskRecord,
} from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';
import { stepShared, taskAssignment, type StepShared } from './assignment.js';
import {
  allDone, dependentsOf, expandStep, failedParentItem, isTerminal, newRunState, noGpus, parentsSettled, reusable, reusableTasks,
  setTaskState, tasksOf, withAttempt,
  type RunState, type RunSummary, type StepRun, type TaskState,
} from './run-state.js';
import { defaultMaxForeachItems } from '../defaults.js';
import { TaskLogs } from './task-logs.js';
import { RunCatalog } from './run-catalog.js';
import { TaskRecordLog } from './task-record-log.js';

export interface Dispatcher {
  /** One task's attempt for an agent; `step` is the same object for every task of its step. */
  assign(agentId: string, step: StepShared, task: TaskAssignment): void;
  cancel(agentId: string, ref: { task_id: string; attempt: number }, reason: string): void;
  ack(agentId: string, ref: { task_id: string; attempt: number }): void;
  /** Asks the agent to give these attempts back if it has not started them (see placement/prefetch.ts). */
  revoke(agentId: string, refs: Array<{ task_id: string; attempt: number }>): void;
  /** Sends what is queued now rather than at the end of this turn of the event loop. */
  flush(): void;
}

export interface SubmitInput {
  /** The client's id for this submit: retrying it returns the same run. */
  requestId?: string;
  job: unknown;
  /** `job` compiled, when the caller has it already (see JobCache). */
  spec?: JobSpec;
  params: Record<string, unknown>;
  codeDir: string;
  codePackage: string;
  source: string;
}

/** Reads chunk store objects: results too big to travel inline. */
export interface ObjectReader {
  read(objectId: string): Promise<Uint8Array>;
}

/** What a finished attempt left in the chunk store, as the agent reported it. */
interface StoredOutputs {
  resultObject?: string;
  artifacts?: ArtifactRef[];
  logObject?: string;
}

/** How an attempt ended, as settle records it. */
interface SettledOutputs extends StoredOutputs {
  result?: Uint8Array;
  error?: ErrorInfo;
  finishedAtMs: number;
}

export interface FlowEngineOptions {
  placer: Placer;
  objects: ObjectReader;
  persist: (ops: WriteOp[]) => Promise<void>;
  dispatcher: Dispatcher;
  logger: Logger;
  now?: () => number;
  /** How long past its timeout the scheduler waits for the agent before failing a task itself. */
  timeoutGraceMs?: number;
  /** The most items one foreach may have, listed or computed. Default 1,000,000. */
  maxForeachItems?: number;
}

/** Tasks a big step gets made per slice, and how long slices may take per turn of the event loop. */
const expandSliceTasks = 2_000;
const expandTurnMs = 10;
/**
 * How far a step being expanded may run ahead of placement: it is made no further while this
 * many of its tasks are queued, and goes on as they are placed. A second of work at the
 * throughput of a 2-core machine; it keeps the wait queues (and their maps, whose growth past a
 * million entries rehashes for a few hundred milliseconds) the size of what can be placed soon.
 */
const expandAheadTasks = 10_000;

export class FlowEngine implements AgentEvents {
  /** Every run the leader knows: in memory, or dropped once compacted. */
  readonly catalog = new RunCatalog();
  /** The runs in memory (the catalog's). */
  readonly runs = this.catalog.runs;
  readonly logs = new TaskLogs();
  /** Where task records are written, in segments per run. */
  private readonly records: TaskRecordLog;
  private readonly loading = new Map<string, Promise<RunState>>();

  /** Tasks in state running: what the timeout sweep looks at. */
  private readonly running = new Set<TaskState>();
  /** The running tasks of each agent: what its loss, its reconnect and its usage look at. */
  private readonly runningOn = new Map<string, Set<TaskState>>();
  private readonly listeners = new Set<(runId: string) => void>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly timeoutGraceMs: number;
  private taskSeq = 0;
  private passScheduled = false;
  /** Runs with a step being expanded a slice at a time (see expandMore). */
  private readonly expanding = new Set<RunState>();
  private expansionScheduled = false;
  private readonly maxForeachItems: number;
  /** Step timings whose longestRunningMs is set (see revisePrefetch). */
  private timings = new Set<StepTiming>();
  /** While recovering, tasks are not queued: agents first report what they run. */
  private recovering = false;

  constructor(private readonly opts: FlowEngineOptions) {
    this.now = opts.now ?? Date.now;
    this.timeoutGraceMs = opts.timeoutGraceMs ?? 5_000;
    this.maxForeachItems = opts.maxForeachItems ?? defaultMaxForeachItems;
    this.records = new TaskRecordLog(opts.persist);
  }

  onRunChanged(listener: (runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts a run. `withOps` adds writes that must commit together with the run (a cron
   * schedule's last tick), so neither lands without the other.
   */
  async submit(input: SubmitInput, resume?: { from: RunState; fromStep?: string }, withOps?: (runId: string) => WriteOp[]): Promise<string> {
    const job = input.spec ?? compileJob(input.job, 'submitted job');
    if (resume?.fromStep && !job.steps[resume.fromStep]) {
      throw new ClusterError('INVALID_ARGUMENT', `--from ${resume.fromStep}: the job has no such step (steps: ${Object.keys(job.steps).join(', ')})`);
    }
    for (const step of Object.values(job.steps)) {
      const fit = this.opts.placer.feasible({ resources: step.resources, executor: step.executor, constraints: step.constraints });
      if (!fit.ok) throw new ClusterError('UNSCHEDULABLE', `step "${step.name}" can never run on this cluster: ${fit.reason}`);
      const items = step.foreach && step.foreach.kind !== 'from' ? foreachCount(step.foreach) : 0;
      if (items > this.maxForeachItems) {
        throw new ClusterError('INVALID_ARGUMENT', `steps.${step.name}.foreach: ${items} items, more than this cluster's limit of ${this.maxForeachItems} (--max-foreach-items)`);
      }
    }
    const id = `${job.name}-${input.requestId || newRequestId(this.now())}`;
    if (this.catalog.has(id)) return id;
    const record: RunRecord = {
      id,
      job: input.job,
      params: input.params,
      codeDir: input.codeDir,
      codePackage: input.codePackage,
      source: input.source,
      seq: this.catalog.nextSeq(),
      createdAtMs: this.now(),
      state: 'running',
      ...(resume ? { resumedFrom: resume.from.record.id } : {}),
      ...(resume?.fromStep ? { resumeFromStep: resume.fromStep } : {}),
    };
    await this.opts.persist([putRecord(keys.run(record.id), record), ...(withOps?.(record.id) ?? [])]);
    const run = newRunState(record, job);
    if (resume) {
      run.reuse = reusableTasks(resume.from, job, resume.fromStep);
      run.reuseItems = resume.from;
    }
    this.catalog.add(run);
    this.opts.logger.info({ runId: record.id, job: job.name, project: job.project, resumedFrom: record.resumedFrom }, 'run submitted');
    this.advance(run);
    return record.id;
  }

  /**
   * A new run of an earlier run's job, as it is now, that reuses every task of the earlier run
   * that succeeded (results by reference, nothing re-run) and runs only the rest.
   */
  async resume(runId: string, input: Omit<SubmitInput, 'params'> & { params?: Record<string, unknown> }, fromStep?: string): Promise<string> {
    const earlier = await this.load(runId);
    if (earlier.record.state === 'running') throw new ClusterError('INVALID_ARGUMENT', `run ${runId} is still running; cancel it or wait for it to end`);
    await this.loadResults(earlier);
    return this.submit({ ...input, params: input.params ?? earlier.record.params }, { from: earlier, ...(fromStep ? { fromStep } : {}) });
  }

  /**
   * Reads the results a run keeps only as objects, so they can be later steps' inputs (a resumed
   * run takes them by reference; the bytes are needed only to build inputs).
   */
  private loadResults(run: RunState): Promise<void> {
    return this.readResultObjects(tasksOf(run));
  }

  /** Reads back, in place, the results of `items` that are kept only as objects. */
  private async readResultObjects(items: Iterable<{ result?: Uint8Array; resultObject?: string }>): Promise<void> {
    await Promise.all(Array.from(items, async (item) => {
      if (item.resultObject && !item.result) item.result = await this.opts.objects.read(item.resultObject);
    }));
  }

  /** Rebuilds a run from its durable records (a new leader, a restart, or a dropped run loaded back). */
  restore(record: RunRecord, taskRecords: readonly TaskRecord[], lastSegment = -1): void {
    this.records.continueAfter(record.id, lastSegment);
    const run = newRunState(record, compileJob(record.job, `run ${record.id}`));
    const earlier = record.resumedFrom ? this.runs.get(record.resumedFrom) : undefined;
    if (earlier) {
      run.reuse = reusableTasks(earlier, run.job, record.resumeFromStep);
      run.reuseItems = earlier;
    }
    this.catalog.add(run);
    const byStep = new Map<string, TaskRecord[]>();
    for (const r of taskRecords) {
      const ofStep = byStep.get(r.step);
      if (ofStep) ofStep.push(r);
      else byStep.set(r.step, [r]);
    }
    for (const name of run.order) {
      // An unfinished run's steps are made as far as their records go (and a slice more): the rest
      // is made as it runs, as for a new run, or when an agent reports a task of it (taskById).
      const recorded = byStep.get(name) ?? [];
      const made = record.state === 'running' ? recorded.reduce((n, r) => Math.max(n, r.index + 1), expandSliceTasks) : Infinity;
      expandStep(run, name, made);
      const tasks = run.steps.get(name)!.tasks ?? [];
      for (const rec of recorded) {
        const task = tasks[rec.index];
        if (!task) continue;
        task.attempts = rec.attempts;
        task.attempt = Math.max(0, ...rec.attempts.map((a) => a.attempt));
        if (rec.reusedFrom) task.reusedFrom = rec.reusedFrom;
        // Where and when its last attempt ran, for status: a new leader shows what the old one did.
        const last = rec.attempts[rec.attempts.length - 1];
        if (last?.agentId) task.agentId = last.agentId;
        if (last) task.startedAtMs = last.startedAtMs;
        if (rec.state && last) task.finishedAtMs = last.finishedAtMs;
        if (rec.state) {
          task.caught = rec.caught ?? false;
          setTaskState(run, task, rec.state);
          if (rec.state === 'failed' && !task.caught) {
            run.failure ??= { code: rec.error?.code ?? 'TASK_FAILED', message: `${task.step}/${task.index} failed: ${rec.error?.message ?? 'unknown error'}` };
            run.failedTasks++;
          }
          if (rec.result) task.result = rec.result;
          if (rec.resultObject) task.resultObject = rec.resultObject;
          if (rec.artifacts) task.artifacts = rec.artifacts;
          if (rec.error) task.error = rec.error;
        }
      }
    }
    if (record.state !== 'running') this.catalog.markFinished(run);
  }

  /** Enters or leaves the window in which agents report their running tasks before queueing. */
  setRecovering(recovering: boolean): void {
    this.recovering = recovering;
    if (!recovering) for (const run of this.runs.values()) if (run.record.state === 'running') this.advance(run);
  }

  /**
   * An agent (re-)registered and reports what it runs. Tasks the engine still wants are adopted
   * as running there; the rest are returned for the agent to stop.
   */
  adopt(agentId: string, running: readonly TaskRef__Output[]): TaskRef__Output[] {
    const stop: TaskRef__Output[] = [];
    for (const ref of running) {
      const task = this.taskById(ref.task_id);
      const run = task && this.runs.get(task.runId);
      const wanted = task && run?.record.state === 'running' && !isTerminal(task.state)
        && (task.state === 'pending' || (task.state === 'running' && task.agentId === agentId && task.attempt === ref.attempt));
      if (!task || !run || !wanted) {
        stop.push(ref);
        continue;
      }
      const step = run.steps.get(task.step)!.spec;
      if (task.state === 'running') {
        // Already this agent's: if it was waiting in the agent's queue, it has started since.
        this.opts.placer.started(task.id);
        continue;
      }
      if (!this.opts.placer.allocate(task.id, agentId, step.resources, ref.gpu_indices, run.job.project)) {
        stop.push(ref);
        continue;
      }
      this.startOn(run, task, agentId, ref.gpu_indices);
      task.attempt = Math.max(ref.attempt, task.attempt);
    }
    return stop;
  }

  /**
   * After an agent re-registered: the attempts this scheduler gave it that it neither runs nor
   * has finished never started there (they were lost with a broken stream, or waited in its
   * queue, which it drops when it reconnects). They are queued again at once, as they were.
   */
  reconcile(agentId: string, running: readonly AttemptRef[], finished: readonly AttemptRef[]): void {
    const held = this.runningOn.get(agentId);
    if (!held || held.size === 0) return;
    const reported = new Set([...running, ...finished].map((r) => `${r.task_id}#${r.attempt}`));
    let requeued = 0;
    for (const task of [...held]) {
      if (task.finishing || reported.has(`${task.id}#${task.attempt}`)) continue;
      this.opts.placer.release(task.id);
      this.queue(task);
      requeued++;
    }
    if (requeued === 0) return;
    this.opts.logger.info({ agentId, requeued }, 'tasks the agent did not have when it reconnected queued again');
    this.schedulePass();
  }

  /** An agent is gone: its running tasks go back to the queue, as lost, not failed. */
  agentLost(agentId: string): void {
    this.opts.placer.removeAgent(agentId);
    for (const task of [...(this.runningOn.get(agentId) ?? [])]) {
      if (task.finishing) continue;
      this.opts.logger.warn({ taskId: task.id, attempt: task.attempt, agentId }, 'task lost with its agent; re-queued');
      this.requeueLost(task, { code: 'LOST', message: `agent ${agentId} was lost` }, `lost with agent ${agentId}`);
    }
    this.schedulePass();
  }

  /**
   * An agent that is shutting down gave these attempts back unfinished (not started, or stopped
   * at its drain deadline): they go back to the queue at once, as lost, not failed. A ref that
   * is not this agent's current attempt any more (it finished, or was re-queued) is ignored.
   */
  tasksReturned(agentId: string, refs: readonly TaskRef__Output[]): void {
    for (const ref of refs) {
      const task = this.taskById(ref.task_id);
      if (!task || task.state !== 'running' || task.agentId !== agentId || task.attempt !== ref.attempt || task.finishing) continue;
      this.opts.placer.release(task.id);
      this.requeueLost(task, { code: 'RETURNED', message: `agent ${agentId} gave it back as it shut down` }, `given back by agent ${agentId} as it shut down`);
    }
    this.schedulePass();
  }

  /**
   * The agent gave back an attempt it had not started (it waited in the agent's queue): it is
   * queued again with the same attempt number, as nothing ran.
   */
  taskReturned(agentId: string, ref: AttemptRef): void {
    const task = this.taskById(ref.task_id);
    if (!task || task.state !== 'running' || task.agentId !== agentId || task.attempt !== ref.attempt || task.finishing) return;
    this.opts.placer.release(task.id);
    this.queue(task);
    this.schedulePass();
  }

  private requeueLost(task: TaskState, error: ErrorInfo, why: string): void {
    task.attempts = withAttempt(task.attempts, this.attemptRecord(task, error, true));
    this.logs.append(task.id, [{ at_ms: this.now(), stream: 'log', text: `[clusterd] attempt ${task.attempt} ${why}; re-queued` }]);
    this.queue(task);
  }

  taskStarted(taskId: string, attempt: number, atMs: number): void {
    const task = this.taskById(taskId);
    if (!task || task.attempt !== attempt || task.state !== 'running') return;
    task.startedAtMs = atMs;
    this.notify(task.runId);
  }

  taskLog(taskId: string, attempt: number, lines: readonly LogLine[]): void {
    const task = this.taskById(taskId);
    if (!task || task.attempt !== attempt) return;
    this.logs.append(taskId, lines);
  }

  /**
   * A task finished on an agent. Stale attempts and duplicates are acknowledged and ignored, so
   * a result is recorded once per (task, attempt).
   */
  async taskFinished(agentId: string, ref: { task_id: string; attempt: number }, finished: TaskFinished__Output): Promise<void> {
    const task = this.taskById(ref.task_id);
    const run = task && this.runs.get(task.runId);
    if (!task || !run || run.record.state !== 'running' || isTerminal(task.state) || task.finishing) {
      this.opts.dispatcher.ack(agentId, ref);
      return;
    }
    const current = task.state === 'running' && task.agentId === agentId && task.attempt === ref.attempt;
    if (!current && !this.takeLateResult(run, task, agentId, ref.attempt, finished.ok)) {
      this.opts.dispatcher.ack(agentId, ref);
      return;
    }
    const startedAtMs = Number(finished.started_at_ms);
    const finishedAtMs = Number(finished.finished_at_ms);
    const runMs = Number(finished.run_ms) || (startedAtMs > 0 && finishedAtMs >= startedAtMs ? finishedAtMs - startedAtMs : undefined);
    if (runMs !== undefined) learnRunTime(run.steps.get(task.step)!.timing, runMs);
    task.startedAtMs ||= startedAtMs || task.assignedAtMs || this.now();
    // Built field by field, not by spreads: this runs once per finished task.
    const out: SettledOutputs = { finishedAtMs: finishedAtMs || this.now() };
    if (finished.result_object) out.resultObject = finished.result_object;
    if (finished.artifacts.length) out.artifacts = finished.artifacts.map((a) => ({ name: a.name, objectId: a.object_id, sizeBytes: Number(a.size_bytes) }));
    if (finished.log_object) out.logObject = finished.log_object;
    if (!finished.ok) {
      await this.attemptFailed(run, task, errorInfo(finished.error), agentId, out);
      return;
    }
    out.result = run.results.keep(finished.result); // kept in memory with the task
    if (out.resultObject) {
      task.finishing = true; // duplicates of this report are ignored while the result is read
      try {
        out.result = await this.opts.objects.read(out.resultObject);
      } catch (err) {
        task.finishing = false;
        await this.attemptFailed(run, task, { code: 'CORRUPT', message: `the result object ${out.resultObject} cannot be read: ${errorMessage(err)}` }, agentId, out);
        return;
      }
      task.finishing = false;
    }
    await this.settle(run, task, 'succeeded', out, agentId);
  }

  /**
   * A result of an attempt that is not the task's current one: given by an earlier leader and
   * reported as its agent registered after a failover or an etcd outage, or given up on by this
   * one (its agent was lost, or its stream broke) and finished after all. It is recorded, not
   * discarded and run again: a success is the task's result, and whatever else of the task is
   * queued, waiting to retry or running stops; a failure counts only for a task not yet queued
   * again (otherwise the attempt under way decides). Returns whether the report is taken; the
   * task is then running `attempt` on `agentId`.
   */
  private takeLateResult(run: RunState, task: TaskState, agentId: string, attempt: number, ok: boolean): boolean {
    if (task.attempts.some((a) => a.attempt === attempt && a.agentId === agentId && !a.lost)) return false; // recorded already
    if (!ok && task.state !== 'pending') return false;
    this.opts.logger.info({ taskId: task.id, attempt, agentId, ok, was: task.state }, 'result of an earlier attempt recorded');
    if (task.state === 'queued') {
      this.opts.placer.dequeue(task.id);
    } else if (task.state === 'retrying') {
      clearTimeout(this.retryTimers.get(task.id));
      this.retryTimers.delete(task.id);
    } else if (task.state === 'running') {
      this.opts.dispatcher.cancel(task.agentId!, { task_id: task.id, attempt: task.attempt }, `attempt ${attempt} on agent ${agentId} finished first`);
      this.opts.placer.release(task.id);
      task.attempts = withAttempt(task.attempts, this.attemptRecord(task, { code: 'CANCELLED', message: `attempt ${attempt} on agent ${agentId} finished first` }, true));
    }
    // Recorded as lost when its agent went away, it was not lost after all: it ends once, as reported now.
    task.attempts = task.attempts.filter((a) => !(a.attempt === attempt && a.lost));
    this.transition(run, task, 'pending');
    this.startOn(run, task, agentId, noGpus);
    task.attempt = attempt;
    task.startedAtMs = undefined;
    return true;
  }

  /** Cancels a run: queued tasks are dropped, running ones stopped. Cancelling twice is fine. */
  async cancel(runId: string): Promise<RunState> {
    const run = await this.load(runId);
    if (run.record.state !== 'running') return run;
    await this.endRun(run, 'cancelled', { code: 'CANCELLED', message: 'cancelled by request' });
    return run;
  }

  /**
   * A task of a run in memory, by the id agents name it with (RUN/STEP/INDEX): found through its
   * run and step, so a run of a million tasks costs no index of its own, and dropping it from
   * memory is dropping the run.
   */
  private taskById(taskId: string): TaskState | undefined {
    const lastSlash = taskId.lastIndexOf('/');
    const stepSlash = taskId.lastIndexOf('/', lastSlash - 1);
    if (stepSlash < 0) return undefined;
    const index = Number(taskId.slice(lastSlash + 1));
    const run = this.runs.get(taskId.slice(0, stepSlash));
    const name = taskId.slice(stepSlash + 1, lastSlash);
    const step = run?.steps.get(name);
    // While agents report after a failover, a restored run's step may not be made as far as a
    // task they run: it is made up to it now (queued, if still wanted, when recovery ends).
    if (run && step?.expanding && this.recovering && Number.isInteger(index) && index >= step.tasks!.length) {
      expandStep(run, name, index + 1 - step.tasks!.length);
    }
    const task = step?.tasks?.[index];
    return task?.id === taskId ? task : undefined;
  }

  /** A run in memory; a dropped one is only found by `load`. */
  get(runId: string): RunState {
    return this.catalog.get(runId);
  }

  /** The run with all its tasks, read back from its compacted tasks object if it was dropped. */
  load(runId: string): Promise<RunState> {
    const run = this.runs.get(runId);
    if (run) return Promise.resolve(run);
    const summary = this.catalog.droppedSummary(runId);
    if (!summary) return Promise.reject(notFound(`no run "${runId}"`));
    let loading = this.loading.get(runId);
    if (!loading) {
      loading = this.loadDropped(summary).finally(() => this.loading.delete(runId));
      this.loading.set(runId, loading);
    }
    return loading;
  }

  private async loadDropped(summary: RunSummary): Promise<RunState> {
    const records = decodeTaskRecords(await this.opts.objects.read(summary.record.tasksObject!), summary.record.id);
    await this.readResults(summary.record, records, false);
    const id = summary.record.id;
    if (this.catalog.undrop(id)) this.restore(summary.record, records);
    return this.get(id);
  }

  /**
   * Before `restore`: reads back the results kept only as objects that must be in memory — those
   * of steps a `foreach: { from }` fans out over (expanding it needs them, finished run or not),
   * or all of them (`all`: an unfinished run, or one an unfinished run resumes, hands them on as
   * later steps' inputs).
   */
  async readResults(record: RunRecord, taskRecords: readonly TaskRecord[], all: boolean): Promise<void> {
    if (all) return this.readResultObjects(taskRecords);
    const sources = new Set<string>();
    for (const step of Object.values(compileJob(record.job, `run ${record.id}`).steps)) {
      if (step.foreach?.kind === 'from') sources.add(step.foreach.step);
    }
    if (sources.size > 0) await this.readResultObjects(taskRecords.filter((r) => sources.has(r.step)));
  }

  /** Drops the oldest compacted finished runs from memory (RunCatalog.dropCompacted), with their record segments and logs. */
  dropCompacted(): { runs: number; tasks: number; runIds: string[] } {
    return this.catalog.dropCompacted((runId) => {
      this.records.forget(runId);
      this.logs.forgetRun(runId);
    });
  }

  task(runId: string, step: string, index: number): TaskState {
    return this.catalog.task(runId, step, index);
  }

  /**
   * What an agent's tasks hold, for `clusterctl agents`: the ones it runs, and how many more wait
   * in its queue (prefetched).
   */
  agentUsage(agentId: string): { resources: Resources; gpuIndices: number[]; tasks: number; waiting: number } {
    const usage = { resources: { ...zeroResources }, gpuIndices: [] as number[], tasks: 0, waiting: this.opts.placer.waitingCount(agentId) };
    for (const task of this.runningOn.get(agentId) ?? []) {
      if (this.opts.placer.waitingOn(task.id) !== undefined) continue;
      usage.resources = addResources(usage.resources, this.runs.get(task.runId)!.steps.get(task.step)!.spec.resources);
      usage.gpuIndices.push(...task.gpuIndices);
      usage.tasks++;
    }
    return usage;
  }

  /**
   * Raises each step's expected run time to the age of its longest-running unfinished task (a
   * task that runs far longer than its step's recent average is seen before it ends), then asks
   * agents to give back what waits beyond their prefetch window.
   */
  revisePrefetch(): void {
    const now = this.now();
    const longest = new Map<StepTiming, number>();
    for (const task of this.running) {
      if (!task.startedAtMs) continue;
      const timing = this.runs.get(task.runId)!.steps.get(task.step)!.timing;
      longest.set(timing, Math.max(longest.get(timing) ?? 0, now - task.startedAtMs));
    }
    for (const timing of this.timings) timing.longestRunningMs = longest.get(timing) ?? 0;
    this.timings = new Set(longest.keys());
    this.sendRevocations(true);
  }

  private sendRevocations(excess: boolean): void {
    for (const [agentId, taskIds] of this.opts.placer.revocations(excess)) {
      this.opts.dispatcher.revoke(agentId, taskIds.map((id) => ({ task_id: id, attempt: this.taskById(id)!.attempt })));
    }
  }

  /** Fails running tasks that overran their timeout and whose agent did not report it. */
  sweepTimeouts(): void {
    const now = this.now();
    for (const task of this.running) {
      if (task.finishing || !task.assignedAtMs) continue;
      const run = this.runs.get(task.runId)!;
      const timeoutMs = run.steps.get(task.step)!.spec.timeoutMs;
      if (timeoutMs <= 0 || now - task.assignedAtMs < timeoutMs + this.timeoutGraceMs) continue;
      this.opts.dispatcher.cancel(task.agentId!, { task_id: task.id, attempt: task.attempt }, 'timeout');
      void this.attemptFailed(run, task, { code: 'TIMEOUT', message: `timed out after ${timeoutMs} ms (enforced by the scheduler)` }, task.agentId!)
        .catch((err) => this.opts.logger.error({ err, taskId: task.id }, 'recording a timeout failed'));
    }
  }

  /** Runs a placement pass soon, once, however many events ask for it. */
  schedulePass(): void {
    if (this.passScheduled) return;
    this.passScheduled = true;
    setImmediate(() => {
      this.passScheduled = false;
      this.placeQueued();
    });
  }

  close(): void {
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
  }

  /** One bounded placement pass; another follows on the next tick while the queue has more. */
  private placeQueued(): void {
    const placements = this.opts.placer.schedule();
    if (this.opts.placer.lastPassTruncated) this.schedulePass();
    for (const p of placements) {
      const task = this.taskById(p.taskId);
      const run = task && this.runs.get(task.runId);
      if (!task || !run || task.state !== 'queued') {
        this.opts.placer.release(p.taskId);
        continue;
      }
      this.startOn(run, task, p.agentId, p.gpuIndices);
      task.startedAtMs = undefined;
      this.opts.dispatcher.assign(p.agentId, stepShared(run, task), taskAssignment(run, task));
      this.notify(run.record.id);
    }
    // Agents reserved for a starving task in this pass give back what waits on them.
    this.sendRevocations(false);
    this.opts.dispatcher.flush();
    // Placed tasks make room for steps being expanded to make more.
    if (placements.length > 0 && this.expanding.size > 0) this.scheduleExpansion();
  }

  /** The task runs (or waits in the queue of) `agentId` from now. */
  private startOn(run: RunState, task: TaskState, agentId: string, gpuIndices: number[]): void {
    this.transition(run, task, 'running');
    task.agentId = agentId;
    task.gpuIndices = gpuIndices.length > 0 ? gpuIndices : noGpus;
    task.assignedAtMs = this.now();
    let held = this.runningOn.get(agentId);
    if (!held) {
      held = new Set();
      this.runningOn.set(agentId, held);
    }
    held.add(task);
  }

  /**
   * Expands what can be expanded, queues what is ready, and ends the run when all is done. With
   * `settled`, only the tasks that depend on it are looked at, so a task's end costs its
   * dependents, not the run's size. Tasks settled here (reused, or carrying an upstream
   * failure) may unlock expansions, hence the loop.
   */
  private advance(run: RunState, settled?: TaskState, work: TaskState[] = settled ? dependentsOf(run, settled) : [...tasksOf(run)], continueExpansion = false): void {
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
          const created = expandStep(run, name, expandSliceTasks, this.maxForeachItems);
          if (step.expanding) sliced.add(name);
          if (!created) continue;
          expanded = true;
          for (const t of created) work.push(t);
        }
      } catch (err) {
        this.finish(run, 'failed', { code: 'TASK_FAILED', message: errorMessage(err) });
        return;
      }
      if (this.recovering) break;
      const settledHere = this.startReady(run, work);
      if (!expanded && !settledHere) break;
      work = [];
    }
    if (sliced.size > 0) {
      this.expanding.add(run);
      this.scheduleExpansion();
    }
    // A run's end first: its final status is then written ahead of the placement pass. A run
    // with a failed foreach item ends once nothing of it is queued, running or retrying.
    if (run.failure && !this.recovering && activeTasks(run) === 0) this.finish(run, 'failed', failureOf(run));
    else if (!run.failure && allDone(run)) this.finish(run, 'succeeded');
    this.schedulePass();
    this.notify(run.record.id);
  }

  private scheduleExpansion(): void {
    if (this.expansionScheduled) return;
    this.expansionScheduled = true;
    setImmediate(() => this.expandMore());
  }

  /**
   * Makes the next slices of the steps being expanded, for at most `expandTurnMs` of this turn
   * of the event loop, queueing the tasks that are ready; the rest waits for the next turn. A
   * step with `expandAheadTasks` queued waits for the placement pass to make room (see
   * placeQueued). A million-item foreach is made as it runs, never all at once.
   */
  private expandMore(): void {
    this.expansionScheduled = false;
    const deadline = performance.now() + expandTurnMs;
    let more = false;
    for (const run of [...this.expanding]) {
      if (run.record.state !== 'running' || this.recovering) {
        this.expanding.delete(run);
        continue;
      }
      if (!canExpand(run)) continue;
      if (performance.now() > deadline) {
        more = true;
        break;
      }
      this.expanding.delete(run);
      this.advance(run, undefined, [], true);
      more ||= this.expanding.has(run) && canExpand(run);
    }
    if (more) this.scheduleExpansion();
  }

  /**
   * Ends a run without waiting for its final write: a failure to write it is logged (after a
   * LEASE_LOST the term is over, and the next leader finds the run unfinished and ends it again).
   */
  private finish(run: RunState, state: 'succeeded' | 'failed', error?: ErrorInfo): void {
    this.endRun(run, state, error).catch((err) => this.opts.logger.error({ runId: run.record.id, state, err: errorMessage(err) }, 'recording the end of a run failed'));
  }

  /** Queues the ready tasks of `work`, or settles them at once; returns whether any settled. */
  private startReady(run: RunState, work: TaskState[]): boolean {
    let settledAny = false;
    for (let i = 0; i < work.length; i++) {
      const task = work[i]!;
      if (task.state !== 'pending' || !parentsSettled(run, task)) continue;
      const failedParent = failedParentItem(run, task);
      const earlier = failedParent ? undefined : reusable(run, task);
      if (!failedParent && !earlier) {
        this.queue(task);
        continue;
      }
      if (earlier) this.reuse(run, task, earlier);
      else {
        // The item failed upstream under catch: carry the failure on to the join.
        task.caught = true;
        task.error = failedParent!.error ?? { code: 'TASK_FAILED', message: 'an earlier step of this item failed' };
        this.transition(run, task, 'failed');
      }
      settledAny = true;
      work.push(...dependentsOf(run, task));
    }
    return settledAny;
  }

  /** Resume: takes an earlier run's result for this task instead of running it. */
  private reuse(run: RunState, task: TaskState, earlier: TaskState): void {
    task.result = earlier.result;
    if (earlier.resultObject) task.resultObject = earlier.resultObject;
    if (earlier.artifacts) task.artifacts = earlier.artifacts;
    task.attempts = earlier.attempts;
    task.attempt = earlier.attempt;
    task.startedAtMs = earlier.startedAtMs;
    task.finishedAtMs = earlier.finishedAtMs;
    task.reusedFrom = earlier.reusedFrom ?? earlier.runId;
    this.transition(run, task, 'succeeded');
    const record = taskRecord(task, task.attempts, 'succeeded');
    record.reusedFrom = task.reusedFrom;
    setResultFields(record, task);
    this.records.write(record)
      .catch((err) => this.opts.logger.error({ err, taskId: task.id }, 'recording a reused result failed; it is reused again on recovery'));
  }

  private queue(task: TaskState): void {
    const run = this.runs.get(task.runId)!;
    const step = run.steps.get(task.step)!.spec;
    this.transition(run, task, 'queued');
    // One past every attempt that ended; a task given back unstarted keeps its number (nothing ran).
    task.attempt = 1 + task.attempts.reduce((highest, a) => Math.max(highest, a.attempt), 0);
    task.agentId = undefined;
    task.gpuIndices = noGpus;
    this.logs.reopen(task.id);
    const demand: TaskDemand = {
      id: task.id,
      project: run.job.project,
      priority: run.job.priority,
      seq: this.taskSeq++,
      resources: step.resources,
      executor: step.executor,
      constraints: step.constraints,
      spread: step.spread,
      timing: run.steps.get(task.step)!.timing,
    };
    this.opts.placer.enqueue(demand);
  }

  private async attemptFailed(run: RunState, task: TaskState, error: ErrorInfo, agentId: string, stored: StoredOutputs = {}): Promise<void> {
    const step = run.steps.get(task.step)!.spec;
    const failures = task.attempts.filter((a) => !a.lost).length + 1;
    if (failures > step.retry.times || error.code === 'CANCELLED') {
      const { resultObject, artifacts, logObject } = stored;
      await this.settle(run, task, 'failed', { error, finishedAtMs: this.now(), resultObject, artifacts, logObject }, agentId);
      return;
    }
    const attempt = this.attemptRecord(task, error, false, this.now(), stored.logObject);
    task.finishing = true;
    try {
      await this.records.write(taskRecord(task, withAttempt(task.attempts, attempt)));
    } finally {
      task.finishing = false;
    }
    task.attempts = withAttempt(task.attempts, attempt);
    this.opts.placer.release(task.id);
    this.opts.dispatcher.ack(agentId, { task_id: task.id, attempt: task.attempt });
    const backoffMs = Math.min(step.retry.maxBackoffMs, step.retry.backoffMs * 2 ** (failures - 1));
    this.logs.append(task.id, [{ at_ms: this.now(), stream: 'log', text: `[clusterd] attempt ${task.attempt} failed: ${error.message}; retrying in ${backoffMs} ms` }]);
    this.transition(run, task, 'retrying');
    this.retryTimers.set(task.id, setTimeout(() => {
      this.retryTimers.delete(task.id);
      if (task.state !== 'retrying' || run.record.state !== 'running') return;
      this.queue(task);
      this.schedulePass();
    }, backoffMs));
    this.notify(run.record.id);
    this.schedulePass();
  }

  /** Records a task's end durably, then acknowledges it and moves the flow on. */
  private async settle(run: RunState, task: TaskState, state: 'succeeded' | 'failed', out: SettledOutputs, agentId: string): Promise<void> {
    const step = run.steps.get(task.step)!.spec;
    const attempts = withAttempt(task.attempts, this.attemptRecord(task, out.error, false, out.finishedAtMs, out.logObject));
    const caught = state === 'failed' && step.catch;
    const record = taskRecord(task, attempts, state, caught);
    setResultFields(record, out);
    if (out.error) record.error = out.error;
    task.finishing = true;
    try {
      await this.records.write(record);
    } finally {
      task.finishing = false;
    }
    task.attempts = attempts;
    task.caught = caught;
    const id = task.id; // a finished task makes its id anew each time it is asked
    this.transition(run, task, state);
    task.finishedAtMs = out.finishedAtMs;
    if (out.result) task.result = out.result;
    if (out.resultObject) task.resultObject = out.resultObject;
    if (out.artifacts) task.artifacts = out.artifacts;
    if (out.error) task.error = out.error;
    this.opts.placer.release(id);
    this.logs.end(id);
    // The whole log is in the store now (clusterctl logs reads it from there): free the buffer.
    if (out.logObject) this.logs.forget(id);
    // The flow moves on before the agent's ack is queued: a run that ends here has its final
    // status written first, so it leaves ahead of the ack on the loop's next turn.
    let ending: Promise<void> | undefined;
    if (state === 'failed' && !caught) {
      const failure = { code: out.error?.code ?? 'TASK_FAILED', message: `${task.step}/${task.index} failed: ${out.error?.message ?? 'unknown error'}` };
      if (failsSlowly(run, task)) {
        // Its siblings run to their end (resume then re-runs only what failed); the run fails after.
        run.failure ??= failure;
        run.failedTasks++;
        this.advance(run, task);
      } else {
        ending = this.endRun(run, 'failed', failure);
      }
    } else {
      this.advance(run, task);
    }
    this.opts.dispatcher.ack(agentId, { task_id: id, attempt: task.attempt });
    await ending;
  }

  private async endRun(run: RunState, state: 'succeeded' | 'failed' | 'cancelled', error?: ErrorInfo): Promise<void> {
    if (run.record.state !== 'running') return;
    run.record.state = state;
    run.record.finishedAtMs = this.now();
    this.catalog.markFinished(run);
    if (error) run.record.error = error;
    // A run that succeeded has no open task: a million of them need not be looked at.
    for (const task of run.open > 0 ? tasksOf(run) : []) {
      if (isTerminal(task.state)) continue;
      if (task.state === 'queued') this.opts.placer.dequeue(task.id);
      if (task.state === 'running') {
        this.opts.dispatcher.cancel(task.agentId!, { task_id: task.id, attempt: task.attempt }, state);
        this.opts.placer.release(task.id);
      }
      clearTimeout(this.retryTimers.get(task.id));
      this.retryTimers.delete(task.id);
      this.transition(run, task, 'cancelled');
      this.logs.end(task.id);
    }
    // Watchers first: the final status is on its way to clients before the log line is written.
    this.notify(run.record.id);
    this.opts.logger.info({ runId: run.record.id, state, error: error?.message }, 'run ended');
    await this.opts.persist([putRecord(keys.run(run.record.id), run.record)]);
  }

  private attemptRecord(task: TaskState, error: ErrorInfo | undefined, lost: boolean, finishedAtMs = this.now(), logObject?: string): AttemptRecord {
    const record: AttemptRecord = {
      attempt: task.attempt,
      agentId: task.agentId ?? '',
      startedAtMs: task.startedAtMs ?? task.assignedAtMs ?? finishedAtMs,
      finishedAtMs,
    };
    if (error) record.error = error;
    if (lost) record.lost = lost;
    if (logObject) record.logObject = logObject;
    return record;
  }

  private transition(run: RunState, task: TaskState, next: TaskState['state']): void {
    if (task.state === 'running' && next !== 'running') {
      this.running.delete(task);
      const held = this.runningOn.get(task.agentId!);
      held?.delete(task);
      if (held?.size === 0) this.runningOn.delete(task.agentId!);
    }
    setTaskState(run, task, next);
    if (next === 'running') this.running.add(task);
  }

  private notify(runId: string): void {
    for (const l of this.listeners) l(runId);
  }
}

/** A task's durable record; a literal, not a spread of a base, as it is built once per task end. */
function taskRecord(task: TaskState, attempts: AttemptRecord[], state?: TaskEnd, caught?: boolean): TaskRecord {
  const record: TaskRecord = { runId: task.runId, step: task.step, index: task.index, attempts };
  if (state) record.state = state;
  if (caught) record.caught = caught;
  return record;
}

/**
 * Sets what a task record keeps of a result: the object id when there is one, else the inline
 * bytes; and the artifacts. Field by field, not by spreads: it runs once per finished task.
 */
function setResultFields(record: TaskRecord, from: { result?: Uint8Array; resultObject?: string; artifacts?: ArtifactRef[] }): void {
  if (from.resultObject) record.resultObject = from.resultObject;
  else if (from.result) record.result = from.result;
  if (from.artifacts?.length) record.artifacts = from.artifacts;
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

/** A finished task's run time into its step's moving average (the last ~5 count most). */
function learnRunTime(timing: StepTiming, ms: number): void {
  timing.runMs = timing.runMs === undefined ? ms : timing.runMs * 0.8 + ms * 0.2;
}

function errorInfo(error: TaskFinished__Output['error']): ErrorInfo {
  return {
    code: error?.code || 'TASK_FAILED',
    message: error?.message || 'the task failed without a message',
    ...(error?.stack ? { stack: error.stack } : {}),
  };
}

/** Whether a step being expanded may make more now: fewer than `expandAheadTasks` of it queued. */
function roomToExpand(step: StepRun): boolean {
  return step.count.queued < expandAheadTasks;
}

function canExpand(run: RunState): boolean {
  for (const step of run.steps.values()) if (step.expanding && roomToExpand(step)) return true;
  return false;
}
