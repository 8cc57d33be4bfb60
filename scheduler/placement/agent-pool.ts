/**
 * An agent class (same executors, labels, CPU and GPU count) and its free-capacity index.
 *
 * Schedulable agents of the class sit in a grid of buckets: one row per number of free GPUs, one
 * column per range of free CPU (25m wide below 2 CPUs, 250m above). A search starts at the row
 * and column of the task's demand, so agents that cannot hold its GPUs or CPU are never looked
 * at. Each bucket also keeps an upper bound of its agents' free CPU and memory: it is raised on
 * insert and tightened whenever a search reads the whole bucket, so buckets of agents short of
 * memory are skipped by later searches instead of re-read.
 */
import type { Resources } from '../../core/resources.js';
import type { AgentNode, StepTiming } from './types.js';
import { fitsNow } from './feasibility.js';

export interface AgentState {
  node: AgentNode;
  /** Capacity minus allocations; mutated in place on every placement and release. */
  free: Resources;
  /** Free GPU device indices, ascending. */
  freeGpus: number[];
  taskIds: Set<string>;
  /** The starving task this agent is held for (see reservations.ts). */
  reservedFor: string | undefined;
  /**
   * Tasks prefetched onto the agent (see prefetch.ts): sent to it beyond its free capacity, in
   * its queue in the order sent. Their resources are taken from `free` when they are promoted:
   * when an allocation ahead of them is released and they fit, as the agent starts them itself.
   */
  waiting: WaitingTask[];
  /** The expected run time of `waiting`, by each task's estimate when it was prefetched. */
  waitingMs: number;
  /** Its queue is being filled up to the window (see prefetch.ts hasWaitingRoom). */
  refilling: boolean;
  pool: AgentPool;
  /** Position in the pool's index; row is -1 while the agent is not schedulable. */
  row: number;
  column: number;
  slot: number;
  /** Position in the pool's heap by waiting work; -1 while the agent is not schedulable. */
  heapIndex: number;
}

/** A task prefetched onto an agent, waiting there for room. */
export interface WaitingTask {
  taskId: string;
  resources: Resources;
  /** Its step's expected run time when it was prefetched. */
  estimateMs: number;
  /** Its step's run times as they are now (see types.ts). */
  timing: StepTiming | undefined;
  /** The scheduler has asked the agent to give it back; it is not asked twice. */
  revoked: boolean;
}

interface Bucket {
  agents: AgentState[];
  cpuBoundMilli: number;
  memoryBoundBytes: number;
}

const FINE_STEP_MILLI = 25;
const FINE_LIMIT_MILLI = 2000;
const COARSE_STEP_MILLI = 250;
const FINE_COLUMNS = FINE_LIMIT_MILLI / FINE_STEP_MILLI;
const COLUMNS = FINE_COLUMNS + 2048;
const WORDS = Math.ceil(COLUMNS / 32);
/** Once a search has a candidate it reads at most this many more agents of the same bucket. */
const EXTRA_PROBES = 24;

export function cpuColumnOf(freeMilli: number): number {
  if (freeMilli < FINE_LIMIT_MILLI) return Math.max(0, Math.floor(freeMilli / FINE_STEP_MILLI));
  return Math.min(COLUMNS - 1, FINE_COLUMNS + Math.floor((freeMilli - FINE_LIMIT_MILLI) / COARSE_STEP_MILLI));
}

export class AgentPool {
  readonly hasGpus: boolean;
  /** A GPU's proportional share of the agent's CPU and memory: what a free GPU keeps back. */
  readonly sharePerGpu: Resources;
  readonly labels: Record<string, string>;
  readonly executors: readonly string[];
  /** Every agent of the class, schedulable or not. */
  readonly members = new Set<AgentState>();
  /** Schedulable agents by the work waiting on them, least first: where a task is prefetched. */
  private readonly byWaiting: AgentState[] = [];
  private readonly rows: Array<Array<Bucket | undefined>> = [];
  /** Per row, one bit per column that holds at least one agent. */
  private readonly occupied: Uint32Array[] = [];

