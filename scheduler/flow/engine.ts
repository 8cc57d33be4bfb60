/**
 * FlowEngine: runs jobs. The leader's one handle on its runs: what the API, the agent registry,
 * cron and the leader's loops call. The decisions are the flow core's (flow-core.ts, pure:
 * events in, effects out); the EffectRunner (effect-runner.ts) applies them. What is left here
 * is what waits: a submit's run record is committed before the run starts, and a run dropped
 * from memory is read back from the chunk store before anyone sees it.
 *
 * Outcomes are recorded durably before they are acted on: a result is acknowledged to its
 * agent, and the flow advances, only once its record is committed.
 */
import type { AttemptGrants } from '../auth/attempt-grants.js';
import { ClusterError, notFound } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { compileJob, foreachCount, type JobSpec } from '../../core/job-spec.js';
import type { Logger } from '../../core/logger.js';
import type { Resources } from '../../core/resources.js';
import type { AssignmentGrant__Output, LogLine, TaskFinished__Output, TaskRef__Output } from '../../proto/types.js';
import type { AgentEvents, AttemptRef } from '../dispatch/agent-events.js';
import type { Placer } from '../placement/placer.js';
import { defaultMaxActiveRuns } from '../defaults.js';
import { schedulerMetrics } from '../metrics.js';
import { decodeTaskRecords, keys, putRecord, type RunRecord, type TaskRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';
import { EffectRunner, type Dispatcher, type ObjectReader } from './effect-runner.js';
import { FlowCore } from './flow-core.js';
import type { RunCatalog } from './run-catalog.js';
import { newRunState, reusableTasks, sameCode, tasksOf, type ReuseOptions, type RunState, type RunSummary, type TaskState } from './run-state.js';
import type { TaskLogs } from './task-logs.js';
import { TaskRecordLog } from './task-record-log.js';

export interface SubmitInput {
  /** The client's id for this submit: retrying it returns the same run. */
  requestId?: string;
  job: unknown;
  /** `job` compiled, when the caller has it already (see JobCache). */
  spec?: JobSpec;
  params: Record<string, unknown>;
  codeDir: string;
  codePackage: string;
  codeDigest?: string;
  source: string;
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
  /** Attempts of a task that may be lost with their agent before it fails as LOST_AGENTS. Default 3. */
  maxLostAttempts?: number;
  /** Runs of one project under way at once; a submit over it is refused (QUEUE_FULL). Default 100,000. */
  maxActiveRuns?: number;
  /** See FlowCoreOptions. */
  grants?: AttemptGrants;
}

export class FlowEngine implements AgentEvents {
  private readonly core: FlowCore;
  private readonly runner: EffectRunner;
  /** Where task records are written, in segments per run. */
  private readonly records: TaskRecordLog;
  private readonly loading = new Map<string, Promise<RunState>>();

  constructor(private readonly opts: FlowEngineOptions) {
    this.core = new FlowCore(opts);
    this.records = new TaskRecordLog(opts.persist);
    this.runner = new EffectRunner({ core: this.core, dispatcher: opts.dispatcher, records: this.records, persist: opts.persist, objects: opts.objects, logger: opts.logger });
  }

  /** Every run the leader knows: in memory, or dropped once compacted. */
  get catalog(): RunCatalog {
    return this.core.catalog;
  }

  /** The runs in memory (the catalog's). */
  get runs(): ReadonlyMap<string, RunState> {
    return this.core.runs;
  }

  get logs(): TaskLogs {
    return this.core.logs;
  }

  onRunChanged(listener: (runId: string) => void): () => void {
    return this.runner.onRunChanged(listener);
  }

  /**
   * Starts a run. `withOps` adds writes that must commit together with the run (a cron
   * schedule's last tick), so neither lands without the other.
   */
  async submit(input: SubmitInput, resume?: { from: RunState } & ReuseOptions, withOps?: (runId: string) => WriteOp[]): Promise<string> {
    const job = input.spec ?? compileJob(input.job, 'submitted job');
    this.refuseUnrunnable(job, resume?.fromStep);
    const id = `${job.name}-${input.requestId || newRequestId(this.core.now())}`;
    if (this.catalog.has(id)) return id;
    const maxActive = this.opts.maxActiveRuns ?? defaultMaxActiveRuns;
    if (this.catalog.activeRuns(job.project) >= maxActive) {
      throw new ClusterError('QUEUE_FULL', `project "${job.project}" has ${maxActive} runs under way, this cluster's limit (--max-active-runs): wait for some to end, or cancel some`, { retryable: true });
    }
    const record: RunRecord = {
      id,
      job: input.job,
      params: input.params,
      codeDir: input.codeDir,
      codePackage: input.codePackage,
      ...(input.codeDigest ? { codeDigest: input.codeDigest } : {}),
      source: input.source,
      seq: this.catalog.nextSeq(),
      createdAtMs: this.core.now(),
      state: 'running',
      ...(resume ? { resumedFrom: resume.from.record.id } : {}),
      ...(resume?.fromStep ? { resumeFromStep: resume.fromStep } : {}),
      // Kept only where it mattered: status then says the reuse went across a code change.
      ...(resume?.ignoreCode && !sameCode(resume.from.record, input) ? { resumeIgnoresCode: true } : {}),
    };
    await this.opts.persist([putRecord(keys.run(record.id), record), ...(withOps?.(record.id) ?? [])]);
    const run = newRunState(record, job);
    if (resume) {
      run.reuse = reusableTasks(resume.from, run, resume);
      run.reuseItems = resume.from;
    }
    this.opts.logger.info({ runId: record.id, job: job.name, project: job.project, resumedFrom: record.resumedFrom }, 'run submitted');
    this.core.runSubmitted(run);
    this.runner.run();
    return record.id;
  }

  /** Refuses a job that can never run here: a step no agent could take, a foreach over the cap, an unknown --from. */
  private refuseUnrunnable(job: JobSpec, fromStep: string | undefined): void {
    if (fromStep && !job.steps[fromStep]) {
      throw new ClusterError('INVALID_ARGUMENT', `--from ${fromStep}: the job has no such step (steps: ${Object.keys(job.steps).join(', ')})`);
    }
    for (const step of Object.values(job.steps)) {
      const fit = this.opts.placer.feasible({ resources: step.resources, executor: step.executor, constraints: step.constraints });
      if (!fit.ok) throw new ClusterError('UNSCHEDULABLE', `step "${step.name}" can never run on this cluster: ${fit.reason}`);
      const items = step.foreach && step.foreach.kind !== 'from' ? foreachCount(step.foreach) : 0;
      if (items > this.core.maxForeachItems) {
        throw new ClusterError('INVALID_ARGUMENT', `steps.${step.name}.foreach: ${items} items, more than this cluster's limit of ${this.core.maxForeachItems} (--max-foreach-items)`);
      }
    }
  }

  /**
   * A new run of an earlier run's job, as it is now, that reuses every task of the earlier run
   * that succeeded (results by reference, nothing re-run) and runs only the rest.
   */
  async resume(runId: string, input: Omit<SubmitInput, 'params'> & { params?: Record<string, unknown> }, options: ReuseOptions = {}): Promise<string> {
    const earlier = await this.load(runId);
    if (earlier.record.state === 'running') throw new ClusterError('INVALID_ARGUMENT', `run ${runId} is still running; cancel it or wait for it to end`);
    // The results it keeps only as objects become later steps' inputs.
    await this.readResultObjects(tasksOf(earlier));
    return this.submit({ ...input, params: input.params ?? earlier.record.params }, { from: earlier, ...options });
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
    this.core.restore(record, taskRecords);
    this.runner.run();
  }

  /** Enters or leaves the window in which agents report their running tasks before queueing. */
  setRecovering(recovering: boolean): void {
    this.core.setRecovering(recovering);
    this.runner.run();
  }

  adopt(agentId: string, running: readonly TaskRef__Output[], grants: readonly AssignmentGrant__Output[] = []): TaskRef__Output[] {
    const stop = this.core.adopt(agentId, running, grants);
    this.runner.run();
    return stop;
  }

  reconcile(agentId: string, running: readonly AttemptRef[], finished: readonly AttemptRef[]): void {
    this.core.reconcile(agentId, running, finished);
    this.runner.run();
  }

  agentLost(agentId: string): void {
    this.core.agentLost(agentId);
    this.runner.run();
  }

  tasksReturned(agentId: string, refs: readonly TaskRef__Output[]): void {
    this.core.tasksReturned(agentId, refs);
    this.runner.run();
  }

  taskReturned(agentId: string, ref: AttemptRef): void {
    this.core.taskReturned(agentId, ref);
    this.runner.run();
  }

  acceptsReport(agentId: string, ref: AttemptRef): boolean {
    return this.core.acceptsReport(agentId, ref);
  }

  taskStarted(taskId: string, attempt: number, atMs: number): void {
    const task = this.core.taskStarted(taskId, attempt, atMs);
    // On this replica's clock (the agent's may differ): assignment to the report of the start.
    if (task?.assignedAtMs) schedulerMetrics.taskStartSeconds.observe(Math.max(0, this.core.now() - task.assignedAtMs) / 1000);
    this.runner.run();
  }

  taskLog(taskId: string, attempt: number, lines: readonly LogLine[]): void {
    this.core.taskLog(taskId, attempt, lines);
    this.runner.run();
  }

  taskFinished(agentId: string, ref: AttemptRef, finished: TaskFinished__Output): void {
    this.core.taskFinished(agentId, ref, finished);
    this.runner.run();
  }

  /** Cancels a run: queued tasks are dropped, running ones stopped. Cancelling twice is fine. */
  async cancel(runId: string): Promise<RunState> {
    const run = await this.load(runId);
    if (run.record.state !== 'running') return run;
    this.core.cancelRun(run);
    this.runner.run();
    await this.runner.runWritten(runId);
    return run;
  }

  /** A run in memory; a dropped one is only found by `load`. */
  get(runId: string): RunState {
    return this.catalog.get(runId);
  }

  /** The project of a run, in memory or dropped, without loading it. */
  projectOf(runId: string): string {
    const project = this.runs.get(runId)?.job.project ?? this.catalog.droppedSummary(runId)?.project;
    if (project === undefined) throw notFound(`no run "${runId}"`);
    return project;
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

  agentUsage(agentId: string): { resources: Resources; gpuIndices: number[]; tasks: number; waiting: number } {
    return this.core.agentUsage(agentId);
  }

  /** Revises prefetch windows to how long tasks run now (the leader's maintenance loop). */
  revisePrefetch(): void {
    this.core.revisePrefetch();
    this.runner.run();
  }

  /** Fails running tasks that overran their timeout and whose agent did not report it. */
  sweepTimeouts(): void {
    this.core.sweepTimeouts();
    this.runner.run();
  }

  /** Runs a placement pass soon, once, however many events ask for it. */
  schedulePass(): void {
    this.core.schedulePass();
    this.runner.run();
  }

  close(): void {
    this.runner.close();
  }
}
