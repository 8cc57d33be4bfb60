/**
 * SchedulerDaemon: one scheduler replica. It serves the agent and client services over gRPC,
 * keeps state in a StateStore, and while it leads runs the flow engine, the placer and the
 * agent registry.
 *
 *   starting ─▶ running ─▶ stopping ─▶ stopped
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { sleep } from '../core/abortable.js';
import { ClusterError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { proto, serverOptions } from '../proto/load.js';
import type { ServerInfo } from '../proto/types.js';
import { agentServiceHandlers } from './api/agent-service.js';
import { clientServiceHandlers } from './api/client-service.js';
import { AgentRegistry } from './dispatch/agent-registry.js';
import { FlowEngine } from './flow/engine.js';
import { Placer } from './placement/placer.js';
import { CronSchedules } from './flow/cron.js';
import { decodeRecord, keys, type RunRecord, type ScheduleRecord, type TaskRecord } from './state/records.js';
import type { StateStore } from './state/state-store.js';

export interface SchedulerOptions {
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  /** host:port agents and clients reach this replica at; defaults to the bound address. */
  advertise?: string;
  store: StateStore;
  logger: Logger;
  agentTtlMs: number;
  heartbeatIntervalMs: number;
  /** After loading unfinished runs, how long agents get to report what they run. */
  recoveryWindowMs: number;
  /** Lets the host add services (the chunk store) to the same server. */
  extraServices?: (server: grpc.Server) => void;
}

type DaemonState = 'starting' | 'running' | 'stopping' | 'stopped';

const maintenanceIntervalMs = 500;

export class SchedulerDaemon {
  readonly id = `sched-${randomBytes(4).toString('hex')}`;
  private state: DaemonState = 'starting';
  private readonly server = new grpc.Server(serverOptions);
  /** Bounded passes keep the event loop answering while a huge queue drains. */
  private readonly placer = new Placer({ maxPlacementsPerPass: 5_000 });
  private readonly registry: AgentRegistry;
  private readonly engine: FlowEngine;
  private readonly schedules: CronSchedules;
  private readonly loopAbort = new AbortController();
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private address = '';

  constructor(private readonly opts: SchedulerOptions) {
    this.registry = new AgentRegistry({
      placer: this.placer,
      logger: opts.logger.child({ component: 'agents' }),
      agentTtlMs: opts.agentTtlMs,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      schedulerId: this.id,
    });
    this.engine = new FlowEngine({
      placer: this.placer,
      persist: (ops) => opts.store.commit(ops),
      dispatcher: this.registry,
      logger: opts.logger.child({ component: 'flow' }),
    });
    this.registry.bind(this.engine);
    this.schedules = new CronSchedules(this.engine, (ops) => opts.store.commit(ops), opts.logger.child({ component: 'cron' }));
  }

  /** Ready: state loaded and serving as leader. */
  ready(): { ready: boolean; detail: string } {
    return { ready: this.state === 'running', detail: `scheduler ${this.id} is ${this.state}` };
  }

  /** The address this replica serves on, once started. */
  get addr(): string {
    return this.address;
  }

  async start(): Promise<void> {
    await this.recover();
    const leader = () => {
      if (this.state !== 'running') throw new ClusterError('UNAVAILABLE', `scheduler ${this.id} is ${this.state}`);
      return { engine: this.engine, registry: this.registry, placer: this.placer, schedules: this.schedules };
    };
    this.server.addService(proto.AgentService.service, agentServiceHandlers(() => leader().registry, () => this.address));
    this.server.addService(proto.ClientService.service, clientServiceHandlers({ leader, servers: async () => this.servers() }));
    this.opts.extraServices?.(this.server);
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(this.opts.listen, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    }).catch((err) => {
      throw new ClusterError('UNAVAILABLE', `cannot listen on ${this.opts.listen}: ${errorMessage(err)}`);
    });
    const host = this.opts.listen.slice(0, this.opts.listen.lastIndexOf(':'));
    this.address = this.opts.advertise ?? `${host}:${port}`;
    this.setState('running');
    this.loop = this.maintain(this.loopAbort.signal).catch((err) => this.opts.logger.error({ err }, 'maintenance loop failed'));
  }

  /** Idempotent: stops taking calls, ends agent streams, then closes the store. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.setState('stopping');
    this.loopAbort.abort();
    await this.loop;
    this.engine.close();
    this.registry.closeAll(new ClusterError('UNAVAILABLE', 'scheduler shutting down'));
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2_000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await this.opts.store.close().catch((err) => this.opts.logger.error({ err }, 'closing the state store failed'));
    this.setState('stopped');
  }

  /** Loads runs from the store; unfinished ones wait for agents to report before re-queueing. */
  private async recover(): Promise<void> {
    this.schedules.load((await this.opts.store.list(keys.schedules)).map(([, v]) => decodeRecord<ScheduleRecord>(v)));
    const runs = await this.opts.store.list(keys.runs);
    let unfinished = 0;
    for (const [, bytes] of runs) {
      const record = decodeRecord<RunRecord>(bytes);
      const tasks = (await this.opts.store.list(keys.tasksOf(record.id))).map(([, v]) => decodeRecord<TaskRecord>(v));
      try {
        this.engine.restore(record, tasks);
      } catch (err) {
        this.opts.logger.error({ runId: record.id, err: errorMessage(err) }, 'cannot restore run; skipped');
        continue;
      }
      if (record.state === 'running') unfinished++;
    }
    if (unfinished === 0) return;
    this.opts.logger.info({ runs: runs.length, unfinished, windowMs: this.opts.recoveryWindowMs }, 'recovering: waiting for agents to report');
    this.engine.setRecovering(true);
    const timer = setTimeout(() => {
      this.engine.setRecovering(false);
      this.opts.logger.info('recovery window over; unreported tasks re-queued');
    }, this.opts.recoveryWindowMs);
    this.loopAbort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }

  private async maintain(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(maintenanceIntervalMs, signal);
      if (signal.aborted) return;
      this.registry.sweep();
      this.engine.sweepTimeouts();
      await this.schedules.fire();
    }
  }

  private servers(): ServerInfo[] {
    return [{ id: this.id, addr: this.address, leader: this.state === 'running' }];
  }

  private setState(next: DaemonState): void {
    this.opts.logger.info({ schedulerId: this.id, from: this.state, to: next, addr: this.address }, 'scheduler state');
    this.state = next;
  }
}
