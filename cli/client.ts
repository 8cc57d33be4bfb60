/**
 * ClusterClient: clusterctl's connection to the cluster. It takes a list of scheduler
 * addresses, follows NOT_LEADER redirects to the leader, and tries the next address when one
 * cannot be reached. Errors arrive as ClusterError (proto/status.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../core/errors.js';
import { channelOptions, proto } from '../proto/load.js';
import { fromServiceError } from '../proto/status.js';
import type {
  AgentInfo__Output, AgentList__Output, AgentRef, ClientServiceClient, Empty, ListRunsRequest, RunList__Output, RunRef,
  ResumeRequest, RunStatus__Output, ScheduleInfo__Output, ScheduleList__Output, ScheduleRef, ScheduleSpec, ServerList__Output, SubmitReply__Output, SubmitRequest, TaskResult__Output, TaskSelector,
} from '../proto/types.js';

/** The unary calls of ClientService: request and response types. */
interface UnaryCalls {
  Submit: [SubmitRequest, SubmitReply__Output];
  Resume: [ResumeRequest, SubmitReply__Output];
  GetRun: [RunRef, RunStatus__Output];
  ListRuns: [ListRunsRequest, RunList__Output];
  Result: [TaskSelector, TaskResult__Output];
  Cancel: [RunRef, RunStatus__Output];
  ListAgents: [Empty, AgentList__Output];
  Drain: [AgentRef, AgentInfo__Output];
  Servers: [Empty, ServerList__Output];
  AddSchedule: [ScheduleSpec, ScheduleInfo__Output];
  ListSchedules: [Empty, ScheduleList__Output];
  RemoveSchedule: [ScheduleRef, ScheduleInfo__Output];
}

export class ClusterClient {
  private readonly clients = new Map<string, ClientServiceClient>();
  private current = 0;

  constructor(private readonly addrs: string[], private readonly deadlineMs = 15_000) {
    if (addrs.length === 0) throw new ClusterError('INVALID_ARGUMENT', 'no scheduler address given');
  }

  /** A unary call on the leader. */
  async call<M extends keyof UnaryCalls>(method: M, request: UnaryCalls[M][0]): Promise<UnaryCalls[M][1]> {
    return this.onLeader((client) => new Promise((resolve, reject) => {
      const fn = (client[method] as unknown as (req: unknown, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void).bind(client);
      fn(request, { deadline: Date.now() + this.deadlineMs }, (err, res) => (err ? reject(fromServiceError(err)) : resolve(res as UnaryCalls[M][1])));
    }));
  }

  /** A server-streaming call on the leader; `onMessage` sees each message. */
  async stream<T>(open: (client: ClientServiceClient) => grpc.ClientReadableStream<T>, onMessage: (msg: T) => void): Promise<void> {
    await this.onLeader((client) => new Promise<void>((resolve, reject) => {
      const call = open(client);
      let failed = false;
      call.on('data', onMessage);
      call.on('error', (err) => {
        failed = true;
        reject(fromServiceError(err));
      });
      call.on('end', () => {
        if (!failed) resolve();
      });
    }));
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }

  private async onLeader<T>(fn: (client: ClientServiceClient) => Promise<T>): Promise<T> {
    let lastError: ClusterError | undefined;
    let redirects = 0;
    for (let tried = 0; tried < this.addrs.length + 3; tried++) {
      const addr = this.addrs[this.current % this.addrs.length]!;
      try {
        return await fn(this.client(addr));
      } catch (err) {
        const e = err as ClusterError;
        lastError = e;
        if (e.code === 'NOT_LEADER' && e.detail && redirects++ < 3) {
          if (!this.addrs.includes(e.detail)) this.addrs.push(e.detail);
          this.current = this.addrs.indexOf(e.detail);
          continue;
        }
        if (e.code !== 'UNAVAILABLE' && e.code !== 'NOT_LEADER') throw e;
        this.current++;
      }
    }
    throw new ClusterError('UNAVAILABLE', `cannot reach the cluster at ${this.addrs.join(',')}: ${lastError?.message ?? 'no answer'}`);
  }

  private client(addr: string): ClientServiceClient {
    let c = this.clients.get(addr);
    if (!c) {
      c = new proto.ClientService(addr, grpc.credentials.createInsecure(), channelOptions) as unknown as ClientServiceClient;
      this.clients.set(addr, c);
    }
    return c;
  }
}
