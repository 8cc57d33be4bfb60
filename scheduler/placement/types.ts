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
  /**
   * No agent has room now; `short` is what the closest agent lacks (cpu in millicores, memory in
   * bytes). `reservedAgentId`: the agent held for this task by the anti-starvation rule.
   */
  | { kind: 'exhausted'; resource: 'cpu' | 'memory' | 'gpu'; short: number; reservedAgentId?: string }
  /**
   * No agent could hold it: none offers the executor and labels, all that do are draining (or
   * held for other tasks), or the task is bigger than any of them; `detail` says which.
   */
  | { kind: 'constraint'; detail: string }
  /**
   * Room may exist but other projects (by fair share) or tasks ahead in its own project go first;
   * `ahead` counts the latter: higher priority, or equal priority and submitted earlier.
   */
  | { kind: 'queued'; ahead: number }
  | { kind: 'no-agents' };

/** Whether any agent of the cluster, empty, could ever hold the task. */
export type Feasibility = { ok: true } | { ok: false; reason: string };

/** Tuning of a Placer; every field is optional with the default given. */
export interface PlacerOptions {
  /** Most placements one schedule() call makes; the rest wait for the next call. Default: no limit. */
  maxPlacementsPerPass?: number;
  /** Consecutive passes a project's next task may fail to fit before an agent is reserved for it. Default 5. */
  reserveAfterPasses?: number;
  /** Most agents held for starving tasks at once. Default 16. */
  maxReservedAgents?: number;
}
