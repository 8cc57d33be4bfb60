/**
 * Executor: how an agent runs one attempt of a task. Thread and container executors share it.
 *
 *   run(task) ──▶ started ──▶ log lines ──▶ outcome (result or error, and named artifacts)
 *                   │ task.cancellation fires (cancel), or the timeout passes
 *                   └──▶ stopped gracefully, then forcibly; outcome CANCELLED or TIMEOUT
 *
 * Contract: `run` never rejects; every failure is an outcome with a stable code. The executor
 * enforces the task's timeout and memory limit itself. `close()` stops everything it runs.
 */
import type { Cancellation } from '../../core/cancellation.js';
import type { ErrorInfo } from '../../core/errors.js';

export interface TaskRun {
  taskId: string;
  attempt: number;
  /** For container tasks. */
  container?: { image: string; command: string[]; env: Record<string, string>; network: boolean };
  /** Absolute path or file URL of the module for thread tasks. */
  moduleUrl: string;
  exportName: string;
  /** msgpack */
  input: Uint8Array;
  params: Uint8Array;
  item: Uint8Array;
  memoryBytes: number;
  cpuMilli: number;
  gpuIndices: number[];
  timeoutMs: number;
  /** Cancelled when the scheduler cancels the task, or the agent gives it back. */
  cancellation: Cancellation;
  onStarted(atMs: number): void;
  /**
   * The executor has handed the task to what runs it (a worker thread that may start it any
   * moment, before `onStarted` is heard): from then on it cannot be given back unstarted.
   */
  onCommitted?(): void;
  onLog(stream: string, text: string): void;
}

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
  readonly name: 'thread' | 'container';
  run(task: TaskRun): Promise<TaskOutcome>;
  /** The scheduler has the outcome durably: what the task left behind can go. */
  release?(taskId: string, attempt: number): Promise<void>;
  /** After an agent restart: outcomes of tasks that finished while it was down; orphans removed. */
  recover?(): Promise<RecoveredOutcome[]>;
  close(): Promise<void>;
}
