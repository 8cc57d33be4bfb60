/**
 * Placer: the scheduler's placement state and engine. Pure: no I/O, no clock.
 *
 * The scheduler tells it what exists (agents, queued tasks, allocations it learned from agents)
 * and asks `schedule()` for assignments. Allocations made by `schedule()` are recorded here
 * until `release(taskId)`.
 *
 * A pass runs the stages in order:
 *   1. reservations  (reservations.ts)  held agents first, for tasks past the anti-starvation limit
 *   2. queue order   (fair-share.ts, project-queues.ts)  lowest dominant share project goes next;
 *                    within it, highest priority, then submission order
 *   3. feasibility   (feasibility.ts, agent-directory.ts)  executor/labels per agent class,
 *                    draining and reserved agents kept out of the index, resources per agent
 *   4. scoring       (scorers.ts)  best fit, or spread on request
 *   5. selection     (selection.ts)  for CPU-only tasks, CPU agents and GPU agents' spare room
 *                    before GPU agents' GPU shares; then the best score
 *   6. prefetch      (prefetch.ts)  a task that fits nowhere now may wait in the queue of the
 *                    agent that will start it soonest, within that agent's prefetch window
 * A task that neither fits nor may wait blocks its lane (same project, priority and shape) for
 * the rest of the pass, as does any bigger task with the same constraints; `why()` explains it.
 * No stage walks every agent or every queued task: agents are searched through a free-capacity
 * index per agent class (agent-pool.ts), tasks through their lanes.
 */
import { addResources, subtractResources, type Resources } from '../../core/resources.js';
import { AgentDirectory } from './agent-directory.js';
import type { AgentState, WaitingTask } from './agent-pool.js';
import { dominantShare, FairShareHeap } from './fair-share.js';
import { everFeasible, fitsNow } from './feasibility.js';
import { excessWaiting, prefetchEstimate, selectPrefetchAgent, type PrefetchRule } from './prefetch.js';
import { ProjectQueues, type Lane, type ProjectQueue } from './project-queues.js';
import { Reservations } from './reservations.js';
import { selectAgent } from './selection.js';
import type { AgentNode, Feasibility, Placement, PlacerOptions, TaskDemand, WaitReason } from './types.js';
import { explainNoRoom } from './wait-reasons.js';

interface Allocation {
  agentId: string;
  resources: Resources;
  gpuIndices: number[];
  /** The fair-share group charged; undefined for a reported task whose project is unknown. */
  project: string | undefined;
  /** Prefetched and not promoted yet: waiting in the agent's queue (see prefetch.ts). */
  waiting?: WaitingTask;
}

interface Turn {
  project: ProjectQueue;
  lane: Lane;
}

export class Placer {
  private readonly directory = new AgentDirectory();
  private readonly queues = new ProjectQueues();
  private readonly allocations = new Map<string, Allocation>();
  private readonly reservations: Reservations;
  private readonly maxPlacementsPerPass: number;
  private readonly prefetch: PrefetchRule;
  /** Ids of the agents with tasks waiting on them: what revocation looks at. */
  private readonly agentsWithWaiting = new Set<string>();
  private pass = 0;
  private truncated = false;
  /** Wait reasons by lane key, valid until the next change of state. */
  private readonly reasons = new Map<string, WaitReason | undefined>();
  private readonly scratch: AgentState[] = [];

  constructor(options: PlacerOptions = {}) {
    this.maxPlacementsPerPass = options.maxPlacementsPerPass ?? Infinity;
    this.prefetch = { windowMs: options.prefetchWindowMs ?? 50, maxPerAgent: options.maxPrefetchPerAgent ?? 256 };
    this.reservations = new Reservations({
      reserveAfterPasses: options.reserveAfterPasses ?? 5,
      maxReservedAgents: options.maxReservedAgents ?? 16,
    }, this.directory);
  }

  upsertAgent(node: AgentNode): void {
    this.directory.upsert(node, (taskIds) => this.heldBy(taskIds));
    this.forgetReasons();
  }

  /** Forgets an agent and every allocation on it, waiting ones too; returns the ids of the tasks it held. */
  removeAgent(agentId: string): string[] {
    const agent = this.directory.remove(agentId);
    if (!agent) return [];
    if (agent.reservedFor !== undefined) this.reservations.release(agent.reservedFor);
    const released = [...agent.taskIds, ...agent.waiting.map((w) => w.taskId)];
    agent.waiting = [];
    agent.waitingMs = 0;
    this.agentsWithWaiting.delete(agentId);
    for (const taskId of released) this.forgetAllocation(taskId);
    this.forgetReasons();
    return released;
  }

