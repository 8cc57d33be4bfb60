/**
 * SchedulerLink: the agent's session with the scheduler. One bidi stream: register, heartbeat,
 * task updates up; assignments, cancels and acks down. When the stream breaks it reconnects with
 * backoff, trying each known scheduler address and following NotLeader redirects, and registers
 * again with what the agent still runs and the results not yet acknowledged.
 *
 * A scheduler that accepts the connection but says nothing (frozen by SIGSTOP, partitioned, or
 * a TCP peer that never answers HTTP/2) is left too: registration must be answered within
 * `registerTimeoutMs`, and once registered every heartbeat is echoed, so a stream silent for
 * `silentHeartbeats` intervals is cancelled and the next address tried.
 *
 *   connecting ─▶ registered ─(stream ends)─▶ backoff ─▶ connecting …
 *        any ──close()──▶ stopped
 */
import * as grpc from '@grpc/grpc-js';
import { sleep } from '../../core/abortable.js';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { OrderedClose } from '../../core/ordered-close.js';
import { ClusterCredentials } from '../../proto/credentials.js';
import { channelOptions, proto } from '../../proto/load.js';
import { fromServiceError } from '../../proto/status.js';
import type { LinkHandlers, SchedulerConnection } from './scheduler-connection.js';
import type {
  AgentMessage, AgentServiceClient, InputChunk__Output, InputRef, SchedulerMessage__Output, TaskRef, TaskUpdate,
} from '../../proto/types.js';


type LinkState = 'connecting' | 'registered' | 'backoff' | 'stopped';

const initialBackoffMs = 100;
const maxBackoffMs = 2_000;
const registerTimeoutMs = 2_000;
const silentHeartbeats = 3;
const closeGraceMs = 1_000;

export class SchedulerLink implements SchedulerConnection {
  private state: LinkState = 'connecting';
  private readonly clients = new Map<string, AgentServiceClient>();
  private stream: grpc.ClientDuplexStream<AgentMessage, SchedulerMessage__Output> | null = null;
  private pending: TaskUpdate[] = [];
  private flushScheduled = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly closer: OrderedClose;
  private addrIndex = 0;
  private redirect: string | undefined;
  /** The scheduler this link is registered with, while it is. */
  private registeredAddr: string | undefined;

  constructor(
    private readonly addrs: string[],
    private readonly handlers: LinkHandlers,
    private readonly logger: Logger,
    private readonly credentials = ClusterCredentials.plaintext,
  ) {
    this.closer = new OrderedClose('scheduler link', () => [
      {
        name: 'stream',
        run: () => {
          this.abort.abort();
          this.flush();
          this.stream?.end();
          return this.loop;
        },
        deadlineMs: closeGraceMs,
        force: () => this.stream?.cancel(),
      },
      { name: 'link loop', run: () => this.loop },
      { name: 'channels', run: () => this.clients.forEach((c) => c.close()) },
      { name: 'stopped', run: () => this.setState('stopped') },
    ], logger);
  }

  /** Idempotent; a link that was closed stays closed. */
  start(): void {
    if (this.loop || this.abort.signal.aborted) return;
    this.loop = this.run(this.abort.signal).catch((err) => this.logger.error({ err }, 'scheduler link loop failed'));
  }

  get registered(): boolean {
    return this.state === 'registered';
  }

  /** Queues an update; updates are sent batched, one message per tick. Dropped while offline. */
  send(update: TaskUpdate): void {
    if (this.state !== 'registered') return;
    this.pending.push(update);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Tells the scheduler the agent is leaving, with the tasks it gives back; written at once,
   * after the updates queued before it. Dropped while offline: the daemon says it again when
   * the link registers anew.
   */
  leave(returned: TaskRef[]): void {
    if (this.state !== 'registered' || !this.stream) return;
    this.flush();
    this.stream.write({ leaving: { returned } });
  }

  /**
   * A task input too big for its assignment, from the scheduler the link is registered with (the
   * leader, which holds the results it is made of), read whole into memory shared with worker
   * threads so that no copy of it is made per task.
   */
  async fetchInput(ref: InputRef, signal?: AbortSignal): Promise<Uint8Array> {
    const addr = this.registeredAddr;
    if (!addr) throw new ClusterError('UNAVAILABLE', 'not registered with a scheduler: the input cannot be fetched now');
    const call = this.client(addr).GetInput(ref);
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of call as AsyncIterable<InputChunk__Output>) {
        chunks.push(chunk.data);
        size += chunk.data.length;
      }
    } catch (err) {
      throw fromServiceError(err as grpc.ServiceError);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return bytes;
  }

