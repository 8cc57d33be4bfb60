/**
 * AgentRegistry: the scheduler's side of every agent's stream. It registers agents, keeps them
 * alive by heartbeat, declares them lost when silent past the TTL, and batches what is sent to
 * each agent (assignments, cancels, acks) into one message per kind per tick.
 *
 *   agent: ready ⇄ draining
 *            │ stream ends                     │ Leaving (graceful stop)
 *            ▼                                 ▼
 *        disconnected ◀──(stream breaks)── leaving ──(agent ends its stream)──▶ left
 *            │ (re-registers within TTL)──▶ ready                              (removed at once)
 *            │ TTL passes
 *            ▼
 *          lost (its running tasks re-queued)
 */
import type * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { toServiceError } from '../../proto/status.js';
import type {
  AgentInfo, AgentMessage__Output, Capacity__Output, Register__Output, SchedulerMessage, TaskAssignment, TaskRef,
  TaskRef__Output, TaskUpdate__Output,
} from '../../proto/types.js';
import type { AttemptGrants } from '../auth/attempt-grants.js';
import type { StepShared } from '../flow/assignment.js';
import type { Dispatcher } from '../flow/effect-runner.js';
import type { AgentEvents, AttemptRef } from './agent-events.js';
import type { Placer } from '../placement/placer.js';
import type { AgentNode } from '../placement/types.js';
import { validateRefs, validateRegister, validateUpdates } from './agent-messages.js';
import type { AgentMembers } from './agent-members.js';

export type AgentStream = grpc.ServerDuplexStream<AgentMessage__Output, SchedulerMessage>;

type AgentStateName = 'ready' | 'draining' | 'leaving' | 'disconnected';

interface Outbox {
  /** Assignments grouped by step: the key is the step's shared part, one object per step. */
  assign: Map<StepShared, TaskAssignment[]>;
  cancel: Array<{ ref: TaskRef; reason: string }>;
  ack: TaskRef[];
  revoke: TaskRef[];
}

const emptyOutbox = (): Outbox => ({ assign: new Map(), cancel: [], ack: [], revoke: [] });

interface AgentSession {
  id: string;
  instanceId: string;
  hostname: string;
  capacity: Capacity__Output;
  labels: Record<string, string>;
  executors: string[];
  state: AgentStateName;
  /** Drained by an operator (`clusterctl drain`): kept across reconnects and, by AgentMembers, failovers. */
  draining: boolean;
  /** This agent process is shutting down gracefully: nothing new is placed on it. */
  leaving: boolean;
  lastSeenMs: number;
  stream: AgentStream | null;
  outbox: Outbox;
  /** Who registered it (see Authorizer): a stream of another identity cannot take the id over. */
  identity: string;
  /** Reports refused: about attempts not assigned to this agent. */
  refused: number;
}

export interface AgentRegistryOptions {
  placer: Placer;
  logger: Logger;
  /** An agent silent (or disconnected) this long is lost. */
  agentTtlMs: number;
  heartbeatIntervalMs: number;
  schedulerId: string;
  /** Durable membership, so the next leader knows which agents to wait for. */
  members?: AgentMembers;
  /** Signs each group of tasks assigned, for a later leader to check (auth/attempt-grants.ts). */
  grants?: AttemptGrants;
  now?: () => number;
}

export class AgentRegistry implements Dispatcher {
  private readonly sessions = new Map<string, AgentSession>();
  /** Sessions with something in their outbox: written by the next flush. */
  private readonly unflushed = new Set<AgentSession>();
  private flushScheduled = false;
  private engine: AgentEvents | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: AgentRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  bind(engine: AgentEvents): void {
    this.engine = engine;
  }

