/**
 * FlowCore: the scheduler's decisions about runs, and nothing else. Events come in as method
 * calls (a run submitted or restored, a placement pass, a task started, finished, returned or
 * lost, an agent back or gone, a run cancelled, a timer due, a write done); each changes the
 * state in memory (the run catalog, the placer's queues, who runs what) and leaves the effects
 * that must follow in `outbox`, in order (effects.ts). The core never waits: what comes after a
 * write or a read is a continuation the runner hands back (`resume`, `failed`).
 *
 * The work is split by role, each a file of functions over this state:
 *   recovery.ts        a run rebuilt from its records; agents reporting what they run
 *   attempts.ts        how each attempt ends: results, failures, retries, lost and returned tasks
 *   advancement.ts     expanding steps, queueing what is ready, reuse on resume, ending runs
 *   placement-pass.ts  placements to assignments, prefetch revisions, timeouts, agent usage
 * This file holds the state they share and the few moves all of them make (queue, start on an
 * agent, change a task's state).
 */
import type { AttemptGrants } from '../auth/attempt-grants.js';
import type { Logger } from '../../core/logger.js';
import type { Resources } from '../../core/resources.js';
import type { AssignmentGrant__Output, LogLine, TaskFinished__Output, TaskRef__Output } from '../../proto/types.js';
import type { AttemptRef } from '../dispatch/agent-events.js';
import type { Placer } from '../placement/placer.js';
import type { StepTiming, TaskDemand } from '../placement/types.js';
import type { AttemptRecord, ErrorInfo, RunRecord, TaskRecord } from '../state/records.js';
import { defaultMaxForeachItems, defaultMaxLostAttempts } from '../defaults.js';
import { advance, cancelRun, expandMore } from './advancement.js';
import {
  acceptsReport, agentLost, failed, resultRead, retryDue, retryRecorded, settle, taskFinished, taskLog, taskReturned, taskStarted, tasksReturned,
} from './attempts.js';
import { placeSoon, type Continuation, type Effect } from './effects.js';
import { agentUsage, placeQueued, revisePrefetch, sweepTimeouts } from './placement-pass.js';
import { adopt, reconcile, restore, setRecovering } from './recovery.js';
import { RunCatalog } from './run-catalog.js';
import { expandStep, noGpus, setTaskState, type RunState, type TaskState } from './run-state.js';
import { TaskLogs } from './task-logs.js';

export interface FlowCoreOptions {
  placer: Placer;
  logger: Logger;
  now?: () => number;
  /** How long past its timeout the scheduler waits for the agent before failing a task itself. */
  timeoutGraceMs?: number;
  /** The most items one foreach may have, listed or computed. Default 1,000,000. */
  maxForeachItems?: number;
  /** Attempts of a task that may be lost with their agent before it fails as LOST_AGENTS. Default 3. */
  maxLostAttempts?: number;
  /**
   * Checks the signed assignments an agent shows: with it, an agent's word about a task this
   * leader has no record of giving it counts only with a valid signature. Without it (tests of
   * the flow alone), its word is taken.
   */
  grants?: AttemptGrants;
}

export class FlowCore {
  /** What the last events asked for, in order; the runner empties it. */
  readonly outbox: Effect[] = [];
  /** Every run the leader knows: in memory, or dropped once compacted. */
  readonly catalog = new RunCatalog();
  /** The runs in memory (the catalog's). */
  readonly runs = this.catalog.runs;
  readonly logs = new TaskLogs();
  readonly placer: Placer;
  readonly logger: Logger;
  readonly now: () => number;
  readonly timeoutGraceMs: number;
  readonly maxForeachItems: number;
  readonly maxLostAttempts: number;
  /** Tasks in state running (on an agent, or waiting in its queue): what the timeout sweep looks at. */
  readonly running = new Set<TaskState>();
  /** The running tasks of each agent: what its loss, its reconnect and its usage look at. */
  readonly runningOn = new Map<string, Set<TaskState>>();
  /** Runs with a step being expanded a slice at a time (see advancement.ts, expandMore). */
  readonly expanding = new Set<RunState>();
  /** Step timings whose longestRunningMs is set (see placement-pass.ts, revisePrefetch). */
  timings = new Set<StepTiming>();
  /** While recovering, tasks are not queued: agents first report what they run. */
  recovering = false;
  readonly grants: AttemptGrants | undefined;
  /** Per agent, the attempts its latest registration showed signed assignments of (attemptKey). */
  readonly granted = new Map<string, Set<string>>();
  /** Orders queued tasks of equal priority: first queued, first placed. */
  private taskSeq = 0;

  constructor(opts: FlowCoreOptions) {
    this.placer = opts.placer;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    this.timeoutGraceMs = opts.timeoutGraceMs ?? 5_000;
    this.maxForeachItems = opts.maxForeachItems ?? defaultMaxForeachItems;
    this.maxLostAttempts = opts.maxLostAttempts ?? defaultMaxLostAttempts;
    this.grants = opts.grants;
  }

