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
  /**
   * How long tasks of its step run, as the engine learns it from finished tasks; shared by the
   * step's tasks and updated in place. Without it the task is not prefetched (see prefetch.ts).
   */
  timing?: StepTiming;
}

/** What placement knows of a step's run time: the basis of its prefetch window. */
export interface StepTiming {
  /** Recent run time of the step's finished tasks (a moving average); undefined until one ends. */
  runMs: number | undefined;
  /** The longest time one of its tasks has been running and is not done yet (0: none). */
  longestRunningMs: number;
}

export interface Placement {
  taskId: string;
  agentId: string;
  /** The GPU device indices given to the task; never shared with another task. */
  gpuIndices: number[];
  /** Sent to wait in the agent's queue beyond its free capacity (see prefetch.ts). */
  prefetched: boolean;
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
  | { kind: 'no-agents' }
  /** Placed ahead (prefetched): it waits in this agent's own queue for a slot to free there. */
  | { kind: 'prefetched'; agentId: string };

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
  /**
   * Work an agent may hold waiting beyond what it runs, per task it runs at once, by expected run
   * time (see prefetch.ts). 0 turns prefetching off. Default 50 ms.
   */
  prefetchWindowMs?: number;
  /** Most tasks waiting on one agent. Default 256. */
  maxPrefetchPerAgent?: number;
}
