/**
 * SubmitSession: one Session call to a scheduler carrying many submit-and-watch exchanges.
 * Each submission gets a tag and the session routes the statuses tagged with it back to it.
 * When the call ends or breaks, every submission still waiting fails with why, so the caller
 * can submit it again on the next leader: its request id makes that the same run.
 */
import type * as grpc from '@grpc/grpc-js';
import { ClusterError, errorCode } from '../core/errors.js';
import { fromServiceError } from '../proto/status.js';
import type { ClientServiceClient, RunStatus__Output, SessionEvent__Output, SessionRequest, SubmitRequest } from '../proto/types.js';

interface Waiter {
  onStatus?: (status: RunStatus__Output) => void;
  resolve(status: RunStatus__Output): void;
  reject(err: ClusterError): void;
}

export class SubmitSession {
  private readonly call: grpc.ClientDuplexStream<SessionRequest, SessionEvent__Output>;
  private readonly waiting = new Map<number, Waiter>();
  private nextTag = 1;
  private endedWith: ClusterError | undefined;

  constructor(client: ClientServiceClient) {
    this.call = client.Session();
    this.call.on('data', (event: SessionEvent__Output) => this.onEvent(event));
    this.call.on('error', (err) => this.end(fromServiceError(err)));
    // Ended without an error while runs were still followed: that scheduler stopped serving
    // (it no longer leads, or shuts down); they are followed on the leader.
    this.call.on('end', () => this.end(new ClusterError('NOT_LEADER', 'the scheduler ended the session before the run ended')));
  }

  get open(): boolean {
    return this.endedWith === undefined;
  }

  /**
   * Submits a run; resolves with its final status (every result recorded) the moment it
   * arrives; with `summaryOnly` that status has counts per step but no task list.
   */
  submit(request: SubmitRequest, onStatus?: (status: RunStatus__Output) => void, summaryOnly = false): Promise<RunStatus__Output> {
    if (this.endedWith) return Promise.reject(this.endedWith);
    const tag = this.nextTag++;
    return new Promise((resolve, reject) => {
      this.waiting.set(tag, { ...(onStatus ? { onStatus } : {}), resolve, reject });
      this.call.write({ tag, submit: request, summary_only: summaryOnly });
    });
  }

  /** Ends the call; submissions still waiting fail with CANCELLED. */
  close(): void {
    this.end(new ClusterError('CANCELLED', 'the client closed the session'));
    this.call.cancel();
  }

  private onEvent(event: SessionEvent__Output): void {
    const waiter = this.waiting.get(event.tag);
    if (!waiter) return;
    if (event.body === 'error') {
      this.waiting.delete(event.tag);
      const e = event.error!;
      waiter.reject(new ClusterError(errorCode(e), e.message, e.detail ? { detail: e.detail } : {}));
      return;
    }
    const status = event.status!;
    waiter.onStatus?.(status);
    if (status.state === 'running') return;
    this.waiting.delete(event.tag);
    waiter.resolve(status);
  }

  private end(err: ClusterError): void {
    this.endedWith ??= err;
    for (const w of this.waiting.values()) w.reject(this.endedWith);
    this.waiting.clear();
  }
}
