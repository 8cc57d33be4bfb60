// What the agent registry tells the flow engine: each agent stream's events, named for what
// they mean to the runs. The registry knows nothing else of the engine (FlowEngine implements
// this); the engine answers through the registry's Dispatcher.
import type { Resources } from '../../core/resources.js';
import type { AssignmentGrant__Output, LogLine, TaskFinished__Output, TaskRef__Output } from '../../proto/types.js';

/** One attempt of a task, as agents name it. */
export interface AttemptRef {
  task_id: string;
  attempt: number;
}

export interface AgentEvents {
  /** An agent (re-)registered running these: returns the ones it should stop (not wanted any more). */
  /** `grants`: the signed assignments the agent showed (auth/attempt-grants.ts). */
  adopt(agentId: string, running: readonly TaskRef__Output[], grants?: readonly AssignmentGrant__Output[]): TaskRef__Output[];
  /** An agent reconnected: what it was given and neither runs nor has finished never started there. */
  reconcile(agentId: string, running: readonly AttemptRef[], finished: readonly AttemptRef[]): void;
  /** The agent is gone (silent past its TTL, restarted, or left): what it ran runs again elsewhere. */
  agentLost(agentId: string): void;
  /** A leaving agent gave back what it had not started. */
  tasksReturned(agentId: string, refs: readonly TaskRef__Output[]): void;
  /** The agent gave back one attempt it had not started (revoked, or drained). */
  taskReturned(agentId: string, ref: AttemptRef): void;
  /** Whether a report about `ref` from `agentId` names an attempt it was given (else it is refused). */
  acceptsReport(agentId: string, ref: AttemptRef): boolean;
  taskStarted(taskId: string, attempt: number, atMs: number): void;
  taskLog(taskId: string, attempt: number, lines: readonly LogLine[]): void;
  /** The agent is sent an ack once the outcome is recorded durably. */
  taskFinished(agentId: string, ref: AttemptRef, finished: TaskFinished__Output): void;
  /** What the engine counts as running and waiting on the agent. */
  agentUsage(agentId: string): { resources: Resources; gpuIndices: number[]; tasks: number; waiting: number };
  /** Something changed that may let queued tasks be placed. */
  schedulePass(): void;
}
