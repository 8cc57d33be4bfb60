/**
 * AgentDaemon: runs the tasks the scheduler assigns and reports them back.
 *
 *   assignment ─▶ code package (cached) ─▶ executor.run ─▶ started, log lines
 *              ─▶ outputs into the chunk store ─▶ finished (kept until acknowledged)
 *
 * A finished task's update stays in `unacknowledged` until the scheduler acknowledges it as
 * durable; after a reconnect it is sent again with the registration, so a result survives a
 * scheduler failover. Duplicates are harmless: the scheduler records once per (task, attempt).
 *
 *   running ─close()─▶ draining ─(all finished and acknowledged, or the deadline)─▶ stopping ─▶ stopped
 *
 * Draining (a graceful stop, SIGTERM) is what makes a rolling restart cost nothing: the
 * scheduler hears the agent is leaving and places nothing more here; tasks not started yet are
 * given back at once; started ones finish and have their results acknowledged; what still runs
 * at the deadline is stopped and given back. Given-back tasks are re-queued at once: those that
 * had not started as they were (TaskReturned), those stopped at the deadline as lost (RETURNED),
 * never failed, and no result is left for the scheduler to wait for.
 *
 * Tasks the scheduler prefetched wait in the executor's queue until the agent's capacity lets
 * them start (see scheduler/placement/prefetch.ts). The scheduler may revoke them: what has not
 * started is given back. Whenever the link (re)connects, what has not started is dropped, and the
 * registration reports only what runs: the scheduler queues the rest again.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cancellation } from '../core/cancellation.js';
import { errorCode, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { OrderedClose } from '../core/ordered-close.js';
import type { ClusterCredentials } from '../proto/credentials.js';
import type { AssignmentGrant, LogLine, SchedulerMessage__Output, StepAssignment__Output, TaskAssignment__Output, TaskFinished, TaskRef, TaskUpdate } from '../proto/types.js';
import type { AgentCapacity } from './fingerprint/capacity.js';
import type { CodeCache } from './code-cache.js';
import type { Executor, TaskOutcome } from './executors/executor.js';
import type { LinkHandlers, SchedulerConnection } from './link/scheduler-connection.js';
import { SchedulerLink } from './link/scheduler-link.js';
import { StartReports } from './start-reports.js';
import { TaskInputs } from './task-inputs.js';
import type { TaskOutputs } from './task-outputs.js';

export interface AgentOptions {
  id: string;
  schedulers: string[];
  /** TLS files and join token the link connects with; default plaintext. */
  credentials?: ClusterCredentials;
  capacity: AgentCapacity;
  labels: Record<string, string>;
  executors: Executor[];
  /** Where code packages come from; outputs go to the store through `outputs(closing)`. */
  codeCache: CodeCache;
  outputs: (closing: AbortSignal) => TaskOutputs;
  logger: Logger;
  /** On close, how long started tasks get to finish and have their results acknowledged. */
  drainTimeoutMs: number;
}

type AgentState = 'running' | 'draining' | 'stopping' | 'stopped';

/** A function task's module URL, and the folder (code package or job folder) it is in. */
interface FunctionCode {
  url: string;
  folder: string;
}

/** After the drain deadline, how long results already reported get for their acknowledgement. */
const ackGraceMs = 2_000;
/** Tasks that end sooner than this are reported once, finished (see StartReports). */
const startReportDelayMs = 50;

interface RunningTask {
  attempt: number;
  /** The leader's signature of the assignment it came in, shown again on registering (see Register.grants). */
  grant: AssignmentGrant | undefined;
  gpuIndices: number[];
  cancellation: Cancellation;
  /** The executor has begun it: a draining agent lets it finish rather than give it back. */
  started: boolean;
  /** The executor has handed it to what runs it: it may have begun, so it is never given back unstarted. */
  committed: boolean;
  /** Given back to the scheduler: its outcome, whatever it is, is not reported. */
  returned: boolean;
  /** Lines not yet sent to the scheduler. */
  logs: LogLine[];
  /** The attempt's whole log, stored as an object when it ends. */
  fullLog: LogLine[];
}

const key = (taskId: string, attempt: number) => `${taskId}#${attempt}`;

