// A real AgentDaemon stopping gracefully, against a scripted scheduler on loopback gRPC and an
// executor whose tasks start and finish when the test says: started tasks finish and are
// acknowledged before close() resolves, tasks not started (and tasks assigned after the drain
// began) are given back at once, what still runs at the drain deadline is given back then, and a
// result reported while a reconnect is being answered is not left unreported.
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CodeCache } from '../../agent/code-cache.js';
import { AgentDaemon } from '../../agent/daemon.js';
import type { Executor, TaskOutcome, TaskRun } from '../../agent/executors/executor.js';
import type { TaskOutputs } from '../../agent/task-outputs.js';
import { silentLogger } from '../../core/logger.js';
import { agentProtocolSuite } from '../support/agent-protocol-suite.js';
import { eventually } from '../support/cli-cluster.js';
import { ScriptedScheduler } from '../support/scripted-scheduler.js';

/** Tasks start when `start` names them (or at once if `autoStart`) and end when `finish` does. */
class ScriptedExecutor implements Executor {
  readonly name = 'thread';
  readonly runs = new Map<string, { task: TaskRun; done: (o: TaskOutcome) => void }>();
  constructor(private readonly autoStart: boolean) {}
  run(task: TaskRun): Promise<TaskOutcome> {
    return new Promise((resolve) => {
      this.runs.set(task.taskId, { task, done: resolve });
      task.cancellation.onCancel(() => resolve({ ok: false, error: { code: 'CANCELLED', message: 'cancelled' } }));
      if (this.autoStart) task.onStarted(Date.now());
    });
  }
  start(taskId: string): void {
    this.runs.get(taskId)!.task.onStarted(Date.now());
  }
  finish(taskId: string): void {
    this.runs.get(taskId)!.done({ ok: true, result: new Uint8Array([0xc0]) });
  }
  aborted(taskId: string): boolean {
    return this.runs.get(taskId)?.task.cancellation.cancelled ?? false;
  }
  async close(): Promise<void> {}
}

const outputs = {
  persist: async (_taskId: string, outcome: TaskOutcome) => (outcome.ok ? { ok: true, result: outcome.result, artifacts: [], log_object: '' } : { ok: false, error: outcome.error, artifacts: [], log_object: '' }),
} as unknown as TaskOutputs;

describe('an agent stopping gracefully', () => {
  let scheduler: ScriptedScheduler;
  let agent: AgentDaemon | undefined;

  const startAgent = async (executor: ScriptedExecutor, drainTimeoutMs: number) => {
    scheduler = new ScriptedScheduler();
    await scheduler.start();
    agent = new AgentDaemon({
      id: 'a', schedulers: [scheduler.addr], capacity: { cpuMilli: 4000, memoryBytes: 2 ** 30, gpus: [], notes: [] }, labels: {},
      executors: [executor], codeCache: {} as CodeCache, outputs: () => outputs, logger: silentLogger, drainTimeoutMs,
    });
    await agent.start();
    await eventually(async () => agent!.ready, 5_000, 'the agent to register');
  };

  afterEach(async () => {
    await agent?.close();
    scheduler?.close();
  });

  it('gives back what has not started, finishes what runs, and closes once all is acknowledged', async () => {
    const executor = new ScriptedExecutor(false);
    await startAgent(executor, 10_000);
    const session = scheduler.last;
    session.assign('t1', 't2', 't3');
    await eventually(async () => executor.runs.size === 3, 5_000, 'three tasks to reach the executor');
    executor.start('t1');
    executor.start('t2');

    let closed = false;
    const closing = agent!.close().then(() => { closed = true; });
    await eventually(async () => session.returned().includes('t3#1'), 5_000, 't3 to be given back');
    expect(agent!.ready).toBe(false);
    // Placed before the scheduler heard: handed straight back, never run.
    session.assign('t4');
    await eventually(async () => session.returned().includes('t4#1'), 5_000, 't4 to be given back');
    expect(executor.runs.has('t4')).toBe(false);

    executor.finish('t1');
    await eventually(async () => session.finished().includes('t1'), 5_000, 't1 to be reported');
    expect(closed).toBe(false); // t2 still runs
    executor.finish('t2');
    await closing;
    expect(session.finished().sort()).toEqual(['t1', 't2']);
    expect(session.returned().sort()).toEqual(['t3#1', 't4#1']);
    expect(session.stoppedAsItLeft()).toEqual([]); // neither had started: nothing ran, nothing to record
    expect(executor.aborted('t1') || executor.aborted('t2')).toBe(false);
    await eventually(async () => session.endedByAgent, 2_000, 'the agent to end its stream');
  });

  it('gives back at the drain deadline what still runs', async () => {
    const executor = new ScriptedExecutor(true);
    await startAgent(executor, 300);
    scheduler.last.assign('slow');
    await eventually(async () => executor.runs.size === 1, 5_000, 'the task to start');
    const started = Date.now();
    await agent!.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(scheduler.last.returned()).toEqual(['slow#1']);
    expect(scheduler.last.stoppedAsItLeft()).toEqual(['slow#1']);
    expect(scheduler.last.finished()).toEqual([]);
    expect(executor.aborted('slow')).toBe(true);
  });

  it('reports a result that finished while its reconnect was being answered', async () => {
    const executor = new ScriptedExecutor(true);
    await startAgent(executor, 10_000);
    scheduler.last.assign('t1');
    await eventually(async () => executor.runs.size === 1, 5_000, 'the task to start');
    // The leader steps down: the agent reconnects, and this time registration waits.
    scheduler.holdRegistration = true;
    scheduler.last.stream.emit('error', { code: grpc.status.UNAVAILABLE, details: 'no longer leads' });
    scheduler.last.stream.destroy();
    await eventually(async () => scheduler.sessions.length === 2 && scheduler.last.received.length > 0, 5_000, 'the agent to register again');
    const second = scheduler.last;
    expect(second.received[0]!.register!.running.map((r) => r.task_id)).toEqual(['t1']);
    executor.finish('t1'); // its report is dropped: the link is not registered yet
    await eventually(async () => agent!.runningCount === 0, 5_000, 'the agent to have taken the result and sent it');
    scheduler.answer(second);
    await eventually(async () => second.finished().includes('t1'), 5_000, 't1 to be reported on the new stream');
  });
});

describe('the scripted scheduler', () => {
  const scripted = new ScriptedScheduler();
  beforeAll(() => scripted.start());
  afterAll(() => scripted.close());
  agentProtocolSuite('the scripted scheduler of these tests', () => ({ addr: scripted.addr, assignOne: () => scripted.last.assign('proto-task') }));
});
