/**
 * ProcessPool: the `process` executor, for code that should not be trusted with the agent
 * (`isolation: process` on a step, or every step of a project the scheduler isolates). Each task
 * runs in a child process of its own Node, under the permission model: it reads only its code
 * folder and clusterd's files, writes nothing, starts no process or worker; it sees no variable
 * of the agent's environment; when the agent runs as root it runs as `nobody`. Its memory limit
 * counts everything the process holds (resident set, Buffers included), checked every 100 ms.
 *
 * Processes are kept warm per code folder (a sweep's tasks share one), up to `size` at once;
 * one runs one task at a time. Same contract as the other executors (executor.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Executor, ProcessTaskRun, TaskOutcome, TaskRun } from './executor.js';

const workerFile = fileURLToPath(new URL('./process-worker.js', import.meta.url));
/** clusterd's own files (the worker and msgpackr): readable by every task process. */
const packageRoot = path.resolve(path.dirname(workerFile), workerFile.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const memoryCheckMs = 100;
const pageBytes = 4096;
/** The unprivileged user a root agent runs isolated tasks as (nobody:nogroup on Debian). */
const nobody = { uid: 65534, gid: 65534 };

export interface ProcessPoolOptions {
  /** Processes at once (busy and warm). */
  size: number;
  /** How long a stopped task gets to end before its process is killed. */
  abortGraceMs: number;
  logger: Logger;
}

interface TaskProcess {
  child: ChildProcess;
  folder: string;
  busy: boolean;
  exited: boolean;
}

type WorkerMessage =
  | { type: 'log'; id: number; stream: string; text: string }
  | { type: 'artifact'; id: number; name: string; bytes: Uint8Array }
  | { type: 'done'; id: number; ok: true; result: Uint8Array; ms: number }
  | { type: 'done'; id: number; ok: false; error: { code: string; message: string; stack: string }; ms: number };

export class ProcessPool implements Executor {
  readonly name = 'process' as const;
  private readonly processes = new Set<TaskProcess>();
  /** Tasks waiting for a process, in arrival order. */
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  private nextId = 1;
  private readonly running = new Set<Promise<TaskOutcome>>();
  private warnedUser = false;

  constructor(private readonly opts: ProcessPoolOptions) {}

  run(task: TaskRun): Promise<TaskOutcome> {
    if (task.kind !== 'process') return Promise.resolve(failure('INVALID_ARGUMENT', `the process executor runs isolated function tasks, not ${task.kind} tasks`));
    const outcome = this.runIsolated(task);
    this.running.add(outcome);
    void outcome.finally(() => this.running.delete(outcome));
    return outcome;
  }

  private async runIsolated(task: ProcessTaskRun): Promise<TaskOutcome> {
    if (this.closed) return failure('CANCELLED', 'the agent is shutting down');
    const p = await this.take(task);
    if (!p) return failure('CANCELLED', task.cancellation.cancelled ? 'cancelled' : 'the agent is shutting down');
    const id = this.nextId++;
    const artifacts: Array<{ name: string; bytes: Uint8Array }> = [];
    return new Promise<TaskOutcome>((resolve) => {
      let stopped: 'timeout' | 'cancel' | 'memory' | undefined;
      let rssBytes = 0;
      const timers: NodeJS.Timeout[] = [];
      const finish = (outcome: TaskOutcome) => {
        for (const t of timers) clearTimeout(t);
        clearInterval(memoryWatch);
        p.child.off('message', onMessage);
        p.child.off('exit', onExit);
        detach();
        this.free(p);
        resolve(artifacts.length ? { ...outcome, artifacts } : outcome);
      };
      const stop = (why: 'timeout' | 'cancel' | 'memory', kill = false) => {
        if (stopped) return;
        stopped = why;
        if (kill) p.child.kill('SIGKILL');
        else p.child.send({ type: 'abort', id, reason: why === 'timeout' ? 'timeout' : 'cancelled' });
        timers.push(setTimeout(() => p.child.kill('SIGKILL'), this.opts.abortGraceMs));
      };
      const stoppedOutcome = (): TaskOutcome => stopped === 'timeout' ? failure('TIMEOUT', `timed out after ${task.timeoutMs} ms`)
        : stopped === 'memory' ? failure('OUT_OF_MEMORY', `its process used ${mib(rssBytes)} (resident, Buffers included) over its limit of ${mib(task.memoryBytes)}`)
        : failure('CANCELLED', 'cancelled');
      const onMessage = (msg: WorkerMessage) => {
        if (msg.id !== id) return;
        if (msg.type === 'log') task.onLog(msg.stream, msg.text);
        else if (msg.type === 'artifact') artifacts.push({ name: msg.name, bytes: msg.bytes });
        else if (stopped) finish(stoppedOutcome());
        else finish(msg.ok ? { ok: true, result: msg.result, runMs: msg.ms } : { ok: false, error: msg.error, runMs: msg.ms });
      };
      const onExit = (code: number | null, signal: string | null) => {
        if (this.closed && !stopped) finish(failure('CANCELLED', 'the agent is shutting down'));
        else finish(stopped ? stoppedOutcome() : failure('WORKER_EXITED', `the task's process exited (${signal ?? `code ${code}`})`));
      };
      p.child.on('message', onMessage);
      p.child.on('exit', onExit);
      const detach = task.cancellation.onCancel(() => stop('cancel'));
      if (task.timeoutMs > 0) timers.push(setTimeout(() => stop('timeout'), task.timeoutMs));
      const memoryWatch = setInterval(() => {
        rssBytes = residentBytes(p.child.pid!);
        if (task.memoryBytes > 0 && rssBytes > task.memoryBytes) stop('memory', true);
      }, memoryCheckMs);
      task.onCommitted?.();
      p.child.send({ type: 'run', id, url: task.moduleUrl, exportName: task.exportName, input: task.input, params: task.params, item: task.item, attempt: task.attempt });
      task.onStarted(Date.now());
    });
  }

  /** A free process for the task's folder: a warm one, a new one, or the next to free up. */
  private async take(task: ProcessTaskRun): Promise<TaskProcess | undefined> {
    for (;;) {
      if (this.closed || task.cancellation.cancelled) return undefined;
      const warm = [...this.processes].find((p) => !p.busy && !p.exited && p.folder === task.folder);
      if (warm) {
        warm.busy = true;
        return warm;
      }
      if (this.processes.size >= this.opts.size) {
        // Room is made by a warm process of another folder, or waited for.
        const idle = [...this.processes].find((p) => !p.busy);
        if (idle) this.retire(idle);
      }
      if (this.processes.size < this.opts.size) {
        const p = this.spawn(task.folder);
        p.busy = true;
        return p;
      }
      let detach = () => {};
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        detach = task.cancellation.onCancel(() => resolve());
      });
      detach();
    }
  }

  private spawn(folder: string): TaskProcess {
    const asNobody = process.getuid?.() === 0 && othersCanRead(folder) && othersCanRead(packageRoot) ? nobody : undefined;
    if (process.getuid?.() === 0 && !asNobody && !this.warnedUser) {
      this.warnedUser = true;
      this.opts.logger.warn({ folder }, 'isolated tasks run as root (still under the permission model): nobody cannot read their code folder; give the agent a --data folder others may read');
    }
    const child = spawn(process.execPath, [
      '--experimental-permission', '--no-warnings',
      `--allow-fs-read=${packageRoot}`, `--allow-fs-read=${folder}`,
      workerFile,
    ], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      cwd: folder,
      ...(asNobody ?? {}),
    });
    const p: TaskProcess = { child, folder, busy: false, exited: false };
    this.processes.add(p);
    child.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'isolated task process failed to start'));
    child.on('exit', () => {
      p.exited = true;
      this.processes.delete(p);
      this.wakeOne();
    });
    return p;
  }

  private free(p: TaskProcess): void {
    p.busy = false;
    if (p.exited || this.closed) this.retire(p);
    this.wakeOne();
  }

  private retire(p: TaskProcess): void {
    this.processes.delete(p);
    if (!p.exited) p.child.kill('SIGKILL');
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    for (const p of this.processes) p.child.kill('SIGKILL');
    await Promise.all([...this.running]);
  }
}

/** Whether a user other than the owner may read `folder`: it and every folder above it let others in. */
function othersCanRead(folder: string): boolean {
  try {
    if ((statSync(folder).mode & 0o005) !== 0o005) return false;
    for (let dir = path.dirname(folder); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dir === path.dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

/** The resident set of `pid` (from /proc/PID/statm), or 0 once it has gone. */
function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageBytes;
  } catch {
    return 0;
  }
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

function failure(code: ClusterError['code'], message: string): TaskOutcome {
  return { ok: false, error: { code, message } };
}
