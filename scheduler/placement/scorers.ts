/**
 * Scorers: how good an agent that fits is for a task. Both scores are bounded to [0, 100] so they
 * compare across agents of any size, like Nomad's ScoreFitBinPack and Kubernetes' most_allocated.
 *
 *   utilisation_d = (capacity_d - free_d + demand_d) / capacity_d     for d in D
 *   D             = { cpu, memory }, plus gpu when the agent has GPUs
 *   binPackScore  = 100 * mean over D of utilisation_d     (100: the task fills the agent exactly)
 *   spreadScore   = 100 - binPackScore                      (100: an empty agent stays near empty)
 *
 * Best fit (the default) takes the highest bin-pack score: agents are filled before empty ones
 * are touched, which keeps whole agents free for big tasks. Utilisation is clamped to [0, 1] so
 * an agent whose capacity shrank under its allocations cannot push a score out of range.
 */
import type { Resources } from '../../core/resources.js';
import type { TaskDemand } from './types.js';

export function binPackScore(capacity: Resources, free: Resources, demand: Resources): number {
  let sum = utilisationAfter(capacity.cpuMilli, free.cpuMilli, demand.cpuMilli)
    + utilisationAfter(capacity.memoryBytes, free.memoryBytes, demand.memoryBytes);
  let dimensions = 2;
  if (capacity.gpus > 0) {
    sum += utilisationAfter(capacity.gpus, free.gpus, demand.gpus);
    dimensions = 3;
  }
  return (100 * sum) / dimensions;
}

export function spreadScore(capacity: Resources, free: Resources, demand: Resources): number {
  return 100 - binPackScore(capacity, free, demand);
}

/** The score selection maximises for this task: spread on request, best fit otherwise. */
export function placementScore(task: Pick<TaskDemand, 'spread' | 'resources'>, capacity: Resources, free: Resources): number {
  return task.spread ? spreadScore(capacity, free, task.resources) : binPackScore(capacity, free, task.resources);
}

function utilisationAfter(capacity: number, free: number, demand: number): number {
  // A dimension the agent does not have (0 capacity) counts as full: nothing more can use it.
  if (capacity <= 0) return 1;
  return Math.min(1, Math.max(0, (capacity - free + demand) / capacity));
}
