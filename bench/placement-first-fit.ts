/**
 * The baseline the placement benchmark compares against: plain first-fit decreasing. Tasks are
 * sorted by size (GPUs, then CPU, then memory, largest first) and each goes to the first agent,
 * in registration order, that has room; queue order and fairness are ignored. With
 * `avoidGpuAgents` a CPU-only task looks at agents without GPUs first — the strict reading of
 * "CPU tasks avoid GPU agents", stricter than clusterd's spare-room rule — to show what that
 * reading would cost in packing.
 *
 * Agents only fill up, so the first agent with room for a shape never moves backwards: a cursor
 * per shape keeps this exact FFD at O(agents × shapes + tasks) instead of O(agents × tasks).
 */
import type { Resources } from '../core/resources.js';
import type { AgentNode, TaskDemand } from '../scheduler/placement/types.js';

export interface FirstFitAgent {
  node: AgentNode;
  free: Resources;
  tasks: number;
}

export interface FirstFitOutcome {
  agents: FirstFitAgent[];
  placed: number;
  /** Tasks left unplaced, in the sorted order. */
  waiting: TaskDemand[];
}

export function firstFitDecreasing(nodes: readonly AgentNode[], tasks: readonly TaskDemand[], opts: { avoidGpuAgents?: boolean } = {}): FirstFitOutcome {
  const agents = nodes.map((node) => ({ node, free: { ...node.capacity }, tasks: 0 }));
  const sorted = [...tasks].sort((a, b) => b.resources.gpus - a.resources.gpus
    || b.resources.cpuMilli - a.resources.cpuMilli || b.resources.memoryBytes - a.resources.memoryBytes);
  const cursors = new Map<string, number>();
  const waiting: TaskDemand[] = [];
  let placed = 0;
  for (const task of sorted) {
    const shape = `${task.resources.cpuMilli}/${task.resources.memoryBytes}/${task.resources.gpus}/${task.executor}/${JSON.stringify(task.constraints)}`;
    const tiers = opts.avoidGpuAgents && task.resources.gpus === 0 ? [false, true] : [undefined];
    let agent: FirstFitAgent | undefined;
    for (const gpuTier of tiers) {
      const key = `${shape}/${gpuTier}`;
      let i = cursors.get(key) ?? 0;
      while (i < agents.length && (!canHold(agents[i]!, task) || (gpuTier !== undefined && (agents[i]!.node.capacity.gpus > 0) !== gpuTier))) i++;
      cursors.set(key, i);
      agent = agents[i];
      if (agent) break;
    }
    if (!agent) {
      waiting.push(task);
      continue;
    }
    agent.free.cpuMilli -= task.resources.cpuMilli;
    agent.free.memoryBytes -= task.resources.memoryBytes;
    agent.free.gpus -= task.resources.gpus;
    agent.tasks++;
    placed++;
  }
  return { agents, placed, waiting };
}

function canHold(agent: FirstFitAgent, task: TaskDemand): boolean {
  const { free, node } = agent;
  if (node.draining || !node.executors.includes(task.executor)) return false;
  for (const key in task.constraints) if (node.labels[key] !== task.constraints[key]) return false;
  return task.resources.cpuMilli <= free.cpuMilli && task.resources.memoryBytes <= free.memoryBytes && task.resources.gpus <= free.gpus;
}