  /** Serves one agent stream, of a caller proven to be `identity`, until it ends. */
  attach(stream: AgentStream, identity = 'anonymous'): void {
    let session: AgentSession | undefined;
    const drop = (err: ClusterError) => {
      this.opts.logger.warn({ agentId: session?.id, peer: stream.getPeer(), err: err.message }, 'agent dropped');
      stream.emit('error', toServiceError(err));
    };
    stream.on('data', (msg: AgentMessage__Output) => {
      try {
        if (!session) {
          if (msg.body !== 'register' || !msg.register) throw new ClusterError('INVALID_ARGUMENT', 'the first message on the agent stream must be register');
          session = this.register(validateRegister(msg.register), stream, identity);
          return;
        }
        if (session.stream !== stream) return; // superseded by a newer stream of the same agent
        session.lastSeenMs = this.now();
        if (msg.body === 'updates' && msg.updates) this.applyUpdates(session, msg.updates.updates);
        else if (msg.body === 'leaving' && msg.leaving) this.leaving(session, msg.leaving.returned);
        else if (msg.body === 'register') throw new ClusterError('INVALID_ARGUMENT', 'register sent twice on one stream');
        else if (msg.body === 'heartbeat') stream.write({ heartbeat: { sent_at_ms: msg.heartbeat?.sent_at_ms ?? 0 } });
        else throw new ClusterError('INVALID_ARGUMENT', 'an agent message with no body');
      } catch (err) {
        drop(err instanceof ClusterError ? err : new ClusterError('INVALID_ARGUMENT', `bad agent message: ${String(err)}`));
      }
    });
    const closed = () => {
      if (session && session.stream === stream) {
        session.stream = null;
        session.state = 'disconnected';
        // Nothing new is placed where it cannot be sent: it would wait there until the agent
        // came back or its TTL ran out. What it runs stays counted against it meanwhile.
        this.opts.placer.upsertAgent(this.node(session));
        this.opts.logger.info({ agentId: session.id }, 'agent disconnected');
      }
    };
    stream.on('end', () => {
      // A leaving agent ends its stream once all it ran is acknowledged: it has left, and need
      // not be waited for (by the TTL, or by a new leader's recovery).
      if (session?.leaving && session.stream === stream) this.left(session);
      else closed();
      stream.end();
    });
    stream.on('error', closed);
    stream.on('close', closed);
  }

  assign(agentId: string, step: StepShared, task: TaskAssignment): void {
    this.enqueue(agentId, (o) => {
      const tasks = o.assign.get(step);
      if (tasks) tasks.push(task);
      else o.assign.set(step, [task]);
    });
  }

  cancel(agentId: string, ref: TaskRef, reason: string): void {
    this.enqueue(agentId, (o) => o.cancel.push({ ref: { task_id: ref.task_id, attempt: ref.attempt }, reason }));
  }

  ack(agentId: string, ref: TaskRef): void {
    this.enqueue(agentId, (o) => o.ack.push({ task_id: ref.task_id, attempt: ref.attempt }));
  }

  revoke(agentId: string, refs: TaskRef[]): void {
    this.enqueue(agentId, (o) => o.revoke.push(...refs));
  }

  /**
   * The scheduler itself was paused (stopped, or its loop busy) for `ms`: no heartbeat could be
   * read meanwhile, so no agent counts as silent for that time.
   */
  paused(ms: number): void {
    this.opts.logger.warn({ pausedMs: ms, agents: this.sessions.size }, 'the scheduler was paused; agents get that long again before they are lost');
    for (const session of this.sessions.values()) session.lastSeenMs += ms;
  }

  /** Declares agents lost whose stream has been gone, or silent, longer than the TTL. */
  sweep(): void {
    const now = this.now();
    for (const session of this.sessions.values()) {
      if (now - session.lastSeenMs <= this.opts.agentTtlMs) continue;
      this.opts.logger.warn({ agentId: session.id, silentMs: now - session.lastSeenMs }, 'agent lost');
      this.sessions.delete(session.id);
      this.opts.members?.lost(session.id);
      session.stream?.emit('error', toServiceError(new ClusterError('UNAVAILABLE', 'missed heartbeats; register again')));
      this.engine?.agentLost(session.id);
    }
  }

  private leaving(session: AgentSession, returned: readonly TaskRef__Output[]): void {
    if (!session.leaving) {
      session.leaving = true;
      session.state = 'leaving';
      this.opts.placer.upsertAgent(this.node(session));
      this.opts.logger.info({ agentId: session.id }, 'agent leaving');
    }
    if (returned.length) {
      this.opts.logger.info({ agentId: session.id, returned: returned.length }, 'agent gave tasks back');
      this.engine?.tasksReturned(session.id, validateRefs(returned, 'leaving.returned'));
    }
  }

