/**
 * ClusterClient: clusterctl's connection to the cluster. It takes a list of scheduler
 * addresses, follows NOT_LEADER redirects to the leader, and tries the next address when one
 * cannot be reached. Errors arrive as ClusterError (proto/status.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { sleep } from '../core/abortable.js';
import { ClusterError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import { ClusterCredentials } from '../proto/credentials.js';
import { channelOptions, proto } from '../proto/load.js';
import { fromServiceError } from '../proto/status.js';
import { SubmitSession } from './session.js';
import type {
  AgentInfo__Output, AgentList__Output, ClientServiceClient, DrainRequest, Empty, ListRunsRequest, RunList__Output, RunRef,
  AuditList__Output, AuditQuery, ResumeRequest, RunStatus__Output, TokenCreated__Output, TokenInfo__Output, TokenList__Output, TokenRef, TokenSpec, ScheduleInfo__Output, ScheduleList__Output, ScheduleRef, ScheduleSpec, ServerList__Output, SubmitReply__Output, SubmitRequest, TaskResult__Output, TaskSelector,
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
  Drain: [DrainRequest, AgentInfo__Output];
  Servers: [Empty, ServerList__Output];
  AddSchedule: [ScheduleSpec, ScheduleInfo__Output];
  ListSchedules: [Empty, ScheduleList__Output];
  RemoveSchedule: [ScheduleRef, ScheduleInfo__Output];
  CreateToken: [TokenSpec, TokenCreated__Output];
  ListTokens: [Empty, TokenList__Output];
  RevokeToken: [TokenRef, TokenInfo__Output];
  BootstrapToken: [Empty, TokenCreated__Output];
  ListAudit: [AuditQuery, AuditList__Output];
}

const connectTimeoutMs = 3_000;

export interface ClusterClientOptions {
  /** TLS files and token; default plaintext, no token. */
  credentials?: ClusterCredentials;
  /** Each unary call's deadline. */
  deadlineMs?: number;
  /** How long to keep trying while replicas answer but none leads. */
  electionWaitMs?: number;
}

export class ClusterClient {
  private readonly clients = new Map<string, ClientServiceClient>();
  private current = 0;
  /** One per scheduler address used: switching leaders must not cut runs followed on the old one. */
  private readonly sessions = new Map<ClientServiceClient, SubmitSession>();

  private readonly credentials: ClusterCredentials;
  private readonly deadlineMs: number;
  private readonly electionWaitMs: number;

  constructor(private readonly addrs: string[], opts: ClusterClientOptions = {}) {
    if (addrs.length === 0) throw new ClusterError('INVALID_ARGUMENT', 'no scheduler address given');
    this.credentials = opts.credentials ?? ClusterCredentials.plaintext;
    this.deadlineMs = opts.deadlineMs ?? 15_000;
    this.electionWaitMs = opts.electionWaitMs ?? 15_000;
  }

  /** A unary call on the leader. */
  async call<M extends keyof UnaryCalls>(method: M, request: UnaryCalls[M][0]): Promise<UnaryCalls[M][1]> {
    return this.onLeader((client) => this.invoke(client, method, request));
  }

  private invoke<M extends keyof UnaryCalls>(client: ClientServiceClient, method: M, request: UnaryCalls[M][0], deadlineMs = this.deadlineMs): Promise<UnaryCalls[M][1]> {
    return new Promise((resolve, reject) => {
      const fn = (client[method] as unknown as (req: unknown, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void).bind(client);
      fn(request, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(fromServiceError(err)) : resolve(res as UnaryCalls[M][1])));
    });
  }

  /** A server-streaming call on the leader; `onMessage` sees each message; resolves when the call ends. */
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

  /**
   * Submits a run and follows it on the leader's session: `onStatus` sees each status; resolves
   * with the final one, every result recorded, the moment it arrives. Runs submitted one after
   * another (or many at once) share one call. If the session breaks (the leader changed) the
   * run is submitted again on the new leader with the same request id, which is the same run.
   * `summaryOnly`: the final status without its task list (GetRun has it).
   */
  async submitAndWatch(request: SubmitRequest, onStatus?: (status: RunStatus__Output) => void, opts: { summaryOnly?: boolean } = {}): Promise<RunStatus__Output> {
    const idempotent = request.request_id ? request : { ...request, request_id: newRequestId() };
    return this.onLeader((client) => this.sessionWith(client).submit(idempotent, onStatus, opts.summaryOnly));
  }

  private sessionWith(client: ClientServiceClient): SubmitSession {
    let session = this.sessions.get(client);
    if (!session?.open) {
      session = new SubmitSession(client);
      this.sessions.set(client, session);
    }
    return session;
  }

  close(): void {
    for (const s of this.sessions.values()) s.close();
    for (const c of this.clients.values()) c.close();
  }