  /**
   * Half-closes the stream first, so what was written (a last Leaving, results) reaches the
   * scheduler before the stream ends; cancels it if the scheduler has not ended its side
   * within `closeGraceMs`. Idempotent: every caller waits for the same close.
   */
  close(): Promise<void> {
    return this.closer.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const updates = this.pending;
    this.pending = [];
    if (updates.length && this.stream) this.stream.write({ updates: { updates } });
  }

  /**
   * Tries the addresses in turn, following redirects, and pauses only after every address has
   * failed in a row (with backoff, up to `maxBackoffMs`): during a failover the next replica is
   * usually the answer, and waiting between addresses would only delay re-registration.
   */
  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const addr = this.redirect ?? this.addrs[this.addrIndex % this.addrs.length]!;
      this.redirect = undefined;
      this.setState('connecting', addr);
      const outcome = await this.session(addr);
      if (signal.aborted) return;
      if (outcome.redirect && outcome.redirect !== addr) {
        this.redirect = outcome.redirect;
        continue;
      }
      // The next address either way: after a registered session ends, the replica that served
      // it is the least likely to lead now (killed, frozen, or deposed); a follower redirects.
      this.addrIndex++;
      failures = outcome.registered ? 0 : failures + 1;
      if (failures === 0 || failures % this.addrs.length !== 0) continue;
      this.setState('backoff', addr);
      const backoffMs = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failures / this.addrs.length - 1));
      await sleep(backoffMs * (0.5 + Math.random()), signal);
    }
  }

  /** One stream, from connect to its end. */
  private session(addr: string): Promise<{ registered: boolean; redirect?: string }> {
    return new Promise((resolve) => {
      const stream = this.client(addr).Connect();
      this.stream = stream;
      let registered = false;
      let redirect: string | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      let ended = false;
      let lastHeardMs = Date.now();
      let silenceLimitMs = registerTimeoutMs;
      const watchdog = setInterval(() => {
        if (Date.now() - lastHeardMs <= silenceLimitMs) return;
        this.logger.warn({ addr, silentMs: Date.now() - lastHeardMs }, registered ? 'scheduler went silent; trying the next address' : 'scheduler did not answer registration; trying the next address');
        stream.cancel();
      }, 250);
      const done = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearInterval(watchdog);
        if (this.stream === stream) this.stream = null;
        if (this.registeredAddr === addr) this.registeredAddr = undefined;
        this.pending = [];
        resolve({ registered, ...(redirect ? { redirect } : {}) });
      };
      stream.on('data', (msg: SchedulerMessage__Output) => {
        lastHeardMs = Date.now();
        if (msg.body === 'heartbeat') return;
        if (msg.body === 'not_leader') {
          redirect = msg.not_leader?.leader_addr || undefined;
          stream.cancel();
          return;
        }
        if (msg.body === 'registered' && msg.registered) {
          registered = true;
          this.registeredAddr = addr;
          this.setState('registered', addr);
          const interval = Math.max(100, Number(msg.registered.heartbeat_interval_ms) || 1000);
          heartbeat = setInterval(() => stream.write({ heartbeat: { sent_at_ms: Date.now() } }), interval);
          silenceLimitMs = silentHeartbeats * interval;
          this.handlers.onRegistered();
        }
        this.handlers.onMessage(msg);
      });
      stream.on('error', (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) this.logger.warn({ addr, err: err.details || err.message }, 'scheduler stream broke');
        done();
      });
      // A call that never connected ends with 'status' and 'error' but no 'close'.
      stream.on('status', done);
      stream.on('close', done);
      stream.on('end', () => stream.end());
      stream.write({ register: this.handlers.registration() });
    });
  }

  private client(addr: string): AgentServiceClient {
    let c = this.clients.get(addr);
    if (!c) {
      const { credentials, options } = this.credentials.forTarget(addr, channelOptions);
      c = new proto.AgentService(addr, credentials, options) as unknown as AgentServiceClient;
      this.clients.set(addr, c);
    }
    return c;
  }

  private setState(next: LinkState, addr?: string): void {
    if (next === this.state) return;
    this.logger.info({ from: this.state, to: next, addr }, 'scheduler link');
    this.state = next;
  }
}