export class AgentDaemon {
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly running = new Map<string, RunningTask>();
  private readonly unacknowledged = new Map<string, { update: TaskUpdate; executor: Executor | undefined; grant?: AssignmentGrant | undefined }>();
  private readonly executors: Map<string, Executor>;
  private readonly link: SchedulerConnection;
  private readonly closingController = new AbortController();
  private readonly outputs: TaskOutputs;
  /** Every task given back while draining, said again after a re-registration. */
  private readonly returned: TaskRef[] = [];
  private readonly idleWaiters = new Set<() => void>();
  /** The unacknowledged results the latest registration carried. */
  private readonly registeredWith = new Set<string>();
  private readonly inputs: TaskInputs;
  private readonly startReports = new StartReports(
    startReportDelayMs,
    (taskId, attempt) => this.running.get(taskId)?.attempt === attempt,
    (t) => this.link.send({ task_id: t.taskId, attempt: t.attempt, started: { at_ms: t.atMs } }),
  );
  private state: AgentState = 'running';
  private logFlushScheduled = false;
  private readonly closer: OrderedClose;

  constructor(private readonly opts: AgentOptions) {
    this.executors = new Map(opts.executors.map((e) => [e.name, e]));
    this.outputs = opts.outputs(this.closingController.signal);
    const handlers: LinkHandlers = {
      registration: () => this.registration(),
      onMessage: (msg) => this.onMessage(msg),
      onRegistered: () => this.onRegistered(),
    };
    this.link = new SchedulerLink(opts.schedulers, handlers, opts.logger.child({ component: 'link' }), opts.credentials);
    this.inputs = new TaskInputs((ref) => this.link.fetchInput(ref, this.closingController.signal));
    this.closer = new OrderedClose('agent', () => [
      // The drain has deadlines of its own (drainTimeoutMs, then the ack grace).
      { name: 'drain', run: () => (this.link.registered ? this.drain() : undefined) },
      {
        name: 'cancel what runs',
        run: () => {
          this.setState('stopping');
          this.closingController.abort();
          for (const t of this.running.values()) t.cancellation.cancel(new Error('the agent is shutting down'));
          this.startReports.close();
        },
      },
      { name: 'scheduler link', run: () => this.link.close() },
      ...[...this.executors.values()].map((e) => ({ name: `${e.name} executor`, run: () => e.close() })),
      { name: 'stopped', run: () => this.setState('stopped') },
    ], opts.logger);
  }

  /** Collects what executors left finished before a restart, then connects. */
  async start(): Promise<void> {
    for (const executor of this.executors.values()) {
      for (const r of (await executor.recover?.()) ?? []) {
        this.opts.logger.info({ taskId: r.taskId, attempt: r.attempt, ok: r.outcome.ok }, 'found a task that finished while the agent was down');
        const finished = await this.outputs.persist(r.taskId, r.outcome, []);
        this.unacknowledged.set(key(r.taskId, r.attempt), { update: finishedUpdate(r.taskId, r.attempt, finished, r.startedAtMs, r.finishedAtMs), executor });
      }
    }
    this.link.start();
  }

