/**
 * Waiting for a run to end across leader changes, restarts and short outages. A wait ends with
 * the run's final status; a broken call (the leader changed, a replica restarted, the network
 * dropped) is not an answer: the leader is found again and the wait goes on from there, for as
 * long as some replica answered within `patienceMs`. Only then does it give up, saying the run
 * may still be running and how to re-attach.
 */
import { sleep } from '../core/abortable.js';
import { ClusterError, errorCode } from '../core/errors.js';
import type { RunStatus__Output, SubmitRequest } from '../proto/types.js';
import type { ClusterClient } from './client.js';

/** How long a wait goes on without any replica answering. */
export const defaultPatienceMs = 60_000;

export interface FollowOptions {
  /** Sees every status, the first summary to the final one. */
  onStatus?: (status: RunStatus__Output) => void;
  patienceMs?: number;
  /** Ends the wait early (a --timeout): the promise rejects with TIMEOUT. */
  signal?: AbortSignal;
}

/** Follows run `runId` on the leader (Watch) until it ends. */
export function followRun(client: ClusterClient, runId: string, opts: FollowOptions = {}): Promise<RunStatus__Output> {
  return untilAnswered(runId, opts, async (heard) => {
    let last: RunStatus__Output | undefined;
    await client.stream((c) => c.Watch({ run_id: runId }), (status) => {
      last = status;
      heard(status);
    });
    // The scheduler ends a watch after the final status; an end without one is a broken call.
    if (last && last.state !== 'running') return last;
    throw new ClusterError('UNAVAILABLE', `the watch of run ${runId} ended before the run did`);
  });
}

/**
 * Submits `request` and follows its run to its end; after a broken call the same request (same
 * request id: the same run, never a second one) is sent again, and answers with the run.
 */
export function submitAndFollow(client: ClusterClient, request: SubmitRequest, opts: FollowOptions = {}): Promise<RunStatus__Output> {
  let runId: string | undefined;
  return untilAnswered(() => runId, opts, (heard) => client.submitAndWatch(request, (status) => {
    runId = status.run_id;
    heard(status);
  }));
}

/** Errors that say the call broke, not that the cluster refused or the run is gone. */
const broken = new Set(['UNAVAILABLE', 'NOT_LEADER', 'LEASE_LOST', 'CANCELLED']);

/**
 * Runs `attempt` until it returns the run's end. `attempt` calls `heard` with each status: a
 * status is an answer, so a call that broke after an hour of statuses starts the patience anew.
 */
async function untilAnswered(run: string | (() => string | undefined), opts: FollowOptions, attempt: (heard: (status: RunStatus__Output) => void) => Promise<RunStatus__Output>): Promise<RunStatus__Output> {
  const patienceMs = opts.patienceMs ?? defaultPatienceMs;
  let answeredAt = Date.now();
  let round = 0;
  const heard = (status: RunStatus__Output) => {
    answeredAt = Date.now();
    round = 0;
    opts.onStatus?.(status);
  };
  for (; ; round++) {
    if (opts.signal?.aborted) throw timedOut(run);
    try {
      return await abortable(attempt(heard), opts.signal, () => timedOut(run));
    } catch (err) {
      if (!broken.has(errorCode(err)) || opts.signal?.aborted) throw err;
      // Replicas that answered "not the leader" or ended the call did answer.
      if (errorCode(err) !== 'UNAVAILABLE') answeredAt = Date.now();
      if (Date.now() - answeredAt >= patienceMs) throw lost(run, patienceMs, err);
      await sleep(Math.min(1_000, 100 * 2 ** round));
    }
  }
}

function runIdOf(run: string | (() => string | undefined)): string | undefined {
  return typeof run === 'string' ? run : run();
}

function lost(run: string | (() => string | undefined), patienceMs: number, cause: unknown): ClusterError {
  const id = runIdOf(run);
  const what = id ? `run ${id}` : 'the run';
  const reattach = id ? `; re-attach with: clusterctl wait ${id}` : '; `clusterctl status` lists it once a replica answers';
  return new ClusterError('UNAVAILABLE', `no scheduler answered for ${patienceMs / 1000} s while waiting for ${what}: it may still be running${reattach}`, { cause });
}

function timedOut(run: string | (() => string | undefined)): ClusterError {
  const id = runIdOf(run);
  return new ClusterError('TIMEOUT', `stopped waiting (--timeout): ${id ? `run ${id}` : 'the run'} goes on${id ? `; re-attach with: clusterctl wait ${id}` : ''}`);
}

/** `promise`, or a rejection with `reason()` as soon as `signal` fires. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, reason: () => Error): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