  constructor(readonly key: string, sample: AgentNode) {
    const gpus = sample.gpuIndices.length;
    this.hasGpus = gpus > 0;
    this.sharePerGpu = {
      cpuMilli: gpus ? Math.floor(sample.capacity.cpuMilli / gpus) : 0,
      memoryBytes: gpus ? Math.floor(sample.capacity.memoryBytes / gpus) : 0,
      gpus: 0,
    };
    this.labels = sample.labels;
    this.executors = sample.executors;
  }

  index(agent: AgentState): void {
    const row = Math.max(0, agent.free.gpus);
    const column = cpuColumnOf(agent.free.cpuMilli);
    while (this.rows.length <= row) {
      this.rows.push(new Array<Bucket | undefined>(COLUMNS));
      this.occupied.push(new Uint32Array(WORDS));
    }
    const cells = this.rows[row]!;
    let bucket = cells[column];
    if (!bucket) {
      bucket = { agents: [], cpuBoundMilli: 0, memoryBoundBytes: 0 };
      cells[column] = bucket;
    }
    bucket.cpuBoundMilli = Math.max(bucket.cpuBoundMilli, agent.free.cpuMilli);
    bucket.memoryBoundBytes = Math.max(bucket.memoryBoundBytes, agent.free.memoryBytes);
    agent.row = row;
    agent.column = column;
    agent.slot = bucket.agents.length;
    bucket.agents.push(agent);
    this.occupied[row]![column >>> 5]! |= 1 << (column & 31);
    if (agent.heapIndex < 0) {
      agent.heapIndex = this.byWaiting.length;
      this.byWaiting.push(agent);
      this.siftUp(agent.heapIndex);
    }
  }

  unindex(agent: AgentState): void {
    if (agent.row < 0) return;
    this.removeFromHeap(agent);
    const bucket = this.rows[agent.row]![agent.column]!;
    const last = bucket.agents.pop()!;
    if (last !== agent) {
      bucket.agents[agent.slot] = last;
      last.slot = agent.slot;
    }
    if (bucket.agents.length === 0) {
      this.occupied[agent.row]![agent.column >>> 5]! &= ~(1 << (agent.column & 31));
      bucket.cpuBoundMilli = 0;
      bucket.memoryBoundBytes = 0;
    }
    agent.row = -1;
  }

  /** Moves an indexed agent to the bucket matching its free capacity after a change. */
  reindex(agent: AgentState): void {
    if (agent.row < 0) return;
    if (agent.row === Math.max(0, agent.free.gpus) && agent.column === cpuColumnOf(agent.free.cpuMilli)) {
      const bucket = this.rows[agent.row]![agent.column]!;
      bucket.cpuBoundMilli = Math.max(bucket.cpuBoundMilli, agent.free.cpuMilli);
      bucket.memoryBoundBytes = Math.max(bucket.memoryBoundBytes, agent.free.memoryBytes);
      return;
    }
    this.unindex(agent);
    this.index(agent);
  }

  /** The schedulable agent with the least work waiting on it (fewest waiting tasks on ties). */
  leastWaiting(): AgentState | undefined {
    return this.byWaiting[0];
  }

  /** Restores the heap order after the agent's waiting work changed. */
  waitingChanged(agent: AgentState): void {
    if (agent.heapIndex < 0) return;
    this.siftUp(agent.heapIndex);
    this.siftDown(agent.heapIndex);
  }

