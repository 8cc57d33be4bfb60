/**
 * Executor: how an agent runs one attempt of a task. Thread and container executors share it.
 *
 *   run(task) ──▶ started ──▶ (log lines, artifacts) ──▶ outcome
 *                   │ task.signal aborts (cancel, timeout)
 *                   └──▶ stopped gracefully, then forcibly; outcome CANCELLED or TIMEOUT
 *
 * Contract: `run` never rejects; every failure is an outcome with a stable code. The executor
 * enforces the task's timeout and memory limit itself. `close()` stops everything it runs.
 */
import type { ErrorInfo } from '../../core/errors.js';

export interface TaskRun {
  taskId: string;
  attempt: number;
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
  /** Aborted when the scheduler cancels the task. */
  signal: AbortSignal;
  onStarted(atMs: number): void;
  onLog(stream: string, text: string): void;
  onArtifact(name: string, bytes: Uint8Array): void;
}

export type TaskOutcome =
  | { ok: true; result: Uint8Array }
  | { ok: false; error: ErrorInfo };

export interface Executor {
  readonly name: 'thread' | 'container';
  run(task: TaskRun): Promise<TaskOutcome>;
  close(): Promise<void>;
}
