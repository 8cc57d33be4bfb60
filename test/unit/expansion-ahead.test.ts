// A big foreach is made as it runs: a step being expanded stays at most a bounded number of
// queued tasks ahead of placement (so the wait queues stay the size of what can be placed soon,
// whatever the sweep's size), and goes on as its tasks are placed. The flow engine and placer
// are the real ones; the agent is a fake stream that records what it is sent. A restored run
// (a new leader) is made as far as its records go, and further as agents report tasks of it.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { AgentMembers } from '../../scheduler/dispatch/agent-members.js';
import { AgentRegistry, type AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { FlowEngine } from '../../scheduler/flow/engine.js';
import { Placer } from '../../scheduler/placement/placer.js';
import type { RunRecord, TaskRecord } from '../../scheduler/state/records.js';
import { FakeStream } from '../support/fake-agent-stream.js';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

const items = 50_000;
const job = {
  name: 'big',
  steps: {
    start: { foreach: Array.from({ length: items }, (_, i) => i), run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '1Mi' }, next: 'total' },
    total: { join: true, run: { module: './m.mjs', export: 'total' } },
  },
};

function cluster() {
  const placer = new Placer();
  const members = new AgentMembers(async () => undefined, silentLogger);
  const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, schedulerId: 's', members });
  const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('no objects')) }, persist: () => Promise.resolve(), dispatcher: registry, logger: silentLogger });
  registry.bind(engine);
  return { placer, registry, engine };
}

describe('expanding a big foreach', () => {
  it('makes no more than about 12,000 tasks while none can be placed, and the rest as they are', async () => {
    const { placer, registry, engine } = cluster();
    const runId = await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    const made = () => engine.runs.get(runId)!.steps.get('start')!.tasks!.length;

    await turns(50);
    // 10,000 queued ahead, plus the slice that crossed the mark
    expect(made()).toBeGreaterThanOrEqual(10_000);
    expect(made()).toBeLessThanOrEqual(12_000);
    expect(placer.queuedCount).toBe(made());

    // An agent with room for 20,000 tasks of 1 CPU: placements make room, and more is made.
    const stream = new FakeStream();
    registry.attach(stream as unknown as AgentStream);
    stream.say({ register: { agent_id: 'a', hostname: 'a', instance_id: 'a-1', version: '', labels: {}, running: [], unacknowledged: [], capacity: { cpu_milli: 20_000_000, memory_bytes: 2 ** 40, gpus: [] }, executors: ['thread'] } });
    await turns(200);
    expect(made()).toBeGreaterThan(20_000);
    expect(placer.queuedCount).toBeLessThanOrEqual(12_000);
  });

  it('restores a run as far as its records go, makes a task an agent reports during recovery, and queues what was made once recovery ends', async () => {
    const { registry, engine } = cluster();
    const record: RunRecord = { id: 'r1', job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml', seq: 1, createdAtMs: 0, state: 'running' };
    const done = (index: number): TaskRecord => ({ runId: 'r1', step: 'start', index, state: 'succeeded', attempts: [{ attempt: 1, agentId: 'a', startedAtMs: 1, finishedAtMs: 2 }], result: new Uint8Array([0xc0]) });
    engine.restore(record, [done(0), done(29_999)]);
    const step = engine.runs.get('r1')!.steps.get('start')!;
    expect(step.tasks!.length).toBe(30_000);
    expect(step.count.succeeded).toBe(2);

    // An agent registers running task 40,000: it is made (and the ones before it) and adopted.
    engine.setRecovering(true);
    const stream = new FakeStream();
    registry.attach(stream as unknown as AgentStream);
    stream.say({ register: { agent_id: 'a', hostname: 'a', instance_id: 'a-1', version: '', labels: {}, running: [{ task_id: 'r1/start/40000', attempt: 1, gpu_indices: [] }], unacknowledged: [], capacity: { cpu_milli: 1000, memory_bytes: 2 ** 30, gpus: [] }, executors: ['thread'] } });
    await turns(3);
    expect(stream.sent.flatMap((m) => m.cancel?.tasks ?? [])).toEqual([]);
    expect(step.tasks!.length).toBe(40_001);
    expect(step.tasks![40_000]!.state).toBe('running');

    // After recovery what was made and not done is queued; nothing more is made while the
    // queue is that far ahead of placement (no agent has room).
    engine.setRecovering(false);
    await turns(50);
    expect(step.count.queued).toBe(40_001 - 3);
    expect(step.tasks!.length).toBe(40_001);
  });
});