  /**
   * Appends to `out` up to `limit` schedulable agents that can hold `demand` now, all from the
   * first bucket (in search order) that has any. Best fit searches the fewest free GPUs and least
   * free CPU first; `emptiestFirst` searches CPU from the top, and GPUs from the top too when the
   * task wants GPUs (a CPU-only task always takes the GPU-poorest agents, whole GPU boxes stay free).
   * With `keepGpuShares`, an agent must also keep `sharePerGpu` free for each of its free GPUs.
   */
  collectFitting(demand: Resources, emptiestFirst: boolean, limit: number, out: AgentState[], keepGpuShares = false): void {
    const firstRow = demand.gpus;
    const lastRow = this.rows.length - 1;
    const rowsDown = emptiestFirst && demand.gpus > 0;
    for (let i = firstRow; i <= lastRow; i++) {
      const row = rowsDown ? lastRow - (i - firstRow) : i;
      const need = keepGpuShares && row > 0 ? withGpuShares(demand, this.sharePerGpu, row) : demand;
      const startColumn = cpuColumnOf(need.cpuMilli);
      const bits = this.occupied[row]!;
      const cells = this.rows[row]!;
      let column = emptiestFirst ? previousSetBit(bits, COLUMNS - 1) : nextSetBit(bits, startColumn);
      while (column >= startColumn && column < COLUMNS) {
        if (this.scanBucket(cells[column]!, need, limit, out)) return;
        column = emptiestFirst ? previousSetBit(bits, column - 1) : nextSetBit(bits, column + 1);
      }
    }
  }

  /** Returns true once the bucket yielded a candidate: the search stops at that bucket. */
  private scanBucket(bucket: Bucket, demand: Resources, limit: number, out: AgentState[]): boolean {
    if (bucket.cpuBoundMilli < demand.cpuMilli || bucket.memoryBoundBytes < demand.memoryBytes) return false;
    const agents = bucket.agents;
    const found = out.length;
    let probesLeft = EXTRA_PROBES;
    let cpuBound = 0;
    let memoryBound = 0;
    for (let i = 0; i < agents.length; i++) {
      const agent = agents[i]!;
      if (fitsNow(demand, agent.free)) {
        out.push(agent);
        if (out.length >= limit) return true;
      }
      if (out.length > found && --probesLeft <= 0) return true;
      cpuBound = Math.max(cpuBound, agent.free.cpuMilli);
      memoryBound = Math.max(memoryBound, agent.free.memoryBytes);
    }
    // The whole bucket was read: its bounds are now exact.
    bucket.cpuBoundMilli = cpuBound;
    bucket.memoryBoundBytes = memoryBound;
    return out.length > found;
  }

  private removeFromHeap(agent: AgentState): void {
    const i = agent.heapIndex;
    if (i < 0) return;
    const last = this.byWaiting.pop()!;
    agent.heapIndex = -1;
    if (last === agent) return;
    this.byWaiting[i] = last;
    last.heapIndex = i;
    this.siftUp(i);
    this.siftDown(last.heapIndex);
  }

  private siftUp(i: number): void {
    const heap = this.byWaiting;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!waitsLess(heap[i]!, heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.byWaiting;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && waitsLess(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && waitsLess(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(i: number, j: number): void {
    const heap = this.byWaiting;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }
}

function waitsLess(a: AgentState, b: AgentState): boolean {
  return a.waitingMs !== b.waitingMs ? a.waitingMs < b.waitingMs : a.waiting.length < b.waiting.length;
}

function withGpuShares(demand: Resources, share: Resources, freeGpus: number): Resources {
  return { cpuMilli: demand.cpuMilli + freeGpus * share.cpuMilli, memoryBytes: demand.memoryBytes + freeGpus * share.memoryBytes, gpus: demand.gpus };
}

function nextSetBit(bits: Uint32Array, from: number): number {
  if (from < 0) from = 0;
  let word = from >>> 5;
  if (word >= bits.length) return COLUMNS;
  let w = bits[word]! & (~0 << (from & 31));
  while (w === 0) {
    if (++word >= bits.length) return COLUMNS;
    w = bits[word]!;
  }
  return (word << 5) + (31 - Math.clz32(w & -w));
}

function previousSetBit(bits: Uint32Array, from: number): number {
  if (from < 0) return -1;
  let word = from >>> 5;
  const shift = 31 - (from & 31);
  let w = shift === 0 ? bits[word]! : (bits[word]! << shift) >>> shift;
  while (w === 0) {
    if (--word < 0) return -1;
    w = bits[word]!;
  }
  return (word << 5) + (31 - Math.clz32(w));
}