  get registered(): boolean {
    return this.link.registered;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Tasks it has begun (the rest of `runningCount` wait for room: prefetched). */
  get startedCount(): number {
    let n = 0;
    for (const t of this.running.values()) if (t.started) n++;
    return n;
  }

  /** GPUs that tasks it holds were given. */
  get gpusInUse(): number {
    const used = new Set<number>();
    for (const t of this.running.values()) for (const i of t.gpuIndices) used.add(i);
    return used.size;
  }

  /** Finished results kept until a scheduler acknowledges them. */
  get unacknowledgedCount(): number {
    return this.unacknowledged.size;
  }

  /** Taking work: registered and not shutting down. */
  get ready(): boolean {
    return this.state === 'running' && this.link.registered;
  }

  /**
   * Idempotent: drains (when registered with a scheduler; see the file comment), then cancels
   * whatever is left and closes the link and executors.
   */
  close(): Promise<void> {
    return this.closer.close();
  }

  private async drain(): Promise<void> {
    this.setState('draining');
    this.returnUnstarted(() => true);
    this.link.leave([]);
    if (await this.whenIdle(AbortSignal.timeout(this.opts.drainTimeoutMs))) return;
    this.opts.logger.warn({ running: this.running.size, unacknowledged: this.unacknowledged.size, drainTimeoutMs: this.opts.drainTimeoutMs }, 'drain deadline passed; giving back what still runs');
    this.stopAndGiveBack();
    await this.whenIdle(AbortSignal.timeout(ackGraceMs));
  }

  /** Gives back the tasks `which` selects that have not started: nothing ran, they go elsewhere as they are. */
  private returnUnstarted(which: (taskId: string, t: RunningTask) => boolean): void {
    for (const [taskId, t] of this.running) {
      if (t.started || t.committed || !which(taskId, t)) continue;
      this.forget(taskId, t);
      this.link.send({ task_id: taskId, attempt: t.attempt, returned: {} });
    }
    this.checkIdle();
  }

  /** At the drain deadline: stops what still runs and tells the scheduler, as this agent leaves, that it comes back. */
  private stopAndGiveBack(): void {
    const refs: TaskRef[] = [];
    for (const [taskId, t] of this.running) {
      this.forget(taskId, t);
      refs.push({ task_id: taskId, attempt: t.attempt });
    }
    this.returned.push(...refs);
    this.link.leave(refs);
    this.checkIdle();
  }

  /** Stops a task whose outcome, whatever it is, will not be reported. */
  private forget(taskId: string, t: RunningTask): void {
    t.returned = true;
    this.running.delete(taskId);
    t.cancellation.cancel(new Error('given back'));
  }

  /** True once nothing runs and every result is acknowledged; false if `signal` fires first. */
  private whenIdle(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        this.idleWaiters.delete(onIdle);
        signal.removeEventListener('abort', onAbort);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const onAbort = () => done(false);
      this.idleWaiters.add(onIdle);
      signal.addEventListener('abort', onAbort, { once: true });
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.running.size > 0 || this.unacknowledged.size > 0) return;
    for (const w of [...this.idleWaiters]) w();
  }

  private setState(next: AgentState): void {
    if (next === this.state) return;
    this.opts.logger.info({ agentId: this.opts.id, from: this.state, to: next, running: this.running.size, unacknowledged: this.unacknowledged.size }, 'agent state');
    this.state = next;
  }

  private registration() {
    this.registeredWith.clear();
    // What waits in the queue is dropped, not reported: the scheduler queues it again, so a new
    // leader never adopts more than this agent can run.
    for (const [taskId, t] of this.running) if (!t.started && !t.committed) this.forget(taskId, t);
    this.checkIdle();
    const { capacity } = this.opts;
    return {
      agent_id: this.opts.id,
      hostname: os.hostname(),
      capacity: {
        cpu_milli: capacity.cpuMilli,
        memory_bytes: capacity.memoryBytes,
        gpus: capacity.gpus.map((g) => ({ index: g.index, model: g.model, memory_bytes: g.memoryBytes, uuid: g.uuid })),
      },
      labels: this.opts.labels,
      executors: [...this.executors.keys()],
      running: [...this.running].map(([id, t]) => ({ task_id: id, attempt: t.attempt, gpu_indices: t.gpuIndices })),
      unacknowledged: [...this.unacknowledged.values()].map((u) => {
        this.registeredWith.add(key(u.update.task_id!, u.update.attempt!));
        return u.update;
      }),
      // Each signed assignment once, however many of its tasks are in the two lists.
      grants: [...new Set([...this.running.values(), ...this.unacknowledged.values()].map((t) => t.grant).filter((g) => g !== undefined))],
      version: '0.1.0',
      instance_id: this.instanceId,
    };
  }

  private onMessage(msg: SchedulerMessage__Output): void {
    switch (msg.body) {
      case 'assign':
        for (const step of msg.assign?.steps ?? []) {
          // Once per step of the message, not per task: a sweep's tasks share their step.
          const code = step.thread ? this.functionCode(step) : undefined;
          // Each task that awaits it reports a failure; if none does (all duplicates), it is not unhandled.
          code?.catch(() => undefined);
          const grant = step.grant.length ? { tasks: step.tasks.map((a) => ({ task_id: a.task_id, attempt: a.attempt })), grant: step.grant } : undefined;
          for (const a of step.tasks) this.runAssignment(step, a, code, grant);
        }
        break;
      case 'cancel':
        for (const ref of msg.cancel?.tasks ?? []) this.cancel(ref, msg.cancel?.reason ?? 'cancelled');
        break;
      case 'ack':
        for (const ref of msg.ack?.tasks ?? []) this.acknowledged(ref.task_id, ref.attempt);
        break;
      case 'revoke': {
        const revoked = new Set((msg.revoke?.tasks ?? []).map((r) => key(r.task_id, r.attempt)));
        this.returnUnstarted((taskId, t) => revoked.has(key(taskId, t.attempt)));
        break;
      }
      case 'registered':
        for (const ref of msg.registered?.stop ?? []) this.cancel(ref, 'the scheduler no longer wants it');
        break;
      default:
        break;
    }
  }