  enqueue(task: TaskDemand): void {
    this.queues.add(task);
    this.forgetReasons();
  }

  /** Drops a queued task (cancelled); returns whether it was queued. */
  dequeue(taskId: string): boolean {
    this.reservations.release(taskId);
    this.forgetReasons();
    return this.queues.remove(taskId) !== undefined;
  }

  /**
   * Records a task an agent reports running (reconciliation after a restart). Refused (false)
   * when the agent is unknown, the task is already allocated, or the report would over-commit
   * the agent or give a GPU index twice: the caller then stops that copy of the task. The
   * project is charged for fair sharing: the one given, else the queued task's.
   */
  allocate(taskId: string, agentId: string, resources: Resources, gpuIndices: number[], project?: string): boolean {
    const agent = this.directory.agents.get(agentId);
    if (!agent || this.allocations.has(taskId)) return false;
    if (!this.directory.takeReported(agent, taskId, resources, gpuIndices)) return false;
    const charged = project ?? this.queues.get(taskId)?.task.project;
    this.allocations.set(taskId, { agentId, resources, gpuIndices: [...gpuIndices], project: charged });
    if (charged !== undefined) this.charge(charged, resources);
    this.dequeue(taskId);
    return true;
  }

  /**
   * Frees a finished (or returned, or cancelled) task's allocation. The agent's tasks waiting
   * behind it that now fit are promoted, as the agent starts them itself.
   */
  release(taskId: string): void {
    const alloc = this.allocations.get(taskId);
    if (!alloc) return;
    const agent = this.directory.agents.get(alloc.agentId);
    if (agent && alloc.waiting) this.dropWaiting(agent, alloc.waiting);
    else if (agent) this.directory.giveBack(agent, taskId, alloc.resources, alloc.gpuIndices);
    this.forgetAllocation(taskId);
    if (agent) this.promote(agent);
    this.forgetReasons();
  }

  /**
   * The agent says it runs this task: if it was waiting in the agent's queue, it takes its room
   * now, even past the agent's free capacity (the agent admits by its own count; placement's
   * catches up when the finished tasks ahead of it are released).
   */
  started(taskId: string): void {
    const alloc = this.allocations.get(taskId);
    const agent = alloc?.waiting && this.directory.agents.get(alloc.agentId);
    if (!alloc?.waiting || !agent) return;
    this.dropWaiting(agent, alloc.waiting);
    alloc.waiting = undefined;
    this.directory.take(agent, taskId, alloc.resources);
    this.forgetReasons();
  }

  /** The agent a task was prefetched onto and waits on, not started there yet as far as placement knows. */
  waitingOn(taskId: string): string | undefined {
    const alloc = this.allocations.get(taskId);
    return alloc?.waiting ? alloc.agentId : undefined;
  }

  /** How many tasks wait in an agent's queue. */
  waitingCount(agentId: string): number {
    return this.directory.agents.get(agentId)?.waiting.length ?? 0;
  }

