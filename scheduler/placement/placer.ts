/**
 * Placer: the scheduler's placement state and engine. Pure: no I/O, no clock.
 *
 * The scheduler tells it what exists (agents, queued tasks, allocations it learned from agents)
 * and asks `schedule()` for assignments. Allocations made by `schedule()` are recorded here
 * until `release(taskId)`.
 *
 * This first version scans agents per task with a best-fit score; it is correct (never
 * over-commits, GPUs by index) but not yet fast at scale nor fair between projects.
 */
import { fitsWithin, subtractResources, type Resources } from '../../core/resources.js';
import type { AgentNode, Feasibility, Placement, TaskDemand, WaitReason } from './types.js';

interface AgentState {
  node: AgentNode;
  free: Resources;
  freeGpus: number[];
}

interface Allocation {
  agentId: string;
  resources: Resources;
  gpuIndices: number[];
}

export class Placer {
  private readonly agents = new Map<string, AgentState>();
  private readonly queue = new Map<string, TaskDemand>();
  private readonly allocations = new Map<string, Allocation>();
  private readonly waiting = new Map<string, WaitReason>();

  upsertAgent(node: AgentNode): void {
    const existing = this.agents.get(node.id);
    if (existing) {
      existing.node = node;
      return;
    }
    this.agents.set(node.id, { node, free: { ...node.capacity }, freeGpus: [...node.gpuIndices] });
  }

  /** Forgets an agent and every allocation on it; returns the ids of the tasks it held. */
  removeAgent(agentId: string): string[] {
    this.agents.delete(agentId);
    const released: string[] = [];
    for (const [taskId, alloc] of this.allocations) {
      if (alloc.agentId === agentId) {
        this.allocations.delete(taskId);
        released.push(taskId);
      }
    }
    return released;
  }

  enqueue(task: TaskDemand): void {
    this.queue.set(task.id, task);
  }

  /** Drops a queued task (cancelled); returns whether it was queued. */
  dequeue(taskId: string): boolean {
    this.waiting.delete(taskId);
    return this.queue.delete(taskId);
  }

  /** Records a task an agent reports running (reconciliation after a restart). */
  allocate(taskId: string, agentId: string, resources: Resources, gpuIndices: number[]): boolean {
    const agent = this.agents.get(agentId);
    if (!agent || this.allocations.has(taskId)) return false;
    agent.free = subtractResources(agent.free, resources);
    agent.freeGpus = agent.freeGpus.filter((g) => !gpuIndices.includes(g));
    this.allocations.set(taskId, { agentId, resources, gpuIndices });
    this.queue.delete(taskId);
    return true;
  }

  /** Frees a finished task's allocation. */
  release(taskId: string): void {
    const alloc = this.allocations.get(taskId);
    if (!alloc) return;
    this.allocations.delete(taskId);
    const agent = this.agents.get(alloc.agentId);
    if (!agent) return;
    agent.free = {
      cpuMilli: agent.free.cpuMilli + alloc.resources.cpuMilli,
      memoryBytes: agent.free.memoryBytes + alloc.resources.memoryBytes,
      gpus: agent.free.gpus + alloc.resources.gpus,
    };
    agent.freeGpus.push(...alloc.gpuIndices);
    agent.freeGpus.sort((a, b) => a - b);
  }

  get queuedCount(): number {
    return this.queue.size;
  }

  /** Why a queued task is still waiting after the last pass, if it is. */
  why(taskId: string): WaitReason | undefined {
    return this.waiting.get(taskId);
  }

  /** Whether an empty agent of the cluster could ever hold the task. */
  feasible(task: Pick<TaskDemand, 'resources' | 'executor' | 'constraints'>): Feasibility {
    if (this.agents.size === 0) return { ok: true };
    for (const { node } of this.agents.values()) {
      if (fitsWithin(task.resources, node.capacity) && this.matches(node, task)) return { ok: true };
    }
    return { ok: false, reason: `no agent could ever hold ${describe(task.resources)} (${task.executor})` };
  }

  /** One scheduling pass: places what fits, in priority then submission order. */
  schedule(): Placement[] {
    const placed: Placement[] = [];
    const ordered = [...this.queue.values()].sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    this.waiting.clear();
    for (const task of ordered) {
      const agent = this.bestAgent(task);
      if (!agent) {
        this.waiting.set(task.id, this.reason(task));
        continue;
      }
      const gpuIndices = agent.freeGpus.splice(0, task.resources.gpus);
      agent.free = subtractResources(agent.free, task.resources);
      this.allocations.set(task.id, { agentId: agent.node.id, resources: task.resources, gpuIndices });
      this.queue.delete(task.id);
      placed.push({ taskId: task.id, agentId: agent.node.id, gpuIndices });
    }
    return placed;
  }

  private bestAgent(task: TaskDemand): AgentState | undefined {
    let best: AgentState | undefined;
    let bestScore = Infinity;
    for (const agent of this.agents.values()) {
      if (agent.node.draining || !this.matches(agent.node, task) || !fitsWithin(task.resources, agent.free)) continue;
      const score = agent.free.cpuMilli / Math.max(1, agent.node.capacity.cpuMilli);
      const s = task.spread ? -score : score;
      if (s < bestScore) {
        bestScore = s;
        best = agent;
      }
    }
    return best;
  }

  private matches(node: AgentNode, task: Pick<TaskDemand, 'executor' | 'constraints'>): boolean {
    if (!node.executors.includes(task.executor)) return false;
    for (const [k, v] of Object.entries(task.constraints)) if (node.labels[k] !== v) return false;
    return true;
  }

  private reason(task: TaskDemand): WaitReason {
    const candidates = [...this.agents.values()].filter((a) => !a.node.draining && this.matches(a.node, task));
    if (this.agents.size === 0) return { kind: 'no-agents' };
    if (candidates.length === 0) return { kind: 'constraint', detail: `no ready agent offers ${task.executor} with ${JSON.stringify(task.constraints)}` };
    const short = (key: 'cpuMilli' | 'memoryBytes' | 'gpus') =>
      Math.min(...candidates.map((a) => Math.max(0, task.resources[key] - a.free[key])));
    if (short('gpus') > 0) return { kind: 'exhausted', resource: 'gpu', short: short('gpus') };
    if (short('cpuMilli') > 0) return { kind: 'exhausted', resource: 'cpu', short: short('cpuMilli') };
    return { kind: 'exhausted', resource: 'memory', short: short('memoryBytes') };
  }
}

function describe(r: Resources): string {
  return `cpu ${r.cpuMilli}m, memory ${r.memoryBytes} bytes, ${r.gpus} GPU(s)`;
}
