// A gracefully stopping agent (Leaving): nothing more is placed on it, the tasks it gives back are
// re-queued at once as lost (RETURNED), not failed, stale give-backs are ignored, and once it
// ends its stream it is gone at once instead of after the agent TTL. The registry, flow engine
// and placer are the real ones; the agent streams are fakes that record what they are sent.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { AgentMembers } from '../../scheduler/dispatch/agent-members.js';
import { AgentRegistry, type AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { FlowEngine } from '../../scheduler/flow/engine.js';
import { Placer } from '../../scheduler/placement/placer.js';
import { keys } from '../../scheduler/state/records.js';
import { FakeStream } from '../support/fake-agent-stream.js';

/** A placement pass and the outbox flush after it each wait for setImmediate. */
const tick = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

const job = {
  name: 'sweep',
  steps: {
    start: { foreach: ['x', 'y'], run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '64Mi' }, next: 'total' },
    total: { join: true, run: { module: './m.mjs', export: 'total' }, resources: { cpu: 1, memory: '64Mi' } },
  },
};

function cluster() {
  const placer = new Placer();
  /** Agents whose membership record was deleted: left, or lost. */
  const lost: string[] = [];
  const members = new AgentMembers(async (ops) => {
    for (const op of ops) if (op.op === 'delete') lost.push(op.key.slice(keys.agents.length));
  }, silentLogger);
  const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, schedulerId: 's', members });
  const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('no objects')) }, persist: () => Promise.resolve(), dispatcher: registry, logger: silentLogger });
  registry.bind(engine);
  const connect = (id: string, cpu: number, instance = `${id}-1`) => {
    const stream = new FakeStream();
    registry.attach(stream as unknown as AgentStream);
    // As grpc-js decodes it: every field present, defaults filled in.
    stream.say({ register: { agent_id: id, hostname: id, instance_id: instance, version: '', labels: {}, running: [], unacknowledged: [], capacity: { cpu_milli: cpu * 1000, memory_bytes: 2 ** 30, gpus: [] }, executors: ['thread'] } });
    return stream;
  };
  return { registry, engine, connect, lost };
}

describe('an agent leaving gracefully', () => {
  it('gets nothing new, its given-back task runs elsewhere as attempt 2, and it is gone when its stream ends', async () => {
    const { registry, engine, connect, lost } = cluster();
    const a = connect('a', 1);
    const runId = await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    // 1 CPU: a holds one task of the two; the other waits.
    const [first] = a.assigned();
    expect(a.assigned()).toHaveLength(1);
    const [taskId, attempt] = first!.split('#') as [string, string];

    a.say({ leaving: { returned: [{ task_id: taskId, attempt: Number(attempt) }] } });
    await tick();
    expect(registry.list().find((x) => x.agent_id === 'a')?.state).toBe('leaving');
    // Its CPU is free again, but it is leaving: nothing is placed on it.
    expect(a.assigned()).toHaveLength(1);

    const b = connect('b', 2);
    await tick();
    expect(b.assigned()).toHaveLength(2); // the given-back task and the one that waited
    expect(b.assigned()).toContain(`${taskId}#2`);
    const returned = engine.task(runId, 'start', Number(taskId.split('/').pop()));
    expect(returned.attempts).toEqual([expect.objectContaining({ attempt: 1, agentId: 'a', lost: true, error: expect.objectContaining({ code: 'RETURNED' }) })]);

    // Said again (after a reconnect, say): stale, ignored.
    a.say({ leaving: { returned: [{ task_id: taskId, attempt: 1 }] } });
    await tick();
    expect(returned.state).toBe('running');
    expect(returned.agentId).toBe('b');
    expect(returned.attempts).toHaveLength(1);

    a.emit('end');
    expect(a.ended).toBe(true);
    expect(registry.list().map((x) => x.agent_id)).toEqual(['b']);
    expect(lost).toEqual(['a']);
    expect(returned.state).toBe('running'); // b's attempt is not touched by a leaving
  });

  it('one whose stream broke while leaving is replaced by its restart, which takes work again', async () => {
    const { registry, engine, connect } = cluster();
    const a = connect('a', 1);
    const runId = await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    a.say({ leaving: { returned: [] } });
    a.emit('error', new Error('connection reset')); // killed before it could end its stream
    expect(registry.list().find((x) => x.agent_id === 'a')?.state).toBe('disconnected');

    const again = connect('a', 2, 'a-2');
    await tick();
    expect(registry.list().find((x) => x.agent_id === 'a')?.state).toBe('ready');
    // What the old process held went back to the queue as lost; the new process runs it too.
    expect(again.assigned().sort()).toEqual([`${runId}/start/0#2`, `${runId}/start/1#1`]);
    const tasks = [0, 1].map((i) => engine.task(runId, 'start', i));
    expect(tasks.flatMap((t) => t.attempts.map((x) => x.error?.code))).toEqual(['LOST']);
  });

  it('places nothing on an agent whose stream broke: new work goes to one that can receive it', async () => {
    const { engine, connect } = cluster();
    const a = connect('a', 2);
    const b = connect('b', 2);
    a.emit('error', new Error('connection reset'));
    await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    expect(b.assigned()).toHaveLength(2);
    // Back, it takes work again.
    const again = connect('a', 2);
    await engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    expect(again.assigned()).toHaveLength(2);
  });

  it('an unknown or malformed give-back drops the agent with the field named', async () => {
    const { connect } = cluster();
    const a = connect('a', 1);
    const errors: Array<{ details?: string }> = [];
    a.on('error', (e: { details?: string }) => errors.push(e));
    a.say({ leaving: { returned: [{ task_id: '', attempt: 1 }] } });
    expect(errors[0]?.details).toContain('leaving.returned');
  });
});

describe('a task whose agent is lost again and again (it may be what kills them)', () => {
  it('fails as LOST_AGENTS on its third lost attempt, naming the agents; attempts given back by a leaving agent do not count', async () => {
    const { engine, connect } = cluster();
    const single = { name: 'poison', steps: { start: { run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '64Mi' } } } };
    let a = connect('a', 1);
    const runId = await engine.submit({ job: single, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    await tick();
    // Given back by a leaving agent: not a loss.
    a.say({ leaving: { returned: [{ task_id: `${runId}/start/0`, attempt: 1 }] } });
    a.emit('end');
    for (const [i, id] of ['b', 'c', 'd'].entries()) {
      const stream = connect(id, 1, `${id}-${i}`);
      await tick();
      expect(stream.assigned()).toEqual([`${runId}/start/0#${i + 2}`]);
      engine.agentLost(id); // killed with the task (the registry calls this when a restart or the TTL shows it)
      await tick();
    }
    const task = engine.task(runId, 'start', 0);
    expect(task.state).toBe('failed');
    expect(task.error).toEqual({ code: 'LOST_AGENTS', message: 'its agent was lost on 3 attempts (agents b, c, d): the task may be what kills them' });
    expect(task.attempts.map((x) => x.error?.code)).toEqual(['RETURNED', 'LOST', 'LOST', 'LOST_AGENTS']);
    expect(engine.get(runId).record.state).toBe('failed');
    a = connect('a', 1, 'a-2');
    await tick();
    expect(a.assigned()).toEqual([]); // nothing of it runs again
  });
});