  /**
   * After a reconnect the registration carried the unacknowledged results; a draining agent
   * says again that it is leaving (the scheduler may be a new leader that never heard it).
   */
  private onRegistered(): void {
    if (this.unacknowledged.size) this.opts.logger.info({ count: this.unacknowledged.size }, 'reported unacknowledged results again');
    // A task that finished after the registration was written but before it was answered had
    // its report dropped (the link sends nothing until registered) and is not in the
    // registration either: without this it would wait, unreported, for the next reconnect, and
    // the scheduler would consider it running until then.
    for (const [k, { update }] of this.unacknowledged) if (!this.registeredWith.has(k)) this.link.send(update);
    if (this.state === 'draining') this.link.leave(this.returned);
  }

  /** The scheduler holds the outcome durably: forget it and let its executor clean up. */
  private acknowledged(taskId: string, attempt: number): void {
    const k = key(taskId, attempt);
    const entry = this.unacknowledged.get(k);
    if (!entry) return;
    this.unacknowledged.delete(k);
    this.checkIdle();
    entry.executor?.release?.(taskId, attempt).catch((err) => this.opts.logger.warn({ err, taskId }, 'cleaning up after a task failed'));
  }

  private cancel(ref: TaskRef, reason: string): void {
    const task = this.running.get(ref.task_id!);
    if (task && task.attempt === ref.attempt) task.cancellation.cancel(new Error(reason));
  }

