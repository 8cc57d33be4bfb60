/**
 * Executor: how an agent runs one attempt of a task. Thread and container executors share it.
 *
 *   run(task) ──▶ started ──▶ log lines ──▶ outcome (result or error, and named artifacts)
 *                   │ task.cancellation fires (cancel), or the timeout passes
 *                   └──▶ stopped gracefully, then forcibly; outcome CANCELLED or TIMEOUT
 *
 * Contract (test/support/executor-conformance.ts checks it for every executor): `run` never
 * rejects, every failure is an outcome with a stable code; a task cancelled before it starts
 * never starts and ends CANCELLED; the executor enforces the task's timeout (TIMEOUT) and memory
 * limit itself; `close()` stops everything it runs (CANCELLED) and refuses what comes after.
 */
import type { Cancellation } from '../../core/cancellation.js';
import type { ErrorInfo } from '../../core/errors.js';

/** What every task run carries, whatever runs it. */
interface TaskRunBase {
  taskId: string;
  attempt: number;
  /** msgpack */
  input: Uint8Array;
  params: Uint8Array;
  item: Uint8Array;
  memoryBytes: number;
  cpuMilli: number;
  gpuIndices: number[];
  timeoutMs: number;
  /**
   * Cancelled when the scheduler cancels the task, or the agent gives it back; its `signal` is
   * an AbortSignal for APIs that take one (made only when asked for: an AbortController costs
   * more than a no-op task runs).
   */
  cancellation: Cancellation;
  onStarted(atMs: number): void;
  /**
   * The executor has handed the task to what runs it (a worker thread that may start it any
   * moment, before `onStarted` is heard): from then on it cannot be given back unstarted.
   */
  onCommitted?(): void;
  onLog(stream: string, text: string): void;
}

/** A function in a worker thread: `exportName` of the module at `moduleUrl` (a file URL). */
export interface ThreadTaskRun extends TaskRunBase {
  kind: 'thread';
  moduleUrl: string;
  exportName: string;
}

/**
 * The same function in an isolated process (process-pool.ts): `folder` is what it may read, the
 * code package (or job folder) its module is in.
 */
export interface ProcessTaskRun extends TaskRunBase {
  kind: 'process';
  moduleUrl: string;
  exportName: string;
  folder: string;
}

export interface ContainerSpec {
  image: string;
  command: string[];
  env: Record<string, string>;
  network: boolean;
}

/** A container on the agent's Docker engine. */
export interface ContainerTaskRun extends TaskRunBase {
  kind: 'container';
  container: ContainerSpec;
}

export type TaskRun = ThreadTaskRun | ProcessTaskRun | ContainerTaskRun;

/** A named artifact a task produced: bytes it saved (thread), or a file it wrote (container). */
export type ArtifactSource = { name: string } & ({ bytes: Uint8Array } | { file: string });

/**
 * Artifacts are kept whether or not the task succeeded: a failed run's checkpoints help debug it.
 * `runMs`: how long the task's own code ran, where the executor measures it more finely than the
 * agent's start and end times (a thread task's function, without the agent's queueing).
 */
export type TaskOutcome =
  | { ok: true; result: Uint8Array; artifacts?: ArtifactSource[]; runMs?: number }
  | { ok: false; error: ErrorInfo; artifacts?: ArtifactSource[]; runMs?: number };

/** An outcome an executor found after an agent restart (a container that finished meanwhile). */
export interface RecoveredOutcome {
  taskId: string;
  attempt: number;
  outcome: TaskOutcome;
  startedAtMs: number;
  finishedAtMs: number;
}

export interface Executor {
  /** The kind of task it runs; given another kind, `run` answers INVALID_ARGUMENT. */
  readonly name: TaskRun['kind'];
  run(task: TaskRun): Promise<TaskOutcome>;
  /** The scheduler has the outcome durably: what the task left behind can go. */
  release?(taskId: string, attempt: number): Promise<void>;
  /** After an agent restart: outcomes of tasks that finished while it was down; orphans removed. */
  recover?(): Promise<RecoveredOutcome[]>;
  close(): Promise<void>;
}
