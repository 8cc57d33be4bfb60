/**
 * The wait queues: one per project, each split into lanes of tasks with the same priority and
 * shape, kept in submission order (seq). A lane's tasks are interchangeable to selection, so one
 * failed attempt blocks the whole lane for the rest of a pass: a pass costs its placements plus
 * one try per lane, never a walk over a million queued tasks.
 *
 * Cancelled tasks are removed lazily (skipped when they reach a lane's head, compacted when they
 * outnumber the live ones), so dequeue is O(1).
 */
import type { Resources } from '../../core/resources.js';
import { constraintKeyOf, shapeKeyOf } from './shapes.js';
import type { TaskDemand } from './types.js';

/** A queued task and where it waits; `queued` turns false when it leaves (lazy removal). */
export interface QueueEntry {
  task: TaskDemand;
  lane: Lane;
  project: ProjectQueue;
  queued: boolean;
}

const isQueued = (entry: QueueEntry): boolean => entry.queued;

export class Lane {
  readonly constraintKey: string;
  private items: QueueEntry[] = [];
  private head = 0;
  live = 0;
  /** The pass in which a task of this lane last failed to fit; the lane is skipped for the rest of it. */
  blockedInPass = -1;

  constructor(readonly key: string, readonly priority: number, sample: TaskDemand) {
    this.constraintKey = constraintKeyOf(sample);
  }

  push(entry: QueueEntry): void {
    const last = this.items[this.items.length - 1];
    if (!last || last.task.seq <= entry.task.seq) this.items.push(entry);
    else this.items.splice(this.indexAfter(entry.task.seq), 0, entry);
    this.live++;
  }

  /** The earliest live task, dropping cancelled ones on the way. */
  peek(): TaskDemand | undefined {
    while (this.head < this.items.length && !this.items[this.head]!.queued) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head]?.task;
  }

  /** Called when a live task leaves the lane (placed or cancelled). */
  forget(): void {
    this.live--;
    if (this.items.length - this.head > 2 * this.live + 1024) {
      this.items = this.items.slice(this.head).filter(isQueued);
      this.head = 0;
    }
  }

  /** Tasks before `seq` in the lane (cancelled ones not yet compacted away included). */
  countBefore(seq: number): number {
    return Math.max(0, this.indexAfter(seq - 0.5) - this.head);
  }

  private indexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.task.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Higher priority first, then earlier submission. */
export function laneBefore(a: Lane, aHead: TaskDemand, b: Lane, bHead: TaskDemand): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : aHead.seq < bHead.seq;
}

export class ProjectQueue {
  readonly lanes = new Map<string, Lane>();
  /** Resources its placed tasks hold now (for dominant resource fairness). */
  usage: Resources = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
  queued = 0;

  constructor(readonly name: string) {}

  /** The lane whose head goes next, skipping lanes blocked in `pass` unless `includeBlocked`. */
  nextLane(pass: number, includeBlocked: boolean): Lane | undefined {
    let best: Lane | undefined;
    let bestHead: TaskDemand | undefined;
    for (const lane of this.lanes.values()) {
      if (!includeBlocked && lane.blockedInPass === pass) continue;
      const head = lane.peek();
      if (head && (!best || laneBefore(lane, head, best, bestHead!))) {
        best = lane;
        bestHead = head;
      }
    }
    return best;
  }

  /** Tasks of this project that go before `task`: higher priority, or equal and submitted earlier. */
  countAhead(task: TaskDemand): number {
    let ahead = 0;
    for (const lane of this.lanes.values()) {
      if (lane.priority > task.priority) ahead += lane.live;
      else if (lane.priority === task.priority) ahead += lane.countBefore(task.seq);
    }
    return ahead;
  }
}

export class ProjectQueues {
  readonly projects = new Map<string, ProjectQueue>();
  private readonly entries = new Map<string, QueueEntry>();

  get size(): number {
    return this.entries.size;
  }

  get(taskId: string): QueueEntry | undefined {
    return this.entries.get(taskId);
  }

  project(name: string): ProjectQueue {
    let project = this.projects.get(name);
    if (!project) {
      project = new ProjectQueue(name);
      this.projects.set(name, project);
    }
    return project;
  }

  add(task: TaskDemand): void {
    this.remove(task.id);
    const project = this.project(task.project);
    const key = `${task.priority}|${shapeKeyOf(task)}`;
    let lane = project.lanes.get(key);
    if (!lane) {
      lane = new Lane(key, task.priority, task);
      project.lanes.set(key, lane);
    }
    const entry: QueueEntry = { task, lane, project, queued: true };
    this.entries.set(task.id, entry);
    lane.push(entry);
    project.queued++;
  }

  remove(taskId: string): TaskDemand | undefined {
    const entry = this.entries.get(taskId);
    if (!entry) return undefined;
    this.entries.delete(taskId);
    entry.queued = false;
    entry.lane.forget();
    entry.project.queued--;
    if (entry.lane.live === 0) entry.project.lanes.delete(entry.lane.key);
    this.dropIfIdle(entry.project);
    return entry.task;
  }

  /** A project is forgotten once it has nothing queued and holds nothing. */
  dropIfIdle(project: ProjectQueue): void {
    const u = project.usage;
    if (project.queued === 0 && u.cpuMilli === 0 && u.memoryBytes === 0 && u.gpus === 0) this.projects.delete(project.name);
  }
}
