// A fake agent stream for unit tests of the scheduler's registry and engine: it records what
// the scheduler sends and says what an agent would, as grpc-js decodes it.
import { EventEmitter } from 'node:events';
import type { AgentMessage, SchedulerMessage } from '../../proto/types.js';

export class FakeStream extends EventEmitter {
  readonly sent: SchedulerMessage[] = [];
  ended = false;
  private readonly errorDetails: string[] = [];

  constructor() {
    super();
    this.on('error', (err: { details?: string }) => this.errorDetails.push(err.details ?? String(err)));
  }

  /** The details of each error the scheduler ended the stream with. */
  errors(): string[] {
    return this.errorDetails;
  }

  write(msg: SchedulerMessage): boolean {
    this.sent.push(msg);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  getPeer(): string {
    return 'fake';
  }
  /** What the agent sends, with `body` naming the oneof field as grpc-js decodes it. */
  say(msg: AgentMessage): void {
    this.emit('data', { ...msg, body: Object.keys(msg)[0] });
  }
  /** Task ids and attempts of every assignment received so far. */
  assigned(): string[] {
    return this.sent.flatMap((m) => m.assign?.steps ?? []).flatMap((s) => s.tasks ?? []).map((a) => `${a.task_id}#${a.attempt}`);
  }
}
