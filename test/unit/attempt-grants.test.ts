// Signed assignments: after a failover the new leader has no record of which agent was given an
// unfinished task; it takes an agent's word about one (adopting it as running there, or taking
// its result) only with the signature the earlier leader sent with the assignment. The
// leaderships, state store, leader terms, registry and engine are the real ones; agents are
// fake streams.
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import type { AssignmentGrant__Output, Register, TaskUpdate } from '../../proto/types.js';
import { AttemptGrants } from '../../scheduler/auth/attempt-grants.js';
import type { AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { EmbeddedLeader } from '../../scheduler/leader/embedded-leader.js';
import { LeaderTerm } from '../../scheduler/leader-term.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { MemoryBackend } from '../../store/memory-backend.js';
import { FakeStream } from '../support/fake-agent-stream.js';

describe('AttemptGrants', () => {
  const tasks = [{ task_id: 'r/train/0', attempt: 1, gpu_indices: [] }, { task_id: 'r/train/1', attempt: 2, gpu_indices: [] }];
  const signed = (g: AttemptGrants, agent = 'a', list = tasks): AssignmentGrant__Output => ({ tasks: list, grant: g.sign(agent, list) });

  it('grants the tasks of a signature to the agent it was made for, and nothing else', () => {
    const grants = new AttemptGrants();
    grants.useKey(Buffer.alloc(32, 7));
    expect([...grants.granted('a', [signed(grants)])]).toEqual(['r/train/0#1', 'r/train/1#2']);
    expect(grants.granted('b', [signed(grants)]).size).toBe(0); // shown by another agent
    const widened = { ...signed(grants), tasks: [...tasks, { task_id: 'r/train/2', attempt: 1, gpu_indices: [] }] };
    expect(grants.granted('a', [widened]).size).toBe(0); // a task added to the list
    const bumped = { ...signed(grants), tasks: [tasks[0]!, { task_id: 'r/train/1', attempt: 3, gpu_indices: [] }] };
    expect(grants.granted('a', [bumped]).size).toBe(0);
    // Length-prefixed fields: ids that concatenate to the same text are different lists.
    const split = signed(grants, 'a', [{ task_id: 'x#1;y', attempt: 1, gpu_indices: [] }]);
    expect(grants.granted('a', [{ tasks: [{ task_id: 'x', attempt: 1, gpu_indices: [] }, { task_id: 'y', attempt: 1, gpu_indices: [] }], grant: split.grant }]).size).toBe(0);
  });

  it('signs nothing and grants nothing without a key, and a signature of another key is not valid', () => {
    const keyless = new AttemptGrants();
    expect(keyless.sign('a', tasks).length).toBe(0);
    const other = new AttemptGrants();
    other.useKey(Buffer.alloc(32, 1));
    expect(keyless.granted('a', [signed(other)]).size).toBe(0);
    const grants = new AttemptGrants();
    grants.useKey(Buffer.alloc(32, 2));
    expect(grants.granted('a', [signed(other)]).size).toBe(0);
  });
});

const job = { name: 'one', steps: { start: { run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '64Mi' } } } };
const capacity = { cpu_milli: 1000, memory_bytes: 2 ** 30, gpus: [] };
const register = (id: string, extra: Partial<Register> = {}): Register => ({
  agent_id: id, hostname: id, instance_id: `${id}-1`, version: '', labels: {}, running: [], unacknowledged: [], capacity, executors: ['thread'], ...extra,
});

async function leaderTerm(store: MemoryStateStore, id: string) {
  const leader = new EmbeddedLeader({ store, id, addr: `${id}:1` });
  leader.start();
  const fence = await leader.whenElected();
  const signal = leader.state.kind === 'leader' ? leader.state.term : AbortSignal.abort();
  const term = new LeaderTerm({
    store, fence, term: signal, schedulerId: id, logger: silentLogger, fenceLost: (reason) => leader.fenceLost(reason),
    agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, recoveryWindowMs: 60_000,
    objects: { read: () => Promise.reject(new Error('no objects')) },
    chunks: new MemoryBackend(), compactAfterMs: 60_000, maxFinishedTasks: 1_000, maxForeachItems: 1_000, prefetchWindowMs: 50,
  });
  await term.start();
  return { leader, term, close: async () => { await leader.close(); await term.close(); } };
}

