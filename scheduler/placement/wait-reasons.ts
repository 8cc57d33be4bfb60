/**
 * Why a queued task waits, answered from the placer's data. Computed on demand (a status view
 * asks for thousands of tasks, which share a handful of shapes), so a pass records only which
 * lanes failed to fit and this module turns that into a reason: no agents, no agent matching the
 * executor and labels (or all of those draining), a task bigger than any agent, or which resource
 * the closest agent is short of and by how much.
 */
import type { Resources } from '../../core/resources.js';
import type { AgentDirectory } from './agent-directory.js';
import type { AgentState } from './agent-pool.js';
import { describeRules, everFeasible, fitsNow } from './feasibility.js';
import type { TaskDemand, WaitReason } from './types.js';

/** The reason `task` cannot be placed now, or undefined when some agent could hold it now. */
export function explainNoRoom(task: TaskDemand, directory: AgentDirectory): WaitReason | undefined {
  if (directory.agents.size === 0) return { kind: 'no-agents' };
  const pools = directory.poolsFor(task);
  if (pools.length === 0) return { kind: 'constraint', detail: `no agent offers ${describeRules(task)}` };
  const ever = everFeasible(task.resources, task, directory.classCapacities());
  if (!ever.ok) return { kind: 'constraint', detail: ever.reason };
  let closest: AgentState | undefined;
  let closestLack = Infinity;
  for (const pool of pools) {
    for (const agent of pool.members) {
      if (agent.node.draining || (agent.reservedFor !== undefined && agent.reservedFor !== task.id)) continue;
      if (fitsNow(task.resources, agent.free)) return undefined;
      const lack = lackScore(task.resources, agent.free);
      if (lack < closestLack) {
        closestLack = lack;
        closest = agent;
      }
    }
  }
  if (!closest) return { kind: 'constraint', detail: `every agent offering ${describeRules(task)} is draining or reserved` };
  return shortOf(task.resources, closest.free);
}

/** Fewest short dimensions first, then the smallest shortfall relative to the demand. */
function lackScore(demand: Resources, free: Resources): number {
  const cpu = shortfallFraction(demand.cpuMilli, free.cpuMilli);
  const memory = shortfallFraction(demand.memoryBytes, free.memoryBytes);
  const gpu = shortfallFraction(demand.gpus, free.gpus);
  return Number(cpu > 0) + Number(memory > 0) + Number(gpu > 0) + (cpu + memory + gpu) / 3;
}

function shortfallFraction(demand: number, free: number): number {
  return demand > 0 ? Math.min(1, Math.max(0, demand - free) / demand) : 0;
}

/** The closest agent's most-lacking resource: GPUs, then CPU, then memory on ties. */
function shortOf(demand: Resources, free: Resources): WaitReason {
  const gpu = shortfallFraction(demand.gpus, free.gpus);
  const cpu = shortfallFraction(demand.cpuMilli, free.cpuMilli);
  const memory = shortfallFraction(demand.memoryBytes, free.memoryBytes);
  if (gpu > 0 && gpu >= cpu && gpu >= memory) return { kind: 'exhausted', resource: 'gpu', short: demand.gpus - Math.max(0, free.gpus) };
  if (cpu > 0 && cpu >= memory) return { kind: 'exhausted', resource: 'cpu', short: demand.cpuMilli - Math.max(0, free.cpuMilli) };
  return { kind: 'exhausted', resource: 'memory', short: demand.memoryBytes - Math.max(0, free.memoryBytes) };
}