  private left(session: AgentSession): void {
    this.opts.logger.info({ agentId: session.id }, 'agent left');
    session.stream = null;
    this.sessions.delete(session.id);
    this.opts.members?.lost(session.id);
    // Normally nothing: whatever it still held goes back to the queue now, not after the TTL.
    this.engine?.agentLost(session.id);
  }

  /**
   * An operator's drain: nothing new is placed on the agent, what it runs finishes. Recorded in
   * the state store first (see AgentMembers), so it holds across failovers once answered.
   * `undo` makes the agent take new tasks again.
   */
  async drain(agentId: string, undo = false): Promise<AgentInfo> {
    const draining = !undo;
    if (!this.sessions.has(agentId)) throw new ClusterError('NOT_FOUND', `no agent "${agentId}" (see clusterctl agents)`);
    await this.opts.members?.setDrained(agentId, draining);
    const session = this.sessions.get(agentId);
    if (!session) throw new ClusterError('NOT_FOUND', `agent "${agentId}" left while being drained`);
    session.draining = draining;
    if (session.state === 'ready' || session.state === 'draining') session.state = draining ? 'draining' : 'ready';
    this.opts.placer.upsertAgent(this.node(session));
    this.opts.logger.info({ agentId }, draining ? 'agent draining' : 'agent drain undone');
    // A pass places on an undrained agent again, or has a drained one give back what waits on it.
    this.engine?.schedulePass();
    return this.info(session);
  }