  /**
   * Waiting tasks agents should give back, by agent: all of those waiting on agents that no
   * longer take work (drained, reserved for a starving task); with `excess`, also what waits
   * beyond the prefetch window of agents whose steps turned out slower than expected (see
   * excessWaiting). Each task is returned once; it stays allocated until the agent gives it
   * back, or starts it.
   */
  revocations(excess: boolean): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const agentId of this.agentsWithWaiting) {
      const agent = this.directory.agents.get(agentId)!;
      const schedulable = !agent.node.draining && agent.reservedFor === undefined;
      if (schedulable && !excess) continue;
      const taskIds = schedulable ? excessWaiting(agent, this.prefetch) : agent.waiting.filter((w) => !w.revoked).map((w) => w.taskId);
      if (taskIds.length === 0) continue;
      for (const taskId of taskIds) this.allocations.get(taskId)!.waiting!.revoked = true;
      out.set(agent.node.id, taskIds);
    }
    return out;
  }

  get queuedCount(): number {
    return this.queues.size;
  }

  /** Whether the last schedule() stopped at maxPlacementsPerPass with tasks it had not tried. */
  get lastPassTruncated(): boolean {
    return this.truncated;
  }

  /** Agents held for starving tasks, as [taskId, agentId] pairs. */
  reservedAgents(): Array<[taskId: string, agentId: string]> {
    return [...this.reservations.entries];
  }

  /** Why a task is still waiting: queued here, or sent ahead to an agent; undefined for neither. */
  why(taskId: string): WaitReason | undefined {
    const entry = this.queues.get(taskId);
    if (!entry) {
      const agentId = this.waitingOn(taskId);
      return agentId === undefined ? undefined : { kind: 'prefetched', agentId };
    }
    const { task, lane, project } = entry;
    const reservedAgentId = this.reservations.agentFor(taskId);
    if (lane.blockedInPass === this.pass || reservedAgentId !== undefined) {
      if (!this.reasons.has(lane.key)) this.reasons.set(lane.key, explainNoRoom(task, this.directory));
      const reason = this.reasons.get(lane.key);
      if (reason?.kind === 'exhausted' && reservedAgentId !== undefined) return { ...reason, reservedAgentId };
      if (reason) return reason;
    }
    return { kind: 'queued', ahead: project.countAhead(task) };
  }

  /** Whether an empty agent of the cluster could ever hold the task (see everFeasible). */
  feasible(task: Pick<TaskDemand, 'resources' | 'executor' | 'constraints'>): Feasibility {
    return everFeasible(task.resources, task, this.directory.classCapacities());
  }

  /** Queued tasks per project. */
  queuedByProject(): Map<string, number> {
    return new Map([...this.queues.projects].map(([name, q]) => [name, q.queued]));
  }

  /** One scheduling pass: places what fits, in fair-share, priority and submission order. */
  schedule(): Placement[] {
    const pass = ++this.pass;
    this.forgetReasons();
    const placed: Placement[] = [];
    this.placeReserved(placed);
    /** Per constraint key, demands that found no room in this pass: anything at least as big fails too. */
    const noRoom = new Map<string, Resources[]>();
    const turns = new FairShareHeap<Turn>();
    /** Lanes that placed a task in this pass: a blocked task only starves if another lane overtook it. */
    const placedLanes = new Set<Lane>();
    for (const project of this.queues.projects.values()) this.offerTurn(turns, project, pass);
    while (turns.size > 0 && placed.length < this.maxPlacementsPerPass) {
      const { project, lane } = turns.pop()!;
      const task = lane.peek()!;
      const blockedBefore = noRoom.get(lane.constraintKey)?.some((small) => fitsNow(small, task.resources));
      const pools = this.directory.poolsFor(task, lane.constraintKey);
      const agent = blockedBefore ? undefined : selectAgent(task, pools, this.scratch);
      const estimateMs = agent ? undefined : prefetchEstimate(task, this.prefetch);
      const waitOn = estimateMs === undefined ? undefined : selectPrefetchAgent(task, estimateMs, pools, this.prefetch);
      if (agent) {
        placed.push(this.place(task, agent));
        placedLanes.add(lane);
      } else if (waitOn) {
        placed.push(this.placeWaiting(task, waitOn, estimateMs!));
        placedLanes.add(lane);
      } else {
        lane.blockedInPass = pass;
        if (!blockedBefore) noRoom.set(lane.constraintKey, [...(noRoom.get(lane.constraintKey) ?? []), task.resources]);
      }
      this.offerTurn(turns, project, pass);
    }
    this.truncated = turns.size > 0;
    this.observeStarvation(pass, placedLanes);
    return placed;
  }

  private offerTurn(turns: FairShareHeap<Turn>, project: ProjectQueue, pass: number): void {
    const lane = project.nextLane(pass, false);
    if (lane) turns.push({ project, lane }, dominantShare(project.usage, this.directory.totals), lane.peek()!.seq);
  }

  private place(task: TaskDemand, agent: AgentState): Placement {
    const gpuIndices = this.directory.take(agent, task.id, task.resources);
    this.allocations.set(task.id, { agentId: agent.node.id, resources: task.resources, gpuIndices, project: task.project });
    // Charge the project before dequeuing, so it is not dropped as idle in between.
    this.charge(task.project, task.resources);
    this.queues.remove(task.id);
    return { taskId: task.id, agentId: agent.node.id, gpuIndices, prefetched: false };
  }

  /** Sends a task to wait in an agent's queue; it counts against that agent (and its project) from now. */
  private placeWaiting(task: TaskDemand, agent: AgentState, estimateMs: number): Placement {
    const waiting: WaitingTask = { taskId: task.id, resources: task.resources, estimateMs, timing: task.timing, revoked: false };
    agent.waiting.push(waiting);
    agent.waitingMs += estimateMs;
    agent.pool.waitingChanged(agent);
    this.agentsWithWaiting.add(agent.node.id);
    this.allocations.set(task.id, { agentId: agent.node.id, resources: task.resources, gpuIndices: [], project: task.project, waiting });
    this.charge(task.project, task.resources);
    this.queues.remove(task.id);
    return { taskId: task.id, agentId: agent.node.id, gpuIndices: [], prefetched: true };
  }

  /** Takes the room of the agent's waiting tasks, in order, while the next one fits: as the agent starts them. */
  private promote(agent: AgentState): void {
    let promoted = 0;
    while (promoted < agent.waiting.length) {
      const next = agent.waiting[promoted]!;
      if (!fitsNow(next.resources, agent.free)) break;
      this.directory.take(agent, next.taskId, next.resources);
      this.allocations.get(next.taskId)!.waiting = undefined;
      agent.waitingMs -= next.estimateMs;
      promoted++;
    }
    if (promoted === 0) return;
    agent.waiting.splice(0, promoted);
    this.waitingChanged(agent);
  }

  private dropWaiting(agent: AgentState, waiting: WaitingTask): void {
    const i = agent.waiting.indexOf(waiting);
    if (i < 0) return;
    agent.waiting.splice(i, 1);
    agent.waitingMs -= waiting.estimateMs;
    this.waitingChanged(agent);
  }

  private waitingChanged(agent: AgentState): void {
    if (agent.waiting.length === 0) {
      agent.waitingMs = 0; // no drift from adding and subtracting fractions
      this.agentsWithWaiting.delete(agent.node.id);
    }
    agent.pool.waitingChanged(agent);
  }

  /** Places reserved tasks whose agent now has room; ends reservations that no longer apply. */
  private placeReserved(placed: Placement[]): void {
    for (const [taskId, agentId] of [...this.reservations.entries]) {
      const entry = this.queues.get(taskId);
      const agent = this.directory.agents.get(agentId);
      const stillNext = entry !== undefined && entry.project.nextLane(this.pass, true)?.peek() === entry.task;
      if (!entry || !agent || agent.node.draining || !stillNext) {
        this.reservations.release(taskId);
      } else if (fitsNow(entry.task.resources, agent.free)) {
        this.reservations.release(taskId);
        placed.push(this.place(entry.task, agent));
      }
    }
  }

  /**
   * A project's next task starves when it fails to fit while other tasks take the room it waits
   * for: a pass in which it did not fit and some other lane placed a task counts towards its
   * reservation. A sweep whose next task waits only because its own earlier tasks fill the
   * cluster (and its agents' prefetch windows) is not starving.
   */
  private observeStarvation(pass: number, placedLanes: ReadonlySet<Lane>): void {
    const active = new Set<string>();
    for (const project of this.queues.projects.values()) {
      const lane = project.nextLane(pass, true);
      if (!lane) continue;
      active.add(project.name);
      const overtaken = lane.blockedInPass === pass && (placedLanes.size > 1 || (placedLanes.size === 1 && !placedLanes.has(lane)));
      this.reservations.observe(project.name, lane.peek(), overtaken);
    }
    this.reservations.forgetProjectsExcept(active);
  }

  private heldBy(taskIds: Iterable<string>): { resources: Resources; gpuIndices: number[] } {
    let resources: Resources = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
    const gpuIndices: number[] = [];
    for (const taskId of taskIds) {
      const alloc = this.allocations.get(taskId);
      if (!alloc) continue;
      resources = addResources(resources, alloc.resources);
      gpuIndices.push(...alloc.gpuIndices);
    }
    return { resources, gpuIndices };
  }

  /** Wait reasons hold until the state changes. (Map#clear allocates a new table: skip it when empty.) */
  private forgetReasons(): void {
    if (this.reasons.size > 0) this.reasons.clear();
  }

  private forgetAllocation(taskId: string): void {
    const alloc = this.allocations.get(taskId);
    if (!alloc) return;
    this.allocations.delete(taskId);
    if (alloc.project === undefined) return;
    const project = this.queues.project(alloc.project);
    project.usage = subtractResources(project.usage, alloc.resources);
    this.queues.dropIfIdle(project);
  }

  private charge(projectName: string, resources: Resources): void {
    const project = this.queues.project(projectName);
    project.usage = addResources(project.usage, resources);
  }
}
