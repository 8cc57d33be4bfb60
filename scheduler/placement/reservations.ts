/**
 * Anti-starvation: reservations for tasks that small ones keep overtaking.
 *
 * Backfilling lets smaller tasks use room a blocked task cannot, which could starve a big task
 * forever: every time an agent frees 4 CPUs, 1-CPU tasks take them before 8 free up. The rule:
 * when a project's next task (highest priority, earliest submitted) has failed to fit in
 * `reserveAfterPasses` consecutive passes, the placer reserves one agent for it, the matching
 * schedulable agent whose capacity can hold it and that lacks the least now (a CPU agent for a
 * CPU-only task whenever one could). A reserved agent
 * gets nothing new; as its tasks finish, room accumulates until the task fits there (or anywhere
 * else first). At most `maxReservedAgents` agents are held at once and at most one per project,
 * so the room this idles is bounded. A reservation ends when its task is placed or dequeued,
 * stops being its project's next task, or the agent drains or leaves.
 */
import type { AgentDirectory } from './agent-directory.js';
import type { AgentPool, AgentState } from './agent-pool.js';
import type { TaskDemand } from './types.js';
import { fitsNow } from './feasibility.js';

export interface StarvationRule {
  reserveAfterPasses: number;
  maxReservedAgents: number;
}

export class Reservations {
  /** Task id → the id of the agent held for it. */
  private readonly held = new Map<string, string>();
  /** Project → its next task and for how many consecutive passes it has not fit. */
  private readonly waits = new Map<string, { taskId: string; passes: number }>();

  constructor(private readonly rule: StarvationRule, private readonly directory: AgentDirectory) {}

  get entries(): IterableIterator<[taskId: string, agentId: string]> {
    return this.held.entries();
  }

  agentFor(taskId: string): string | undefined {
    return this.held.get(taskId);
  }

  release(taskId: string): void {
    const agentId = this.held.get(taskId);
    if (agentId === undefined) return;
    this.held.delete(taskId);
    const agent = this.directory.agents.get(agentId);
    if (agent?.reservedFor !== taskId) return;
    agent.reservedFor = undefined;
    this.directory.refreshSchedulable(agent);
  }

  /**
   * Called after each pass with every project's next task and whether it failed to fit in that
   * pass; reserves an agent for those that have waited too long.
   */
  observe(project: string, next: TaskDemand | undefined, failedToFit: boolean): void {
    if (!next) {
      this.waits.delete(project);
      return;
    }
    let wait = this.waits.get(project);
    if (!wait || wait.taskId !== next.id) {
      wait = { taskId: next.id, passes: 0 };
      this.waits.set(project, wait);
    }
    if (!failedToFit) return;
    wait.passes++;
    if (wait.passes >= this.rule.reserveAfterPasses && !this.held.has(next.id) && this.held.size < this.rule.maxReservedAgents) {
      this.reserve(next);
    }
  }

  forgetProjectsExcept(active: ReadonlySet<string>): void {
    for (const project of this.waits.keys()) if (!active.has(project)) this.waits.delete(project);
  }

  /** A CPU-only task holds a GPU agent only when no CPU agent could ever hold it. */
  private reserve(task: TaskDemand): void {
    const pools = this.directory.poolsFor(task);
    const best = (task.resources.gpus === 0 ? this.closestAgent(task, pools.filter((p) => !p.hasGpus)) : undefined)
      ?? this.closestAgent(task, pools);
    if (!best) return;
    best.reservedFor = task.id;
    this.directory.refreshSchedulable(best);
    this.held.set(task.id, best.node.id);
  }

  private closestAgent(task: TaskDemand, pools: readonly AgentPool[]): AgentState | undefined {
    let best: AgentState | undefined;
    let bestLack = Infinity;
    for (const pool of pools) {
      for (const agent of pool.members) {
        if (agent.row < 0 || !fitsNow(task.resources, agent.node.capacity)) continue;
        const lack = lackOf(task, agent);
        if (lack < bestLack) {
          bestLack = lack;
          best = agent;
        }
      }
    }
    return best;
  }
}

/** How far the agent is from holding the task now, as a sum of fractions of its capacity. */
function lackOf(task: TaskDemand, agent: AgentState): number {
  const { capacity } = agent.node;
  const d = task.resources;
  const f = agent.free;
  return Math.max(0, d.cpuMilli - f.cpuMilli) / Math.max(1, capacity.cpuMilli)
    + Math.max(0, d.memoryBytes - f.memoryBytes) / Math.max(1, capacity.memoryBytes)
    + Math.max(0, d.gpus - f.gpus) / Math.max(1, capacity.gpus);
}