/** A one-task run placed on agent a by a first leader, which then dies: no record says where the task runs. */
async function assignedUnderFirstLeader(store: MemoryStateStore) {
  const first = await leaderTerm(store, 'old');
  const a = new FakeStream();
  first.term.registry.attach(a as unknown as AgentStream, 'token:a');
  a.say({ register: register('a') });
  const runId = await first.term.engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
  const taskId = `${runId}/start/0`;
  await expect.poll(() => a.assigned()).toEqual([`${taskId}#1`]);
  const grant: AssignmentGrant__Output = { tasks: [{ task_id: taskId, attempt: 1, gpu_indices: [] }], grant: a.sent.flatMap((m) => m.assign?.steps ?? [])[0]!.grant as Buffer };
  expect(grant.grant.length).toBe(16);
  await first.close();
  return { runId, taskId, grant };
}

describe('a new leader and the tasks agents say an earlier leader gave them', () => {
  it('adopts a task and takes its result only from the agent whose signed assignment shows it', async () => {
    const store = new MemoryStateStore();
    const { runId, taskId, grant } = await assignedUnderFirstLeader(store);
    const second = await leaderTerm(store, 'new');
    try {
      const running = [{ task_id: taskId, attempt: 1, gpu_indices: [] }];
      const finished = {
        task_id: taskId, attempt: 1, kind: 'finished',
        finished: { ok: true, result: encodeValue('forged'), error: null, started_at_ms: 1, finished_at_ms: 2, artifacts: [], log_object: '', result_object: '', run_ms: 1 },
      } as TaskUpdate;
      // Agent b claims a's task, without a signature and then with a's, and reports a result.
      const b = new FakeStream();
      second.term.registry.attach(b as unknown as AgentStream, 'token:b');
      b.say({ register: register('b', { running, unacknowledged: [finished], grants: [grant] }) });
      await expect.poll(() => b.sent.some((m) => m.registered)).toBe(true);
      expect(b.sent.find((m) => m.registered)!.registered!.stop!.map((r) => r.task_id)).toEqual([taskId]);
      expect(second.term.registry.list().find((x) => x.agent_id === 'b')!.refused_reports).toBe(1);
      expect(second.term.engine.task(runId, 'start', 0).state).toBe('pending');

      // a shows its signed assignment: the task is adopted as running there, and its result taken.
      const a2 = new FakeStream();
      second.term.registry.attach(a2 as unknown as AgentStream, 'token:a');
      a2.say({ register: register('a', { running, grants: [grant] }) });
      await expect.poll(() => a2.sent.some((m) => m.registered)).toBe(true);
      expect(a2.sent.find((m) => m.registered)!.registered!.stop ?? []).toEqual([]);
      const task = second.term.engine.task(runId, 'start', 0);
      expect([task.state, task.agentId]).toEqual(['running', 'a']);
      a2.say({ updates: { updates: [{ ...finished, finished: { ...finished.finished!, result: encodeValue('real') } }] } });
      await expect.poll(() => second.term.engine.task(runId, 'start', 0).state).toBe('succeeded');
      expect(a2.sent.some((m) => (m.ack?.tasks ?? []).some((t) => t.task_id === taskId))).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('takes a result reported on registering from the agent the signed assignment names, not from another', async () => {
    const store = new MemoryStateStore();
    const { runId, taskId, grant } = await assignedUnderFirstLeader(store);
    const second = await leaderTerm(store, 'new');
    try {
      const finished = {
        task_id: taskId, attempt: 1, kind: 'finished',
        finished: { ok: true, result: encodeValue(1), error: null, started_at_ms: 1, finished_at_ms: 2, artifacts: [], log_object: '', result_object: '', run_ms: 1 },
      } as TaskUpdate;
      const b = new FakeStream();
      second.term.registry.attach(b as unknown as AgentStream, 'token:b');
      b.say({ register: register('b', { unacknowledged: [finished], grants: [grant] }) });
      await expect.poll(() => second.term.registry.list().find((x) => x.agent_id === 'b')?.refused_reports).toBe(1);
      const a2 = new FakeStream();
      second.term.registry.attach(a2 as unknown as AgentStream, 'token:a');
      a2.say({ register: register('a', { unacknowledged: [finished], grants: [grant] }) });
      await expect.poll(() => second.term.engine.task(runId, 'start', 0).state).toBe('succeeded');
      expect(second.term.registry.list().find((x) => x.agent_id === 'a')!.refused_reports).toBe(0);
    } finally {
      await second.close();
    }
  });
});
