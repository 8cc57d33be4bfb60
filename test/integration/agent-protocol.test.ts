// An agent that sends nonsense is dropped; the scheduler and the other agents go on. And the
// protocol suite every scheduler side an agent is tested with must pass, on the real one.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMessage } from '../../proto/types.js';
import { converse } from '../support/agent-conversation.js';
import { agentProtocolSuite } from '../support/agent-protocol-suite.js';
import { clusterctl, clusterctlJson, startDev, type DevCluster } from '../support/cli-cluster.js';

const capacity = { cpu_milli: 1000, memory_bytes: 2 ** 30, gpus: [] };

describe('agent protocol', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(1);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it.each([
    ['a heartbeat before register', [{ heartbeat: { sent_at_ms: 1 } }], 'the first message on the agent stream must be register'],
    ['an empty agent id', [{ register: { agent_id: '', capacity, executors: ['thread'] } }], 'register.agent_id'],
    ['no capacity', [{ register: { agent_id: 'x', executors: ['thread'] } }], 'register.capacity: is missing'],
    ['an unknown executor', [{ register: { agent_id: 'x', capacity, executors: ['fortran'] } }], 'register.executors'],
    ['duplicate GPU indices', [{ register: { agent_id: 'x', capacity: { ...capacity, gpus: [{ index: 0 }, { index: 0 }] }, executors: ['thread'] } }], 'GPU indices must be distinct'],
    ['an update without a task', [{ register: { agent_id: 'y', capacity, executors: ['thread'] } }, { updates: { updates: [{ task_id: '', attempt: 1, started: { at_ms: 1 } }] } }], 'updates[0]'],
    ['200,000 labels', [{ register: { agent_id: 'x', capacity, executors: ['thread'], labels: Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 'v'])) } }], 'register.labels: at most 64'],
    ['the id of a connected agent', [{ register: { agent_id: 'dev-agent-1', capacity, executors: ['thread'] } }], 'already connected'],
  ])('drops an agent that sends %s', async (_what, messages, message) => {
    const { status } = await converse(dev.addr, messages as AgentMessage[]);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toContain(message);
  });

  it('acknowledges and ignores a result for a task it never assigned', async () => {
    const { received } = await converse(dev.addr, [
      { register: { agent_id: 'stray', capacity, executors: ['thread'] } },
      { updates: { updates: [{ task_id: 'no-run/start/0', attempt: 1, finished: { ok: true, result: Buffer.from([0xc0]) } }] } },
    ], (m) => m.body === 'ack');
    expect(received[0]?.body).toBe('registered');
    expect(received.find((m) => m.body === 'ack')?.ack?.tasks).toEqual([{ task_id: 'no-run/start/0', attempt: 1, gpu_indices: [] }]);
  });

  it('keeps serving the real agent after all that', async () => {
    const agents = await clusterctlJson<Array<{ agent_id: string }>>(['agents'], dev.addr);
    expect(agents.map((a) => a.agent_id)).toContain('dev-agent-1');
    const res = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr: dev.addr });
    expect(res.code, res.stderr).toBe(0);
  });
});

describe('a scheduler with no agent but the protocol suite\'s', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(0);
  });
  afterAll(async () => {
    await dev?.stop();
  });
  agentProtocolSuite('the real scheduler', () => ({
    addr: dev.addr,
    assignOne: async () => {
      const res = await clusterctl(['submit', 'examples/hello/job.yaml'], { addr: dev.addr });
      expect(res.code, res.stderr).toBe(0);
    },
  }));
});
