/**
 * AgentDaemon: runs the tasks the scheduler assigns and reports them back.
 *
 *   assignment ─▶ code package (cached) ─▶ executor.run ─▶ started, log lines
 *              ─▶ outputs into the chunk store ─▶ finished (kept until acknowledged)
 *
 * A finished task's update stays in `unacknowledged` until the scheduler acknowledges it as
 * durable; after a reconnect it is sent again with the registration, so a result survives a
 * scheduler failover. Duplicates are harmless: the scheduler records once per (task, attempt).
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../core/logger.js';
import type { Assignment__Output, LogLine, SchedulerMessage__Output, TaskFinished, TaskRef, TaskUpdate } from '../proto/types.js';
import type { AgentCapacity } from './fingerprint/capacity.js';
import type { CodeCache } from './code-cache.js';
import type { Executor, TaskOutcome } from './executors/executor.js';
import { SchedulerLink } from './link/scheduler-link.js';
import type { TaskOutputs } from './task-outputs.js';

export interface AgentOptions {
  id: string;
  schedulers: string[];
  capacity: AgentCapacity;
  labels: Record<string, string>;
  executors: Executor[];
  /** Where code packages come from; outputs go to the store through `outputs(closing)`. */
  codeCache: CodeCache;
  outputs: (closing: AbortSignal) => TaskOutputs;
  logger: Logger;
}

interface RunningTask {
  attempt: number;
  gpuIndices: number[];
  controller: AbortController;
  /** Lines not yet sent to the scheduler. */
  logs: LogLine[];
  /** The attempt's whole log, stored as an object when it ends. */
  fullLog: LogLine[];
}

const key = (taskId: string, attempt: number) => `${taskId}#${attempt}`;

