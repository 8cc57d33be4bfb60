/**
 * The agent stream's protocol as an agent sees it, run against every scheduler side an agent is
 * tested with: the real one (agent-protocol.test.ts) and the scripted fake the agent's own tests
 * use (scripted-scheduler.ts), so that the fake answers as the real one does.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { channelOptions, proto } from '../../proto/load.js';
import type { AgentMessage, AgentServiceClient, SchedulerMessage__Output, TaskUpdate } from '../../proto/types.js';

export interface ProtocolTarget {
  addr: string;
  /** Makes the scheduler send one task to the agent registered last (it has 2 CPUs, 1 GiB, the thread executor). */
  assignOne(): Promise<void> | void;
}

/** A raw agent stream: what it received, and how the stream ended. */
class RawAgent {
  readonly received: SchedulerMessage__Output[] = [];
  readonly ended: Promise<grpc.StatusObject>;
  private readonly client: AgentServiceClient;
  private readonly stream: grpc.ClientDuplexStream<AgentMessage, SchedulerMessage__Output>;
  private waiters: Array<() => void> = [];

  constructor(addr: string) {
    this.client = new proto.AgentService(addr, grpc.credentials.createInsecure(), channelOptions) as unknown as AgentServiceClient;
    this.stream = this.client.Connect();
    this.stream.on('data', (m: SchedulerMessage__Output) => {
      this.received.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.stream.on('error', () => {});
    this.ended = new Promise((resolve) => this.stream.on('status', (s: grpc.StatusObject) => resolve(s)));
  }

  send(msg: AgentMessage): void {
    this.stream.write(msg);
  }

  /** The first message received that `which` picks, waiting up to 20 s for it. */
  async next(which: (m: SchedulerMessage__Output) => boolean, what: string): Promise<SchedulerMessage__Output> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.received.find(which);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within 20 s; received: ${this.received.map((m) => m.body).join(', ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  halfClose(): void {
    this.stream.end();
  }

  close(): void {
    this.stream.cancel();
    this.client.close();
  }
}

const capacity = { cpu_milli: 2_000, memory_bytes: 2 ** 30, gpus: [] };

function register(agentId: string, unacknowledged: TaskUpdate[] = []): AgentMessage {
  return { register: { agent_id: agentId, hostname: agentId, instance_id: `${agentId}-1`, version: 'test', labels: {}, running: [], unacknowledged, capacity, executors: ['thread'] } };
}

function finished(taskId: string, attempt: number): TaskUpdate {
  return { task_id: taskId, attempt, finished: { ok: true, result: Buffer.from([0xc0]), started_at_ms: 1, finished_at_ms: 2 } };
}

/** `target` is read when each test runs (set up in the caller's beforeAll). */
export function agentProtocolSuite(name: string, target: () => ProtocolTarget): void {
  describe(`the agent stream protocol: ${name}`, () => {
    async function withAgent(body: (a: RawAgent) => Promise<void>): Promise<void> {
      const agent = new RawAgent(target().addr);
      try {
        await body(agent);
      } finally {
        agent.close();
      }
    }

    it('answers a registration with registered: a heartbeat interval and the scheduler id', () => withAgent(async (a) => {
      a.send(register('proto-register'));
      const { registered } = await a.next((m) => m.body === 'registered', 'registered');
      expect(registered!.heartbeat_interval_ms).toBeGreaterThan(0);
      expect(registered!.scheduler_id).not.toBe('');
    }));

    it('acknowledges the result of an attempt it assigned', () => withAgent(async (a) => {
      a.send(register('proto-assigned'));
      await a.next((m) => m.body === 'registered', 'registered');
      await target().assignOne();
      const { assign } = await a.next((m) => m.body === 'assign', 'an assignment');
      const task = assign!.steps[0]!.tasks[0]!;
      expect(task.attempt).toBeGreaterThanOrEqual(1);
      a.send({ updates: { updates: [{ task_id: task.task_id, attempt: task.attempt, started: { at_ms: 1 } }, finished(task.task_id, task.attempt)] } });
      const ack = await a.next((m) => m.body === 'ack' && m.ack!.tasks.some((t) => t.task_id === task.task_id), 'an ack of the result');
      expect(ack.ack!.tasks.find((t) => t.task_id === task.task_id)!.attempt).toBe(task.attempt);
    }));

    it('acknowledges results a registration carries as unacknowledged', () => withAgent(async (a) => {
      a.send(register('proto-unacked', [finished('gone-run/start/0', 1)]));
      const ack = await a.next((m) => m.body === 'ack', 'an ack');
      expect(ack.ack!.tasks.map((t) => [t.task_id, t.attempt])).toEqual([['gone-run/start/0', 1]]);
    }));

    it('ends its side when the agent half-closes', () => withAgent(async (a) => {
      a.send(register('proto-leave'));
      await a.next((m) => m.body === 'registered', 'registered');
      a.halfClose();
      expect((await a.ended).code).toBe(grpc.status.OK);
    }));
  });
}
