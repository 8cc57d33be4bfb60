/**
 * Every agent placement knows of, grouped into classes (AgentPool), with the cluster's totals
 * for fair sharing. Which classes match a task's executor and labels is computed once per
 * constraint key and cached until a new class appears, so a task never tests agents one by one.
 */
import type { Resources } from '../../core/resources.js';
import { AgentPool, type AgentState } from './agent-pool.js';
import { fitsNow, matchesRules, type AgentClassCapacities } from './feasibility.js';
import { agentClassKeyOf, constraintKeyOf, vectorKeyOf, type PlacementRules } from './shapes.js';
import type { AgentNode } from './types.js';

export class AgentDirectory {
  readonly agents = new Map<string, AgentState>();
  /** Sum of every agent's capacity, draining or not: the denominator of fair shares. */
  readonly totals: Resources = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
  private readonly pools = new Map<string, AgentPool>();
  private readonly poolsByRules = new Map<string, AgentPool[]>();
  /** Per class, how many agents have each distinct capacity (for feasible()). */
  private readonly capacityCounts = new Map<AgentPool, Map<string, { capacity: Resources; count: number }>>();

  /** The classes that have agents, each with the distinct capacities of its agents. */
  classCapacities(): AgentClassCapacities[] {
    return [...this.pools.values()].filter((pool) => pool.members.size > 0).map((pool) => ({
      executors: pool.executors,
      labels: pool.labels,
      capacities: [...this.capacityCounts.get(pool)!.values()].map((c) => c.capacity),
    }));
  }

  /** The classes whose executors and labels match. */
  poolsFor(rules: PlacementRules, key = constraintKeyOf(rules)): AgentPool[] {
    let pools = this.poolsByRules.get(key);
    if (!pools) {
      pools = [...this.pools.values()].filter((p) => matchesRules(p, rules));
      this.poolsByRules.set(key, pools);
    }
    return pools;
  }

  /**
   * Adds an agent, or updates one: its free capacity is recomputed from the new capacity minus
   * what it still runs (`held`), so a re-registration with different hardware stays consistent.
   */
  upsert(node: AgentNode, held: (taskIds: Set<string>) => { resources: Resources; gpuIndices: number[] }): AgentState {
    const existing = this.agents.get(node.id);
    const taskIds = existing?.taskIds ?? new Set<string>();
    const reservedFor = existing?.reservedFor;
    const waiting = existing?.waiting ?? [];
    const waitingMs = existing?.waitingMs ?? 0;
    if (existing) this.remove(node.id);
    const used = held(taskIds);
    const usedGpus = new Set(used.gpuIndices);
    const pool = this.poolOf(node);
    const agent: AgentState = {
      node,
      free: {
        cpuMilli: node.capacity.cpuMilli - used.resources.cpuMilli,
        memoryBytes: node.capacity.memoryBytes - used.resources.memoryBytes,
        gpus: node.gpuIndices.filter((g) => !usedGpus.has(g)).length,
      },
      freeGpus: node.gpuIndices.filter((g) => !usedGpus.has(g)).sort((a, b) => a - b),
      taskIds,
      reservedFor,
      waiting,
      waitingMs,
      refilling: false,
      pool,
      row: -1,
      column: 0,
      slot: 0,
      heapIndex: -1,
    };
    this.agents.set(node.id, agent);
    pool.members.add(agent);
    this.countCapacity(pool, node.capacity, 1);
    addInto(this.totals, node.capacity, 1);
    this.refreshSchedulable(agent);
    return agent;
  }

  remove(agentId: string): AgentState | undefined {
    const agent = this.agents.get(agentId);
    if (!agent) return undefined;
    agent.pool.unindex(agent);
    agent.pool.members.delete(agent);
    this.countCapacity(agent.pool, agent.node.capacity, -1);
    addInto(this.totals, agent.node.capacity, -1);
    this.agents.delete(agentId);
    return agent;
  }

  /** Draining and reserved agents are kept out of the index: searches never see them. */
  refreshSchedulable(agent: AgentState): void {
    const schedulable = !agent.node.draining && agent.reservedFor === undefined;
    if (schedulable && agent.row < 0) agent.pool.index(agent);
    if (!schedulable) agent.pool.unindex(agent);
  }

  /** Takes `demand` from the agent, lowest GPU indices first; returns the GPU indices given. */
  take(agent: AgentState, taskId: string, demand: Resources): number[] {
    agent.free.cpuMilli -= demand.cpuMilli;
    agent.free.memoryBytes -= demand.memoryBytes;
    agent.free.gpus -= demand.gpus;
    const gpuIndices = demand.gpus > 0 ? agent.freeGpus.splice(0, demand.gpus) : [];
    agent.taskIds.add(taskId);
    agent.pool.reindex(agent);
    return gpuIndices;
  }

  /** Takes exactly these GPU indices (reconciliation); false, and nothing taken, if they are not free. */
  takeReported(agent: AgentState, taskId: string, demand: Resources, gpuIndices: readonly number[]): boolean {
    const free = new Set(agent.freeGpus);
    const distinct = new Set(gpuIndices);
    if (distinct.size !== gpuIndices.length || gpuIndices.length !== demand.gpus) return false;
    if (!gpuIndices.every((g) => free.has(g)) || !fitsNow(demand, agent.free)) return false;
    agent.free.cpuMilli -= demand.cpuMilli;
    agent.free.memoryBytes -= demand.memoryBytes;
    agent.free.gpus -= demand.gpus;
    agent.freeGpus = agent.freeGpus.filter((g) => !distinct.has(g));
    agent.taskIds.add(taskId);
    agent.pool.reindex(agent);
    return true;
  }

  giveBack(agent: AgentState, taskId: string, resources: Resources, gpuIndices: readonly number[]): void {
    if (!agent.taskIds.delete(taskId)) return;
    agent.free.cpuMilli += resources.cpuMilli;
    agent.free.memoryBytes += resources.memoryBytes;
    agent.free.gpus += resources.gpus;
    if (gpuIndices.length > 0) {
      agent.freeGpus.push(...gpuIndices);
      agent.freeGpus.sort((a, b) => a - b);
    }
    agent.pool.reindex(agent);
  }

  private poolOf(node: AgentNode): AgentPool {
    const key = agentClassKeyOf(node);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new AgentPool(key, node);
      this.pools.set(key, pool);
      this.capacityCounts.set(pool, new Map());
      this.poolsByRules.clear();
    }
    return pool;
  }

  private countCapacity(pool: AgentPool, capacity: Resources, delta: number): void {
    const counts = this.capacityCounts.get(pool)!;
    const key = vectorKeyOf(capacity);
    const entry = counts.get(key) ?? { capacity, count: 0 };
    entry.count += delta;
    if (entry.count > 0) counts.set(key, entry);
    else counts.delete(key);
  }
}

function addInto(target: Resources, r: Resources, sign: 1 | -1): void {
  target.cpuMilli += sign * r.cpuMilli;
  target.memoryBytes += sign * r.memoryBytes;
  target.gpus += sign * r.gpus;
}
