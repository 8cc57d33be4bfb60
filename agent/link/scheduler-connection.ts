// The agent's side of its session with the scheduler, as the agent daemon uses it. SchedulerLink
// is the one over gRPC; the scheduler's side is AgentStream (scheduler/dispatch/agent-registry.ts),
// and test/support/agent-protocol-suite.ts holds both real and scripted schedulers to one protocol.
import type { AgentMessage, InputRef, SchedulerMessage__Output, TaskRef, TaskUpdate } from '../../proto/types.js';

export type Registration = NonNullable<AgentMessage['register']>;

/** What the connection asks of the agent. */
export interface LinkHandlers {
  /** What to register with, built fresh at every (re)connect. */
  registration(): Registration;
  onMessage(msg: SchedulerMessage__Output): void;
  onRegistered(): void;
}

export interface SchedulerConnection {
  /** Connects, and keeps connecting after the session breaks, until closed. Idempotent. */
  start(): void;
  /** Registered with a scheduler now: what is sent reaches it. */
  readonly registered: boolean;
  /** A task update, batched with the others of this turn; dropped while not registered (the next registration carries what matters). */
  send(update: TaskUpdate): void;
  /** The agent is leaving, with the tasks it gives back; dropped while not registered. */
  leave(returned: TaskRef[]): void;
  /** A task input too big for its assignment, from the scheduler registered with. */
  fetchInput(ref: InputRef, signal?: AbortSignal): Promise<Uint8Array>;
  /** What was sent is delivered first; idempotent. */
  close(): Promise<void>;
}
