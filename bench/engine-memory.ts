/**
 * The leader's memory per task: a computed sweep of N no-op items (examples/computed-sweep's
 * shape) through the real flow engine, agent registry and placer, in this process, with two
 * agents on in-process streams. Heap in use after a full collection: before the run; once the
 * sweep's first tasks are made and none has finished (per task made: queued, or sent ahead to
 * an agent); and once every item has finished (the join is left unrun, so the run and its N
 * tasks are all held, as until compaction). And what collection cost on the way.
 *
 * No gRPC, no agent processes: this isolates the engine's own memory and CPU per task, the
 * figure that decides how big a sweep one leader can hold and how long its collector pauses.
 */
import { EventEmitter } from 'node:events';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeValue } from '../core/codec.js';
import { ClusterError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { AgentMessage, SchedulerMessage, TaskUpdate } from '../proto/types.js';
import { AgentRegistry, type AgentStream } from '../scheduler/dispatch/agent-registry.js';
import { FlowEngine } from '../scheduler/flow/engine.js';
import { Placer } from '../scheduler/placement/placer.js';
import { round } from './stats.js';

export interface EngineMemoryResult {
  items: number;
  /** Made and not finished: sent to the agents or queued (expansion runs 10,000 ahead of placement). */
  queuedTasks: number;
  heapBytesPerQueuedTask: number;
  heapBytesPerFinishedTask: number;
  processCpuUsPerTask: number;
  tasksPerSec: number;
  gcShareOfWall: number;
  longestGcPauseMs: number;
}

/** An agent's end of the stream, in process: it records what the scheduler sends. */
class InProcessStream extends EventEmitter {
  sent: SchedulerMessage[] = [];
  write(msg: SchedulerMessage): boolean {
    this.sent.push(msg);
    return true;
  }
  end(): void {}
  getPeer(): string {
    return 'in-process';
  }
  say(msg: AgentMessage): void {
    this.emit('data', { ...msg, body: Object.keys(msg)[0] });
  }
}

/** A full collection now: `gc` exposed at run time, as `node --expose-gc` would. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

export async function runEngineMemory(opts: { items: number }): Promise<EngineMemoryResult> {
  const placer = new Placer();
  const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 3_600_000, heartbeatIntervalMs: 1_000, schedulerId: 'bench' });
  const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('no objects here')) }, persist: async () => {}, dispatcher: registry, logger: silentLogger });
  registry.bind(engine);
  let gcMs = 0;
  let longestGcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      longestGcMs = Math.max(longestGcMs, e.duration);
    }
  });
  try {
    // examples/computed-sweep's shape: a first step computes the list, a foreach over it, a join.
    const job = {
      name: 'memory',
      steps: {
        start: { run: { module: './m.mjs', export: 'items' }, next: 'work' },
        work: { foreach: { from: 'start.items' }, run: { module: './m.mjs', export: 'work' }, next: 'total' },
        total: { join: true, run: { module: './m.mjs', export: 'total' } },
      },
    };
    const agents = ['a', 'b'].map((id) => {
      const stream = new InProcessStream();
      registry.attach(stream as unknown as AgentStream);
      stream.say({
        register: {
          agent_id: id, hostname: id, instance_id: `${id}-1`, version: '', labels: {}, running: [], unacknowledged: [],
          capacity: { cpu_milli: 2_000, memory_bytes: 2 ** 32, gpus: [] }, executors: ['thread'],
        },
      });
      return stream;
    });
    /** Finishes, with `result`, every task of `step` the agents were sent since they last looked. */
    const finish = (step: string, result: Uint8Array): number => {
      let n = 0;
      for (const agent of agents) {
        const updates: TaskUpdate[] = [];
        for (const msg of agent.sent) {
          for (const s of msg.assign?.steps ?? []) {
            for (const t of s.tasks ?? []) {
              if (!t.task_id!.includes(`/${step}/`)) continue;
              const now = Date.now();
              updates.push({
                task_id: t.task_id!, attempt: t.attempt!, kind: 'finished',
                finished: { ok: true, result, error: null, started_at_ms: now, finished_at_ms: now, artifacts: [], log_object: '', result_object: '', run_ms: 0 },
              } as TaskUpdate);
            }
          }
        }
        agent.sent = [];
        n += updates.length;
        if (updates.length > 0) agent.say({ updates: { updates } });
      }
      return n;
    };
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    gcObserver.observe({ entryTypes: ['gc'] });
    const start = performance.now();
    const cpuBefore = process.cpuUsage();
    const runId = await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    while (finish('start', encodeValue({ items: Array.from({ length: opts.items }, (_, i) => i) })) === 0) await turn();
    // The sweep's first tasks are made and placed (those beyond the agents' prefetch windows
    // wait in the queue); none finishes yet.
    const work = () => engine.get(runId).steps.get('work')!;
    for (let before = -1; (work().tasks?.length ?? 0) !== before;) {
      before = work().tasks?.length ?? 0;
      for (let i = 0; i < 5; i++) await turn();
    }
    collect();
    const queuedTasks = work().tasks!.length;
    const heapQueued = process.memoryUsage().heapUsed;
    const result = encodeValue(1);
    for (let finished = 0; finished < opts.items;) {
      finished += finish('work', result);
      await turn();
      await turn();
    }
    for (let i = 0; i < 5; i++) await turn();
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - start;
    gcObserver.disconnect();
    collect();
    const heapAfter = process.memoryUsage().heapUsed;
    return {
      items: opts.items,
      queuedTasks,
      heapBytesPerQueuedTask: Math.round((heapQueued - heapBefore) / queuedTasks),
      heapBytesPerFinishedTask: Math.round((heapAfter - heapBefore) / opts.items),
      processCpuUsPerTask: round((cpu.user + cpu.system) / opts.items, 1),
      tasksPerSec: Math.round(opts.items / (wallMs / 1000)),
      gcShareOfWall: round(gcMs / wallMs, 3),
      longestGcPauseMs: round(longestGcMs, 1),
    };
  } finally {
    gcObserver.disconnect();
    registry.closeAll(new ClusterError('UNAVAILABLE', 'benchmark over'));
    await engine.close();
  }
}
