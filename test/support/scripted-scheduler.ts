// A scheduler for the agent's tests, on loopback gRPC: it answers registration (unless held),
// acknowledges every result, and assigns what a test names. The agent protocol suite
// (agent-protocol-suite.ts) holds it to the real scheduler's answers.
import * as grpc from '@grpc/grpc-js';
import { proto, serverOptions } from '../../proto/load.js';
import type { AgentMessage__Output, SchedulerMessage } from '../../proto/types.js';

type Stream = grpc.ServerDuplexStream<AgentMessage__Output, SchedulerMessage>;

/** One agent stream as the scheduler sees it: what arrived, and whether the agent half-closed. */
export class Session {
  readonly received: AgentMessage__Output[] = [];
  endedByAgent = false;
  constructor(readonly stream: Stream) {}
  /** `task#attempt` of every task given back so far: not started (TaskReturned), or stopped as the agent left. */
  returned(): string[] {
    const unstarted = this.received.flatMap((m) => m.updates?.updates ?? []).filter((u) => u.returned);
    return [...unstarted, ...this.received.flatMap((m) => m.leaving?.returned ?? [])].map((r) => `${r.task_id}#${r.attempt}`);
  }
  /** `task#attempt` of the tasks given back as they ran, with Leaving (recorded as a lost attempt). */
  stoppedAsItLeft(): string[] {
    return this.received.flatMap((m) => m.leaving?.returned ?? []).map((r) => `${r.task_id}#${r.attempt}`);
  }
  /** Ids of the tasks reported finished, in the registration or as updates. */
  finished(): string[] {
    const updates = this.received.flatMap((m) => [...(m.register?.unacknowledged ?? []), ...(m.updates?.updates ?? [])]);
    return updates.filter((u) => u.finished).map((u) => u.task_id);
  }
  assign(...taskIds: string[]): void {
    const tasks = taskIds.map((id) => ({ task_id: id, attempt: 1 }));
    this.stream.write({ assign: { steps: [{ run_id: 'r', step: 'start', executor: 'thread', thread: { module: './none.mjs', export: 'x' }, code_dir: '/nonexistent', tasks }] } });
  }
}

/** A scheduler that answers registration (unless held) and acknowledges every result. */
export class ScriptedScheduler {
  readonly sessions: Session[] = [];
  holdRegistration = false;
  private readonly server = new grpc.Server(serverOptions);
  addr = '';

  async start(): Promise<void> {
    this.server.addService(proto.AgentService.service, {
      Connect: (stream: Stream) => {
        const session = new Session(stream);
        this.sessions.push(session);
        stream.on('data', (msg: AgentMessage__Output) => {
          session.received.push(msg);
          if (msg.body === 'register' && !this.holdRegistration) this.answer(session);
          const done = (msg.updates?.updates ?? []).filter((u) => u.finished);
          if (done.length) stream.write({ ack: { tasks: done.map((u) => ({ task_id: u.task_id, attempt: u.attempt })) } });
        });
        stream.on('end', () => {
          session.endedByAgent = true;
          stream.end();
        });
        stream.on('error', () => {});
      },
    });
    const port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.addr = `127.0.0.1:${port}`;
  }

  answer(session: Session): void {
    session.stream.write({ registered: { heartbeat_interval_ms: 1_000, scheduler_id: 'scripted', stop: [] } });
    const unacked = session.received.flatMap((m) => m.register?.unacknowledged ?? []);
    if (unacked.length) session.stream.write({ ack: { tasks: unacked.map((u) => ({ task_id: u.task_id, attempt: u.attempt })) } });
  }

  get last(): Session {
    return this.sessions.at(-1)!;
  }

  close(): void {
    this.server.forceShutdown();
  }
}