export class AgentDaemon {
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly running = new Map<string, RunningTask>();
  private readonly unacknowledged = new Map<string, { update: TaskUpdate; executor: Executor | undefined }>();
  private readonly executors: Map<string, Executor>;
  private readonly link: SchedulerLink;
  private readonly closingController = new AbortController();
  private readonly outputs: TaskOutputs;
  private logFlushScheduled = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: AgentOptions) {
    this.executors = new Map(opts.executors.map((e) => [e.name, e]));
    this.outputs = opts.outputs(this.closingController.signal);
    this.link = new SchedulerLink(opts.schedulers, {
      registration: () => this.registration(),
      onMessage: (msg) => this.onMessage(msg),
      onRegistered: () => this.resendUnacknowledged(),
    }, opts.logger.child({ component: 'link' }));
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

  /** Idempotent: stops taking work, cancels what runs, closes the link and executors. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closingController.abort();
      for (const t of this.running.values()) t.controller.abort();
      await this.link.close();
      await Promise.all([...this.executors.values()].map((e) => e.close().catch((err) => this.opts.logger.error({ err, executor: e.name }, 'closing an executor failed'))));
    })();
    return this.closing;
  }

  private registration() {
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
      unacknowledged: [...this.unacknowledged.values()].map((u) => u.update),
      version: '0.1.0',
      instance_id: this.instanceId,
    };
  }

  private onMessage(msg: SchedulerMessage__Output): void {
    switch (msg.body) {
      case 'assign': {
        const versions = new Map<string, string>();
        for (const a of msg.assign?.tasks ?? []) this.runAssignment(a, versions);
        break;
      }
      case 'cancel':
        for (const ref of msg.cancel?.tasks ?? []) this.cancel(ref, msg.cancel?.reason ?? 'cancelled');
        break;
      case 'ack':
        for (const ref of msg.ack?.tasks ?? []) this.acknowledged(ref.task_id, ref.attempt);
        break;
      case 'registered':
        for (const ref of msg.registered?.stop ?? []) this.cancel(ref, 'the scheduler no longer wants it');
        break;
      default:
        break;
    }
  }

  /** After a reconnect the registration carried them; nothing else to do but log. */
  private resendUnacknowledged(): void {
    if (this.unacknowledged.size) this.opts.logger.info({ count: this.unacknowledged.size }, 'reported unacknowledged results again');
  }

  /** The scheduler holds the outcome durably: forget it and let its executor clean up. */
  private acknowledged(taskId: string, attempt: number): void {
    const k = key(taskId, attempt);
    const entry = this.unacknowledged.get(k);
    if (!entry) return;
    this.unacknowledged.delete(k);
    entry.executor?.release?.(taskId, attempt).catch((err) => this.opts.logger.warn({ err, taskId }, 'cleaning up after a task failed'));
  }

  private cancel(ref: TaskRef, reason: string): void {
    const task = this.running.get(ref.task_id!);
    if (task && task.attempt === ref.attempt) task.controller.abort(new Error(reason));
  }

  /** `moduleUrls` memoizes module URLs within one batch of assignments. */
  private runAssignment(a: Assignment__Output, moduleUrls: Map<string, string>): void {
    if (this.running.has(a.task_id)) return; // a duplicate assignment of what already runs
    const task: RunningTask = { attempt: a.attempt, gpuIndices: a.gpu_indices, controller: new AbortController(), logs: [], fullLog: [] };
    this.running.set(a.task_id, task);
    const executor = this.executors.get(a.executor);
    let startedAtMs = Date.now();
    const run = async (): Promise<TaskOutcome> => {
      if (!executor) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `agent ${this.opts.id} has no ${a.executor} executor` } };
      let url = '';
      if (a.thread) {
        try {
          url = await this.moduleUrl(a, moduleUrls);
        } catch (err) {
          return { ok: false, error: { code: 'TASK_FAILED', message: `agent ${this.opts.id} cannot fetch code package ${a.code_package}: ${(err as Error).message}` } };
        }
      }
      return executor.run({
        taskId: a.task_id,
        attempt: a.attempt,
        ...(a.container ? { container: { image: a.container.image, command: a.container.command, env: a.container.env, network: a.container.network } } : {}),
        moduleUrl: url,
        exportName: a.thread?.export ?? 'default',
        input: a.input,
        params: a.params,
        item: a.item,
        memoryBytes: Number(a.resources?.memory_bytes ?? 0),
        cpuMilli: Number(a.resources?.cpu_milli ?? 0),
        gpuIndices: a.gpu_indices,
        timeoutMs: Number(a.timeout_ms),
        signal: task.controller.signal,
        onStarted: (atMs) => {
          startedAtMs = atMs;
          this.link.send({ task_id: a.task_id, attempt: a.attempt, started: { at_ms: atMs } });
        },
        onLog: (stream, text) => this.log(task, stream, text),
      });
    };
    void run()
      .then(async (outcome) => {
        const finishedAtMs = Date.now();
        this.flushLogs();
        const finished = await this.outputs.persist(a.task_id, outcome, task.fullLog);
        const update = finishedUpdate(a.task_id, a.attempt, finished, startedAtMs, finishedAtMs);
        this.running.delete(a.task_id);
        this.unacknowledged.set(key(a.task_id, a.attempt), { update, executor });
        this.link.send(update);
      })
      .catch((err) => {
        this.running.delete(a.task_id);
        this.opts.logger.warn({ taskId: a.task_id, err: (err as Error).message }, 'outputs not stored before the agent closed; the attempt will run again elsewhere');
      });
  }

  /**
   * The URL of a thread task's module: inside its code package when the run has one, else on
   * this machine's filesystem (relative to the job's folder, for a folder every agent mounts).
   */
  private async moduleUrl(a: Assignment__Output, memo: Map<string, string>): Promise<string> {
    if (a.code_package) {
      const folder = await this.opts.codeCache.folder(a.code_package);
      return pathToFileURL(path.resolve(folder, a.thread!.module)).href;
    }
    return versionedFileUrl(path.resolve(a.code_dir || process.cwd(), a.thread!.module), memo);
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
    for (const [taskId, task] of this.running) {
      if (!task.logs.length) continue;
      this.link.send({ task_id: taskId, attempt: task.attempt, log: { lines: task.logs } });
      task.logs = [];
    }
  }
}

function finishedUpdate(taskId: string, attempt: number, finished: Omit<TaskFinished, 'started_at_ms' | 'finished_at_ms'>, startedAtMs: number, finishedAtMs: number): TaskUpdate {
  return { task_id: taskId, attempt, finished: { ...finished, started_at_ms: startedAtMs, finished_at_ms: finishedAtMs } };
}

/**
 * A file's URL, versioned by its modification time: workers cache imported modules by URL, and
 * a resumed run must load the fixed code, not the cached one. (Code packages need no version:
 * changed code is a new package in a new folder.)
 */
function versionedFileUrl(file: string, memo: Map<string, string>): string {
  let url = memo.get(file);
  if (url) return url;
  let version = 0;
  try {
    version = statSync(file).mtimeMs;
  } catch {
    // missing: the import fails with the path in its message
  }
  url = `${pathToFileURL(file).href}?v=${version}`;
  memo.set(file, url);
  return url;
}
