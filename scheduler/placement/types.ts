/**
 * The placement engine's vocabulary. Everything here is plain data: the engine does no I/O and
 * reads no clock, so tests and benchmarks drive it directly.
 */
import type { Resources } from '../../core/resources.js';

/** An agent as placement sees it. */
export interface AgentNode {
  id: string;
  capacity: Resources;
  /** Every GPU device index on the agent (capacity.gpus === gpuIndices.length). */
  gpuIndices: number[];
  labels: Record<string, string>;
  /** Executors the agent offers: "thread", "container". */
  executors: string[];
  /** A draining agent keeps what it runs and gets nothing new. */
  draining: boolean;
}

/** A task waiting for room. */
export interface TaskDemand {
  id: string;
  /** Fair-share group. */
  project: string;
  /** Higher runs first within a project. */
  priority: number;
  /** Submission order, increasing; equal-priority tasks of a project start in this order. */
  seq: number;
  resources: Resources;
  executor: string;
  /** Agent labels the task requires, e.g. { gpu_model: "A100" }. */
  constraints: Record<string, string>;
  /** Prefer the emptiest agent instead of the fullest (best fit is the default). */
  spread: boolean;
}

export interface Placement {
  taskId: string;
  agentId: string;
  /** The GPU device indices given to the task; never shared with another task. */
  gpuIndices: number[];
}

/** Why a task is not placed: answered from data, shown by `clusterctl status`. */
export type WaitReason =
  /** No agent has room now; `short` is what the best candidate lacks (cpu in millicores). */
  | { kind: 'exhausted'; resource: 'cpu' | 'memory' | 'gpu'; short: number }
  /** No ready agent satisfies the constraint or executor. */
  | { kind: 'constraint'; detail: string }
  /** Room exists but other projects' or higher-priority tasks go first. */
  | { kind: 'queued'; ahead: number }
  | { kind: 'no-agents' };

/** Whether any agent of the cluster, empty, could ever hold the task. */
export type Feasibility = { ok: true } | { ok: false; reason: string };
