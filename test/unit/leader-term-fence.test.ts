// A leader's write refused with LEASE_LOST (another process took the fence key) ends its term at
// once: the flow engine's effect runner catches the refused task record, the term's persist tells
// the leadership, which stops leading, and the agent gets no ack for a result nobody recorded.
// The leadership, state store, leader term, registry and engine are the real ones; the agent is
// a fake stream.
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import type { TaskUpdate } from '../../proto/types.js';
import type { AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { EmbeddedLeader } from '../../scheduler/leader/embedded-leader.js';
import { LeaderTerm } from '../../scheduler/leader-term.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { MemoryBackend } from '../../store/memory-backend.js';
import { FakeStream } from '../support/fake-agent-stream.js';

const job = { name: 'one', steps: { start: { run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '64Mi' } } } };
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('a leader term whose write is refused with LEASE_LOST', () => {
  it('ends at once: the leadership steps down, the term signal fires, and the unrecorded result is not acked', async () => {
    const store = new MemoryStateStore();
    const leader = new EmbeddedLeader({ store, id: 'old', addr: 'a:1' });
    leader.start();
    const fence = await leader.whenElected();
    const signal = leader.state.kind === 'leader' ? leader.state.term : AbortSignal.abort();
    const refusals: string[] = [];
    const term = new LeaderTerm({
      store, fence, term: signal, schedulerId: 'old', logger: silentLogger,
      fenceLost: (reason) => {
        refusals.push(reason);
        leader.fenceLost(reason);
      },
      agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, recoveryWindowMs: 1_000,
      objects: { read: () => Promise.reject(new Error('no objects')) },
      chunks: new MemoryBackend(), compactAfterMs: 60_000, maxFinishedTasks: 1_000, maxForeachItems: 1_000, prefetchWindowMs: 50,
    });
    try {
      await term.start();
      const agent = new FakeStream();
      term.registry.attach(agent as unknown as AgentStream);
      agent.say({ register: { agent_id: 'a', hostname: 'a', instance_id: 'a-1', version: '', labels: {}, running: [], unacknowledged: [], capacity: { cpu_milli: 1000, memory_bytes: 2 ** 30, gpus: [] }, executors: ['thread'] } });
      const runId = await term.engine.submit({ job, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
      await turns();
      expect(agent.assigned()).toEqual([`${runId}/start/0#1`]);

      // Another process takes the store's fence key: this leader's next write is refused.
      const usurper = new EmbeddedLeader({ store, id: 'new', addr: 'b:1' });
      usurper.start();
      await usurper.whenElected();
      const finished = {
        task_id: `${runId}/start/0`, attempt: 1, kind: 'finished',
        finished: { ok: true, result: encodeValue(1), error: null, started_at_ms: 1, finished_at_ms: 2, artifacts: [], log_object: '', result_object: '', run_ms: 1 },
      } as TaskUpdate;
      agent.say({ updates: { updates: [finished] } });
      await expect.poll(() => signal.aborted).toBe(true);

      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(/no longer holds this leader's claim/);
      expect(leader.state.kind).toBe('follower');
      expect(agent.sent.some((m) => (m.ack?.tasks ?? []).length > 0)).toBe(false);
      expect(term.engine.task(runId, 'start', 0).state).toBe('running'); // not settled: nothing was recorded
      await usurper.close();
    } finally {
      await leader.close(); // ends the term (if the test failed before it ended), which its loops wait for
      await term.close();
    }
  });
});