  list(): AgentInfo[] {
    return [...this.sessions.values()].map((s) => this.info(s)).sort((a, b) => (a.agent_id! < b.agent_id! ? -1 : 1));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Ends every stream: agents reconnect to whichever replica leads next. */
  closeAll(reason: ClusterError): void {
    for (const s of this.sessions.values()) s.stream?.emit('error', toServiceError(reason));
    this.sessions.clear();
  }

  private register(reg: Register__Output, stream: AgentStream, identity: string): AgentSession {
    const existing = this.sessions.get(reg.agent_id);
    const bound = existing?.identity ?? this.opts.members?.identityOf(reg.agent_id);
    if (bound !== undefined && bound !== identity) {
      throw new ClusterError('PERMISSION_DENIED', `agent id "${reg.agent_id}" belongs to ${bound}, not ${identity}; give each agent its own --id (an id is free again once its agent is lost or has left)`);
    }
    if (existing?.stream && existing.instanceId !== reg.instance_id) {
      throw new ClusterError('INVALID_ARGUMENT', `agent id "${reg.agent_id}" is already connected from ${existing.hostname}; give each agent its own --id`);
    }
    const draining = existing?.draining ?? this.opts.members?.isDrained(reg.agent_id) ?? false;
    const session: AgentSession = {
      id: reg.agent_id,
      instanceId: reg.instance_id,
      hostname: reg.hostname,
      capacity: reg.capacity!,
      labels: reg.labels,
      executors: reg.executors,
      draining,
      // A reconnect of the same process keeps leaving (it says so again anyway); a new one does not.
      leaving: existing?.instanceId === reg.instance_id && existing.leaving,
      state: draining ? 'draining' : 'ready',
      lastSeenMs: this.now(),
      stream,
      // What was not sent before the reconnect is moot: the registration says what the agent
      // runs and has finished, and reconcile() queues again what it did not receive.
      outbox: emptyOutbox(),
      identity,
      refused: existing?.refused ?? 0,
    };
    const restarted = existing !== undefined && existing.instanceId !== reg.instance_id;
    // The same agent id restarted: what the old process ran is gone unless it reports it again.
    if (restarted) this.engine?.agentLost(reg.agent_id);
    existing?.stream?.end();
    this.sessions.set(session.id, session);
    if (session.leaving) session.state = 'leaving';
    this.opts.members?.registered(session.id, reg.hostname, this.now(), identity);
    this.opts.placer.upsertAgent(this.node(session));
    const stop = this.engine?.adopt(session.id, reg.running, reg.grants) ?? [];
    if (existing && !restarted) this.engine?.reconcile(session.id, reg.running, reg.unacknowledged);
    stream.write({ registered: { heartbeat_interval_ms: this.opts.heartbeatIntervalMs, scheduler_id: this.opts.schedulerId, stop } });
    this.opts.logger.info({ agentId: session.id, hostname: reg.hostname, running: reg.running.length, unacknowledged: reg.unacknowledged.length }, 'agent registered');
    this.applyUpdates(session, reg.unacknowledged);
    this.flushSoon(session);
    this.engine?.schedulePass();
    return session;
  }

  private applyUpdates(session: AgentSession, raw: readonly TaskUpdate__Output[]): void {
    const engine = this.engine;
    if (!engine) return;
    for (const u of validateUpdates(raw)) {
      if (!engine.acceptsReport(session.id, u)) {
        this.refuse(session, u);
        continue;
      }
      if (u.kind === 'started') engine.taskStarted(u.task_id, u.attempt, Number(u.started!.at_ms));
      else if (u.kind === 'log') engine.taskLog(u.task_id, u.attempt, u.log!.lines);
      else if (u.kind === 'returned') engine.taskReturned(session.id, u);
      else if (u.kind === 'finished') engine.taskFinished(session.id, u, u.finished!);
    }
  }

  /** A report about another agent's attempt: dropped, counted, and logged (the first, then every 1,000th). */
  private refuse(session: AgentSession, ref: AttemptRef): void {
    session.refused++;
    if (session.refused % 1_000 === 1) {
      this.opts.logger.warn({ agentId: session.id, identity: session.identity, taskId: ref.task_id, attempt: ref.attempt, refused: session.refused }, 'refused a report about an attempt not assigned to this agent');
    }
  }

  private enqueue(agentId: string, add: (outbox: Outbox) => void): void {
    const session = this.sessions.get(agentId);
    if (!session) return; // lost: the engine re-queues its tasks; acks and cancels are moot
    add(session.outbox);
    this.flushSoon(session);
  }

  private flushSoon(session: AgentSession): void {
    this.unflushed.add(session);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Writes every outbox now. The engine calls it at the end of a placement pass, so assignments
   * leave in the pass's own turn of the event loop instead of one turn later; other messages
   * wait for the turn's end (flushSoon), so a burst of them goes as one message per kind.
   */
  flush(): void {
    this.flushScheduled = false;
    for (const session of this.unflushed) {
      // A session replaced by the agent's reconnect hands its outbox to the new one.
      if (this.sessions.get(session.id) === session) this.write(session);
    }
    this.unflushed.clear();
  }

  private write(session: AgentSession): void {
    const stream = session.stream;
    if (!stream) return; // kept in the outbox until the agent is back
    const { assign, cancel, ack, revoke } = session.outbox;
    session.outbox = emptyOutbox();
    if (assign.size) {
      const grants = this.opts.grants;
      stream.write({ assign: { steps: Array.from(assign, ([step, tasks]) => ({ ...step, tasks, ...(grants ? { grant: grants.sign(session.id, tasks) } : {}) })) } });
    }
    if (revoke.length) stream.write({ revoke: { tasks: revoke } });
    for (const reason of new Set(cancel.map((c) => c.reason))) {
      stream.write({ cancel: { tasks: cancel.filter((c) => c.reason === reason).map((c) => c.ref), reason } });
    }
    if (ack.length) stream.write({ ack: { tasks: ack } });
  }

  private node(s: AgentSession): AgentNode {
    return {
      id: s.id,
      capacity: { cpuMilli: Number(s.capacity.cpu_milli), memoryBytes: Number(s.capacity.memory_bytes), gpus: s.capacity.gpus.length },
      gpuIndices: s.capacity.gpus.map((g) => g.index),
      labels: s.labels,
      executors: s.executors,
      draining: s.draining || s.leaving || s.state === 'disconnected',
    };
  }

  private info(s: AgentSession): AgentInfo {
    const usage = this.engine?.agentUsage(s.id) ?? { resources: { cpuMilli: 0, memoryBytes: 0, gpus: 0 }, gpuIndices: [], tasks: 0 };
    return {
      agent_id: s.id,
      hostname: s.hostname,
      state: s.state,
      capacity: s.capacity,
      allocated: { cpu_milli: usage.resources.cpuMilli, memory_bytes: usage.resources.memoryBytes, gpus: usage.resources.gpus },
      gpus_in_use: usage.gpuIndices,
      labels: s.labels,
      executors: s.executors,
      running_tasks: usage.tasks,
      last_seen_ms: s.lastSeenMs,
      refused_reports: s.refused,
    };
  }
}
