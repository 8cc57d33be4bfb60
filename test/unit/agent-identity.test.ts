// What an agent may report and which id it may take: a report about an attempt assigned to
// another agent is refused and counted, and an agent id stays with the identity that registered
// it. The registry, flow engine and placer are the real ones; the streams are fakes.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { AgentMembers } from '../../scheduler/dispatch/agent-members.js';
import { AgentRegistry, type AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { FlowEngine } from '../../scheduler/flow/engine.js';
import { Placer } from '../../scheduler/placement/placer.js';
import type { AgentMessage } from '../../proto/types.js';
import { FakeStream } from '../support/fake-agent-stream.js';

const tick = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

const job = { name: 'one', steps: { start: { run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '64Mi' } } } };
const result = Buffer.from([0xa2, 0x6f, 0x6b]); // msgpack "ok"

function cluster() {
  const placer = new Placer();
  const members = new AgentMembers(() => Promise.resolve(), silentLogger);
  const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, schedulerId: 's', members });
  const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('no objects')) }, persist: () => Promise.resolve(), dispatcher: registry, logger: silentLogger });
  registry.bind(engine);
  engine.setRecovering(false);
  const connect = (id: string, identity: string, cpu = 1) => {
    const stream = new FakeStream();
    registry.attach(stream as unknown as AgentStream, identity);
    stream.say({ register: { agent_id: id, hostname: id, instance_id: `${id}-1`, version: '', labels: {}, running: [], unacknowledged: [], capacity: { cpu_milli: cpu * 1000, memory_bytes: 2 ** 30, gpus: [] }, executors: ['thread'] } });
    return stream;
  };
  return { registry, engine, connect };
}

describe('reports from agents', () => {
  it('refuses and counts a result for an attempt running on another agent, and takes the real one', async () => {
    const { registry, engine, connect } = cluster();
    const a = connect('a', 'token:a');
    const runId = await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    const [assigned] = a.assigned();
    const [taskId, attempt] = assigned!.split('#') as [string, string];
    const b = connect('b', 'token:b');
    await tick();
    const finished = { ok: true, result, started_at_ms: 1, finished_at_ms: 2, run_ms: 1, result_object: '', artifacts: [], log_object: '', error: null };
    for (const update of [{ started: { at_ms: 5 } }, { log: { lines: [{ at_ms: 5, stream: 'log', text: 'forged' }] } }, { finished }]) {
      // `kind` names the oneof field, as grpc-js decodes it.
      b.say({ updates: { updates: [{ task_id: taskId, attempt: Number(attempt), kind: Object.keys(update)[0], ...update }] } } as AgentMessage);
    }
    await tick();
    expect(b.errors()).toEqual([]);
    const task = engine.task(runId, 'start', 0);
    expect(task.state).toBe('running');
    expect(task.agentId).toBe('a');
    expect(registry.list().map((x) => [x.agent_id, x.refused_reports])).toEqual([['a', 0], ['b', 3]]);
    a.say({ updates: { updates: [{ task_id: taskId, attempt: Number(attempt), kind: 'finished', finished }] } } as AgentMessage);
    await tick();
    expect(task.state).toBe('succeeded');
  });
});

describe('agent ids', () => {
  it('stay with the identity that registered them, across reconnects', () => {
    const { registry, connect } = cluster();
    connect('gpu-1', 'cert:clusterd agent');
    const impostor = connect('gpu-1', 'token:0123456789ab');
    expect(impostor.errors()).toEqual([expect.stringContaining('agent id "gpu-1" belongs to cert:clusterd agent, not token:0123456789ab')]);
    // The same identity reconnecting (a new stream of the same process) is let in.
    const again = connect('gpu-1', 'cert:clusterd agent');
    expect(again.errors()).toEqual([]);
    expect(registry.list().map((x) => x.agent_id)).toEqual(['gpu-1']);
  });
});

describe('runs under way per project', () => {
  it('refuses a submit over --max-active-runs for that project only, and takes it again once one ends', async () => {
    const placer = new Placer();
    const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, schedulerId: 's' });
    const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('none')) }, persist: () => Promise.resolve(), dispatcher: registry, logger: silentLogger, maxActiveRuns: 2 });
    registry.bind(engine);
    engine.setRecovering(false);
    const stream = new FakeStream();
    registry.attach(stream as unknown as AgentStream, 'token:a');
    stream.say({ register: { agent_id: 'a', hostname: 'a', instance_id: 'a-1', version: '', labels: {}, running: [], unacknowledged: [], capacity: { cpu_milli: 1000, memory_bytes: 2 ** 30, gpus: [] }, executors: ['thread'] } });
    const submit = (project: string) => engine.submit({ job: { ...job, project }, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    const first = await submit('vision');
    await submit('vision');
    await expect(submit('vision')).rejects.toThrow(/project "vision" has 2 runs under way, this cluster's limit \(--max-active-runs\)/);
    await submit('nlp'); // another project is not held back
    await engine.cancel(first);
    await submit('vision');
  });
});
