/**
 * ContainerExecutor: runs container tasks on a Docker engine through dockerode.
 *
 *   write /cluster/in/input.json ─▶ image present? (else pull, bounded) ─▶ create (labels,
 *   limits) ─▶ attach logs ─▶ start ─▶ wait ─▶ OOM? exit code? ─▶ read /cluster/out
 *
 * The container and its folders stay until the scheduler has the outcome durably (release),
 * so an agent restart can still collect what finished meanwhile (recover); containers found
 * running after a restart are orphans and are removed.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { sleep } from '../../core/abortable.js';
import { decodeValue, encodeValue } from '../../core/codec.js';
import type { ErrorInfo } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { OrderedClose } from '../../core/ordered-close.js';
import { formatBytes } from '../../core/units.js';
import { createOptions, labels } from './container-options.js';
import type { ArtifactSource, ContainerTaskRun, Executor, RecoveredOutcome, TaskOutcome, TaskRun } from './executor.js';

export interface ContainerExecutorOptions {
  docker: Docker;
  agentId: string;
  /** Where task folders live: <dataDir>/tasks/<task>/<attempt>/{in,out}. */
  dataDir: string;
  /** SIGTERM, then SIGKILL after this long, on cancel and timeout. */
  stopGraceMs: number;
  pullTimeoutMs: number;
  logger: Logger;
}

/** The Docker engine named by --docker-host, DOCKER_HOST or the default socket, if it answers. */
export async function connectDocker(host: string | undefined, timeoutMs = 3_000): Promise<{ docker?: Docker; note: string }> {
  const docker = host ? new Docker(host.startsWith('unix://') ? { socketPath: host.slice(7) } : { host, protocol: 'http' }) : new Docker();
  const where = host ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))]);
    const version = await docker.version();
    return { docker, note: `container executor: Docker ${version.Version} at ${where}` };
  } catch (err) {
    return { note: `no container executor: cannot reach a Docker engine at ${where} (${(err as Error).message})` };
  }
}

export class ContainerExecutor implements Executor {
  readonly name = 'container';
  /** The tasks running now, by how to stop them: close() stops them and waits for their outcomes. */
  private readonly running = new Map<StopControl, Promise<TaskOutcome>>();
  private readonly closer: OrderedClose;

  constructor(private readonly opts: ContainerExecutorOptions) {
    this.closer = new OrderedClose('container executor', () => [
      { name: 'stop containers', run: () => this.running.forEach((_, control) => control.stop()) },
      // Each stop is SIGTERM, then SIGKILL after stopGraceMs: the outcomes follow.
      { name: 'outcomes', run: () => Promise.all(this.running.values()) },
    ], opts.logger);
  }

  run(task: TaskRun): Promise<TaskOutcome> {
    if (task.kind !== 'container') return Promise.resolve(failure('INVALID_ARGUMENT', `the container executor cannot run a ${task.kind} task`));
    if (this.closer.begun) return Promise.resolve(failure('CANCELLED', 'the agent is shutting down'));
    const control: StopControl = { stop: () => {} };
    const outcome = this.runContainer(task, control).finally(() => this.running.delete(control));
    this.running.set(control, outcome);
    return outcome;
  }

  /** Idempotent: stops every container running now (SIGTERM, then SIGKILL after the grace) and waits for their outcomes. */
  close(): Promise<void> {
    return this.closer.close();
  }