  // Events -----------------------------------------------------------------------------------

  /** A run whose record is committed starts: what is ready is queued. */
  runSubmitted(run: RunState): void {
    this.catalog.add(run);
    advance(this, run);
  }

  /** A run rebuilt from its durable records (a new leader, or a dropped run read back). */
  restore(record: RunRecord, taskRecords: readonly TaskRecord[]): RunState {
    return restore(this, record, taskRecords);
  }

  setRecovering(recovering: boolean): void {
    setRecovering(this, recovering);
  }

  adopt(agentId: string, running: readonly TaskRef__Output[], grants: readonly AssignmentGrant__Output[] = []): TaskRef__Output[] {
    return adopt(this, agentId, running, grants);
  }

  reconcile(agentId: string, running: readonly AttemptRef[], finished: readonly AttemptRef[]): void {
    reconcile(this, agentId, running, finished);
  }

  agentLost(agentId: string): void {
    agentLost(this, agentId);
  }

  tasksReturned(agentId: string, refs: readonly TaskRef__Output[]): void {
    tasksReturned(this, agentId, refs);
  }

  taskReturned(agentId: string, ref: AttemptRef): void {
    taskReturned(this, agentId, ref);
  }

  acceptsReport(agentId: string, ref: AttemptRef): boolean {
    return acceptsReport(this, agentId, ref);
  }

  taskStarted(taskId: string, attempt: number, atMs: number): TaskState | undefined {
    return taskStarted(this, taskId, attempt, atMs);
  }

  taskLog(taskId: string, attempt: number, lines: readonly LogLine[]): void {
    taskLog(this, taskId, attempt, lines);
  }

  taskFinished(agentId: string, ref: AttemptRef, finished: TaskFinished__Output): void {
    taskFinished(this, agentId, ref, finished);
  }

  /** Ends a run by request: queued tasks are dropped, running ones stopped. */
  cancelRun(run: RunState): void {
    cancelRun(this, run);
  }

  /** One bounded placement pass (the runner calls it for a `soon: place`). */
  placeQueued(): void {
    placeQueued(this);
  }

  /** The next slices of steps being expanded (the runner calls it for a `soon: expand`). */
  expandMore(): void {
    expandMore(this);
  }

  revisePrefetch(): void {
    revisePrefetch(this);
  }

  sweepTimeouts(): void {
    sweepTimeouts(this);
  }

  /** An effect's continuation: what it waited for is done. */
  resume(c: Continuation): void {
    switch (c.kind) {
      case 'settle': return settle(this, c);
      case 'retry': return retryRecorded(this, c);
      case 'retryDue': return retryDue(this, c);
      case 'resultRead': return resultRead(this, c);
    }
  }

  /** An effect's continuation will not come: what it waited for failed with `err`. */
  failed(c: Continuation, err: unknown): void {
    failed(this, c, err);
  }

  // Queries ----------------------------------------------------------------------------------

  agentUsage(agentId: string): { resources: Resources; gpuIndices: number[]; tasks: number; waiting: number } {
    return agentUsage(this, agentId);
  }

  /**
   * A task of a run in memory, by the id agents name it with (RUN/STEP/INDEX): found through its
   * run and step, so a run of a million tasks costs no index of its own, and dropping it from
   * memory is dropping the run.
   */
  taskById(taskId: string): TaskState | undefined {
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

  // Moves the role files share ---------------------------------------------------------------

  emit(effect: Effect): void {
    this.outbox.push(effect);
  }

  notify(runId: string): void {
    this.outbox.push({ kind: 'notify', runId });
  }

  /** A placement pass soon, once, however many events ask for it. */
  schedulePass(): void {
    this.outbox.push(placeSoon);
  }

  /** Queues a task for placement with its next attempt number. */
  queue(task: TaskState): void {
    const run = this.runs.get(task.runId)!;
    const stepRun = run.steps.get(task.step)!;
    const step = stepRun.spec;
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
      timing: stepRun.timing,
    };
    this.placer.enqueue(demand);
  }

  /** The task runs (or waits in the queue of) `agentId` from now. */
  startOn(run: RunState, task: TaskState, agentId: string, gpuIndices: number[]): void {
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

  /** Changes a task's state, keeping the sets of running tasks (all, and per agent) in step. */
  transition(run: RunState, task: TaskState, next: TaskState['state']): void {
    if (task.state === 'running' && next !== 'running') {
      this.running.delete(task);
      const held = this.runningOn.get(task.agentId!);
      held?.delete(task);
      if (held?.size === 0) this.runningOn.delete(task.agentId!);
    }
    setTaskState(run, task, next);
    if (next === 'running') this.running.add(task);
  }

  /** The record of the task's current attempt, ended now (or at `finishedAtMs`). */
  attemptRecord(task: TaskState, error: ErrorInfo | undefined, lost: boolean, finishedAtMs = this.now(), logObject?: string): AttemptRecord {
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
}