  /**
   * Runs `fn` on the leader: follows NOT_LEADER redirects, tries the next address when one is
   * down, and while replicas answer but none leads (an election is on) waits and tries again,
   * up to `electionWaitMs`. When no address answers at all it fails at once with UNAVAILABLE.
   */
  private async onLeader<T>(fn: (client: ClientServiceClient) => Promise<T>): Promise<T> {
    let lastError: ClusterError | undefined;
    /** Some replica took the connection (else: nothing listens there, or TLS was refused). */
    let reached = false;
    const deadline = Date.now() + this.electionWaitMs;
    for (let round = 0; ; round++) {
      let clusterAnswered = false;
      let redirects = 0;
      for (let tried = 0; tried < this.addrs.length + redirects; tried++) {
        const addr = this.addrs[this.current % this.addrs.length]!;
        try {
          const client = await this.connected(addr);
          reached = true;
          return await fn(client);
        } catch (err) {
          const e = err as ClusterError;
          lastError = e;
          if (e.code !== 'UNAVAILABLE' && e.code !== 'NOT_LEADER' && e.code !== 'LEASE_LOST') throw e;
          clusterAnswered ||= e.code !== 'UNAVAILABLE';
          if (e.code === 'NOT_LEADER' && e.detail && e.detail !== addr && redirects < 3) {
            redirects++;
            if (!this.addrs.includes(e.detail)) this.addrs.push(e.detail);
            this.current = this.addrs.indexOf(e.detail);
            continue;
          }
          this.current++;
        }
      }
      if (!clusterAnswered || Date.now() > deadline) break;
      await sleep(Math.min(1_000, 100 * 2 ** round));
    }
    if (!reached) throw unreachable(this.addrs, this.credentials, lastError);
    throw new ClusterError('UNAVAILABLE', `cannot reach the cluster's leader at ${this.addrs.join(',')}: ${lastError?.message ?? 'no answer'}`);
  }

  /**
   * Calls every known address on its own (for `clusterctl servers`): what each answered within
   * `deadlineMs`, or its error. A health view gives a frozen replica a short deadline, so one
   * that does not answer is listed as such instead of holding the whole answer.
   */
  async each<M extends keyof UnaryCalls>(method: M, request: UnaryCalls[M][0], deadlineMs = this.deadlineMs): Promise<Array<{ addr: string; reply?: UnaryCalls[M][1]; error?: ClusterError }>> {
    return Promise.all(this.addrs.map(async (addr) => {
      try {
        return { addr, reply: await this.invoke(this.client(addr), method, request, deadlineMs) };
      } catch (err) {
        return { addr, error: err as ClusterError };
      }
    }));
  }

  /**
   * The client for `addr` once its channel is up. A replica that accepts TCP but never answers
   * (frozen, overloaded) fails here within `connectTimeoutMs` instead of holding the call until
   * its deadline, so the next address is tried soon.
   */
  private connected(addr: string): Promise<ClientServiceClient> {
    const client = this.client(addr);
    const channel = client.getChannel();
    const deadline = Date.now() + connectTimeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const state = channel.getConnectivityState(true);
        if (state === grpc.connectivityState.READY) return resolve(client);
        if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) return reject(new ClusterError('UNAVAILABLE', `cannot connect to ${addr}${this.tlsHint()}`));
        if (Date.now() >= deadline) return reject(new ClusterError('UNAVAILABLE', `${addr} did not answer within ${connectTimeoutMs} ms`));
        channel.watchConnectivityState(state, deadline, check);
      };
      check();
    });
  }

  private client(addr: string): ClientServiceClient {
    let c = this.clients.get(addr);
    if (!c) {
      const { credentials, options } = this.credentials.forTarget(addr, channelOptions);
      c = new proto.ClientService(addr, credentials, options) as unknown as ClientServiceClient;
      this.clients.set(addr, c);
    }
    return c;
  }

  private tlsHint(): string {
    return tlsHint(this.credentials);
  }
}

/** A failed TLS handshake looks like any refused connection: say what to check. */
function tlsHint(credentials: ClusterCredentials): string {
  return credentials.secure
    ? ` over TLS (is the scheduler started with --tls-dir, does its certificate name this address, and do both sides use the CA in ${credentials.tls!.dir}?)`
    : ' (if the cluster uses TLS, give --tls-dir or CLUSTERCTL_TLS_DIR)';
}

/** No scheduler answered at any of `addrs`: what that means, and what to do, in one line. */
export function unreachable(addrs: readonly string[], credentials: ClusterCredentials, cause?: unknown): ClusterError {
  const where = addrs.join(',');
  return new ClusterError('UNAVAILABLE', credentials.secure
    ? `no cluster answers at ${where}${tlsHint(credentials)}`
    : `no cluster at ${where}: start one with \`clusterctl dev\`, or set --addr / CLUSTERCTL_ADDR${tlsHint(credentials)}`, { cause });
}
