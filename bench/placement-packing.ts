/**
 * Packing figures of a placement outcome, computed the same way for the placer and for the
 * first-fit-decreasing baseline so the two compare.
 */
import type { AgentNode } from '../scheduler/placement/types.js';
import { round } from './stats.js';

/** What the tasks placed on one agent use. */
export interface AgentUse {
  cpuMilli: number;
  memoryBytes: number;
  gpus: number;
  tasks: number;
}

export interface PackingFigures {
  /** Share of agents running at least one task. */
  agentsUsedShare: number;
  cpuAllocatedShare: number;
  memoryAllocatedShare: number;
  gpuAllocatedShare: number;
  /** Free GPUs counted only while some GPU task still waits (0 otherwise). */
  idleGpus: number;
  waitingGpuTasks: number;
}

export function packingOf(nodes: readonly AgentNode[], use: ReadonlyMap<string, AgentUse>, waitingGpuTasks: number): PackingFigures {
  let used = 0;
  const capacity = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
  const allocated = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
  for (const node of nodes) {
    const u = use.get(node.id)!;
    if (u.tasks > 0) used++;
    capacity.cpuMilli += node.capacity.cpuMilli;
    capacity.memoryBytes += node.capacity.memoryBytes;
    capacity.gpus += node.capacity.gpus;
    allocated.cpuMilli += u.cpuMilli;
    allocated.memoryBytes += u.memoryBytes;
    allocated.gpus += u.gpus;
  }
  return {
    agentsUsedShare: round(used / nodes.length, 4),
    cpuAllocatedShare: round(allocated.cpuMilli / capacity.cpuMilli, 4),
    memoryAllocatedShare: round(allocated.memoryBytes / capacity.memoryBytes, 4),
    gpuAllocatedShare: capacity.gpus ? round(allocated.gpus / capacity.gpus, 4) : 0,
    idleGpus: waitingGpuTasks > 0 ? capacity.gpus - allocated.gpus : 0,
    waitingGpuTasks,
  };
}
