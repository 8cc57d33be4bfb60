/**
 * Keys that group tasks and agents so work is done once per group, not once per member:
 * tasks of one shape share a feasibility result within a pass, and agents of one class share the
 * answer to "does this executor and these labels match?".
 */
import type { Resources } from '../../core/resources.js';
import type { AgentNode, TaskDemand } from './types.js';

export type PlacementRules = Pick<TaskDemand, 'executor' | 'constraints'>;

/** What decides which agents may run a task at all: executor and label constraints. */
export function constraintKeyOf(task: PlacementRules): string {
  return `${task.executor}|${sortedPairs(task.constraints)}`;
}

/** Everything selection looks at: two tasks with one shape key are interchangeable to it. */
export function shapeKeyOf(task: TaskDemand): string {
  return `${vectorKeyOf(task.resources)}|${task.spread ? 's' : 'p'}|${constraintKeyOf(task)}`;
}

/**
 * An agent class: agents with the same executors and labels match the same tasks, and with the
 * same CPU and GPU count they are the same hardware, so free CPU compares like for like within a
 * class (memory is left out: detected sizes differ by a few MiB between identical machines).
 */
export function agentClassKeyOf(node: AgentNode): string {
  return `${[...node.executors].sort().join(',')}|${sortedPairs(node.labels)}|${node.capacity.cpuMilli}m|${node.gpuIndices.length}gpu`;
}

export function vectorKeyOf(r: Resources): string {
  return `${r.cpuMilli}/${r.memoryBytes}/${r.gpus}`;
}

function sortedPairs(record: Record<string, string>): string {
  return Object.keys(record).sort().map((k) => `${k}=${record[k]}`).join(',');
}