  /** `a` is one task of `step`; `functionCode` is where a function task's code is, once known. */
  private runAssignment(step: StepAssignment__Output, a: TaskAssignment__Output, functionCode: Promise<FunctionCode> | undefined, grant: AssignmentGrant | undefined): void {
    if (this.running.has(a.task_id)) return; // a duplicate assignment of what already runs
    if (this.state !== 'running') {
      // Placed before the scheduler heard this agent is leaving.
      this.link.send({ task_id: a.task_id, attempt: a.attempt, returned: {} });
      return;
    }
    const task: RunningTask = { attempt: a.attempt, grant, gpuIndices: a.gpu_indices, cancellation: new Cancellation(), started: false, committed: false, returned: false, logs: [], fullLog: [] };
    this.running.set(a.task_id, task);
    const executor = this.executors.get(step.executor);
    let startedAtMs = Date.now();
    const inputOf = this.inputs.of(step, a);
    if (inputOf instanceof Promise) inputOf.catch(() => undefined); // reported by run(), or moot
    const run = async (): Promise<TaskOutcome> => {
      if (!executor) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `agent ${this.opts.id} has no ${step.executor} executor` } };
      let code: FunctionCode = { url: '', folder: '' };
      if (functionCode) {
        try {
          code = await functionCode;
        } catch (err) {
          return { ok: false, error: { code: 'TASK_FAILED', message: `agent ${this.opts.id} cannot fetch code package ${step.code_package}: ${(err as Error).message}` } };
        }
      }
      let input: Uint8Array;
      try {
        input = await inputOf;
      } catch (err) {
        if (errorCode(err) === 'UNAVAILABLE' || errorCode(err) === 'NOT_LEADER') {
          // The scheduler went away mid-fetch: nothing ran, it goes back as it is.
          this.returnUnstarted((taskId) => taskId === a.task_id);
          return { ok: false, error: { code: 'RETURNED', message: 'given back' } };
        }
        return { ok: false, error: { code: 'TASK_FAILED', message: `agent ${this.opts.id} cannot fetch the input of ${a.task_id}: ${errorMessage(err)}` } };
      }
      // A literal, then the kind's fields: a spread of them first made each task's run object
      // field by field on V8's slow path (~15 µs of the agent's main thread per task).
      const base = {
        taskId: a.task_id,
        attempt: a.attempt,
        input,
        params: step.params,
        item: a.item,
        memoryBytes: Number(step.resources?.memory_bytes ?? 0),
        cpuMilli: Number(step.resources?.cpu_milli ?? 0),
        gpuIndices: a.gpu_indices,
        timeoutMs: Number(step.timeout_ms),
        cancellation: task.cancellation,
        onCommitted: () => {
          task.committed = true;
        },
        onStarted: (atMs: number) => {
          task.started = true;
          startedAtMs = atMs;
          this.startReports.started({ taskId: a.task_id, attempt: a.attempt, atMs });
        },
        onLog: (stream: string, text: string) => this.log(task, stream, text),
      };
      return executor.run(step.container
        ? Object.assign(base, { kind: 'container' as const, container: { image: step.container.image, command: step.container.command, env: step.container.env, network: step.container.network } })
        : step.executor === 'process'
          ? Object.assign(base, { kind: 'process' as const, moduleUrl: code.url, exportName: step.thread?.export ?? 'default', folder: code.folder })
          : Object.assign(base, { kind: 'thread' as const, moduleUrl: code.url, exportName: step.thread?.export ?? 'default' }));
    };
    const forget = () => {
      if (this.running.get(a.task_id) === task) this.running.delete(a.task_id);
    };
    void run()
      .then(async (outcome) => {
        const finishedAtMs = Date.now();
        this.flushTaskLogs(a.task_id, task); // its last lines go before its result
        if (task.returned) return; // the scheduler has re-queued it; this outcome is moot
        const finished = await this.outputs.persist(a.task_id, outcome, task.fullLog);
        const update = finishedUpdate(a.task_id, a.attempt, finished, startedAtMs, finishedAtMs);
        forget();
        this.unacknowledged.set(key(a.task_id, a.attempt), { update, executor, grant });
        this.link.send(update);
      })
      .catch((err) => {
        forget();
        this.checkIdle();
        this.opts.logger.warn({ taskId: a.task_id, err: (err as Error).message }, 'outputs not stored before the agent closed; the attempt will run again elsewhere');
      });
  }

  /**
   * Where a function task's code is: the URL of its module and the folder it is in, its code
   * package when the run has one, else on this machine's filesystem (relative to the job's
   * folder, for a folder every agent mounts).
   */
  private async functionCode(step: StepAssignment__Output): Promise<FunctionCode> {
    if (step.code_package) {
      const folder = await this.opts.codeCache.folder(step.code_package);
      return { url: pathToFileURL(path.resolve(folder, step.thread!.module)).href, folder };
    }
    const folder = path.resolve(step.code_dir || process.cwd());
    return { url: versionedFileUrl(path.resolve(folder, step.thread!.module)), folder };
  }

  private log(task: RunningTask, stream: string, text: string): void {
    for (const line of text.split('\n')) {
      const entry = { at_ms: Date.now(), stream, text: line };
      task.logs.push(entry);
      task.fullLog.push(entry);
    }
    if (this.logFlushScheduled) return;
    this.logFlushScheduled = true;
    setImmediate(() => this.flushLogs());
  }

  /** Sends buffered log lines of every running task, one update per task. */
  private flushLogs(): void {
    this.logFlushScheduled = false;
    for (const [taskId, task] of this.running) this.flushTaskLogs(taskId, task);
  }

  private flushTaskLogs(taskId: string, task: RunningTask): void {
    if (!task.logs.length) return;
    this.link.send({ task_id: taskId, attempt: task.attempt, log: { lines: task.logs } });
    task.logs = [];
  }
}

function finishedUpdate(taskId: string, attempt: number, finished: Omit<TaskFinished, 'started_at_ms' | 'finished_at_ms'>, startedAtMs: number, finishedAtMs: number): TaskUpdate {
  // The times are set on the report rather than spread into a copy: this runs once per task.
  const report: TaskFinished = finished;
  report.started_at_ms = startedAtMs;
  report.finished_at_ms = finishedAtMs;
  return { task_id: taskId, attempt, finished: report };
}

/**
 * A file's URL, versioned by its modification time: workers cache imported modules by URL, and
 * a resumed run must load the fixed code, not the cached one. (Code packages need no version:
 * changed code is a new package in a new folder.)
 */
function versionedFileUrl(file: string): string {
  let version = 0;
  try {
    version = statSync(file).mtimeMs;
  } catch {
    // missing: the import fails with the path in its message
  }
  return `${pathToFileURL(file).href}?v=${version}`;
}