  /** Runs the task's container; `control.stop` is set to stop it (as a cancel). */
  private async runContainer(task: ContainerTaskRun, control: StopControl): Promise<TaskOutcome> {
    const spec = task.container;
    const { inDir, outDir } = this.dirs(task.taskId, task.attempt);
    let container: Docker.Container | undefined;
    let stopReason: 'timeout' | 'cancel' | undefined;
    const stop = (reason: 'timeout' | 'cancel') => {
      stopReason ??= reason;
      void container?.stop({ t: Math.ceil(this.opts.stopGraceMs / 1000) }).catch(() => {});
    };
    const detach = task.cancellation.onCancel(() => stop('cancel'));
    control.stop = () => stop('cancel');
    const timer = task.timeoutMs > 0 ? setTimeout(() => stop('timeout'), task.timeoutMs) : undefined;
    try {
      await mkdir(inDir, { recursive: true, mode: 0o755 });
      await mkdir(outDir, { recursive: true, mode: 0o777 });
      const input = { input: decodeValue(task.input) ?? null, item: decodeValue(task.item) ?? null, params: decodeValue(task.params) ?? {}, attempt: task.attempt, taskId: task.taskId };
      await writeFile(path.join(inDir, 'input.json'), JSON.stringify(input));
      await this.ensureImage(spec.image, task.cancellation.signal);
      if (stopReason) return stoppedBeforeStart(stopReason, task.timeoutMs);
      container = await this.opts.docker.createContainer(createOptions({
        ...spec, taskId: task.taskId, attempt: task.attempt, agentId: this.opts.agentId,
        cpuMilli: task.cpuMilli, memoryBytes: task.memoryBytes, gpuIndices: task.gpuIndices, inDir, outDir,
      }));
      await this.streamLogs(container, task);
      await container.start();
      task.onStarted(Date.now());
      if (stopReason) stop(stopReason);
      const { StatusCode: exitCode } = (await container.wait()) as { StatusCode: number };
      if (stopReason === 'timeout') return failure('TIMEOUT', `timed out after ${task.timeoutMs} ms; the container was stopped`);
      if (stopReason === 'cancel') return failure('CANCELLED', 'cancelled; the container was stopped');
      if (exitCode !== 0) {
        const oom = await outOfMemory(container, exitCode, task.memoryBytes);
        return oom ? failure('OUT_OF_MEMORY', oom) : failure('TASK_FAILED', `the container exited with code ${exitCode}`);
      }
      return await collect(outDir);
    } catch (err) {
      return failure('TASK_FAILED', (err as Error).message);
    } finally {
      clearTimeout(timer);
      detach();
    }
  }

  async release(taskId: string, attempt: number): Promise<void> {
    const found = await this.opts.docker.listContainers({ all: true, filters: { label: [`${labels.task}=${taskId}`, `${labels.attempt}=${attempt}`, `${labels.agent}=${this.opts.agentId}`] } });
    await Promise.all(found.map((c) => this.opts.docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
    await rm(this.dirs(taskId, attempt).taskDir, { recursive: true, force: true });
  }

  async recover(): Promise<RecoveredOutcome[]> {
    const found = await this.opts.docker.listContainers({ all: true, filters: { label: [`${labels.agent}=${this.opts.agentId}`] } });
    const recovered: RecoveredOutcome[] = [];
    for (const info of found) {
      const taskId = info.Labels[labels.task]!;
      const attempt = Number(info.Labels[labels.attempt]);
      const container = this.opts.docker.getContainer(info.Id);
      if (info.State !== 'exited') {
        this.opts.logger.warn({ taskId, attempt, container: info.Id }, 'removing an orphan container left by an earlier agent process');
        await container.remove({ force: true }).catch(() => {});
        await rm(this.dirs(taskId, attempt).taskDir, { recursive: true, force: true });
        continue;
      }
      const state = (await container.inspect()).State;
      const outcome = state.ExitCode === 0
        ? await collect(this.dirs(taskId, attempt).outDir)
        : failure(state.OOMKilled ? 'OUT_OF_MEMORY' : 'TASK_FAILED', state.OOMKilled ? 'out of memory: the engine killed the container' : `the container exited with code ${state.ExitCode}`);
      recovered.push({ taskId, attempt, outcome, startedAtMs: Date.parse(state.StartedAt), finishedAtMs: Date.parse(state.FinishedAt) });
    }
    return recovered;
  }

  private dirs(taskId: string, attempt: number) {
    const taskDir = path.join(this.opts.dataDir, 'tasks', taskId.replaceAll('/', '__'), String(attempt));
    return { taskDir, inDir: path.join(taskDir, 'in'), outDir: path.join(taskDir, 'out') };
  }

  /** The image must be present or pullable; a pull is bounded so a missing image never hangs a task. */
  private async ensureImage(image: string, signal: AbortSignal): Promise<void> {
    try {
      await this.opts.docker.getImage(image).inspect();
      return;
    } catch {
      // not present: try to pull it
    }
    const docker = this.opts.docker;
    const pulled = docker.pull(image).then((stream: NodeJS.ReadableStream) => new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve()));
    }));
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(this.opts.pullTimeoutMs)]);
    try {
      await Promise.race([pulled, new Promise((_, reject) => bounded.addEventListener('abort', () => reject(new Error(`no pull within ${this.opts.pullTimeoutMs} ms`)), { once: true }))]);
    } catch (err) {
      throw new Error(`image ${image} is not present on agent ${this.opts.agentId} and could not be pulled: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  private async streamLogs(container: Docker.Container, task: TaskRun): Promise<void> {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const stdout = lineSink('stdout', task);
    const stderr = lineSink('stderr', task);
    this.opts.docker.modem.demuxStream(stream, stdout, stderr);
    stream.on('end', () => {
      stdout.end();
      stderr.end();
    });
  }
}

/**
 * The result from /cluster/out/result.json; every other file there is an artifact, uploaded
 * from the file (it stays until the scheduler has the outcome, see release).
 */
async function collect(outDir: string): Promise<TaskOutcome> {
  let result: unknown = null;
  const artifacts: ArtifactSource[] = [];
  for (const name of await listFiles(outDir)) {
    const file = path.join(outDir, name);
    if (name !== 'result.json') {
      artifacts.push({ name, file });
      continue;
    }
    try {
      result = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      return failure('TASK_FAILED', `/cluster/out/result.json is not valid JSON: ${(err as Error).message}`);
    }
  }
  return { ok: true, result: encodeValue(result), artifacts };
}

/** A writable that hands complete lines to the task's log. */
function lineSink(name: 'stdout' | 'stderr', task: TaskRun): PassThrough {
  const sink = new PassThrough();
  let partial = '';
  sink.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    if (lines.length) task.onLog(name, lines.join('\n'));
  });
  sink.on('end', () => {
    if (partial) task.onLog(name, partial);
  });
  return sink;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

interface StopControl {
  stop(): void;
}

function failure(code: ErrorInfo['code'], message: string): TaskOutcome {
  return { ok: false, error: { code, message } };
}

function stoppedBeforeStart(reason: 'timeout' | 'cancel', timeoutMs: number): TaskOutcome {
  return reason === 'timeout' ? failure('TIMEOUT', `timed out after ${timeoutMs} ms, before its container started`) : failure('CANCELLED', 'cancelled before it started');
}

/** SIGKILL's exit code: what a container the kernel's OOM killer stopped exits with. */
const sigkillExit = 137;

/**
 * Why a container that exited non-zero was out of memory, or undefined if it was not. dockerd
 * hears of an OOM kill in an event of its own, which can come after the exit or not at all: CI
 * runs saw a container killed at its 32 MiB limit exit 137 with the flag still unset 0.5 s later.
 * So a SIGKILL exit without the flag is looked at again for up to 0.5 s, and then still counts
 * as out of memory when the container had a memory limit: clusterd's own stops (timeout,
 * cancel) are told apart before this, and the message says the engine did not confirm it.
 * (Nomad backed out a plain "137 means OOM" rule because its own force-kills read as OOM.)
 */
export async function outOfMemory(container: Pick<Docker.Container, 'inspect'>, exitCode: number, limitBytes: number): Promise<string | undefined> {
  const limit = `out of memory (limit ${formatBytes(limitBytes)})`;
  for (let look = 0; look < 10; look++) {
    if ((await container.inspect()).State.OOMKilled) return `${limit}: the engine killed the container`;
    if (exitCode !== sigkillExit) return undefined;
    await sleep(50);
  }
  return limitBytes > 0 ? `${limit}: killed by SIGKILL (exit 137) at its memory limit; the engine did not flag it as an OOM kill` : undefined;
}
