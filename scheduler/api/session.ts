/**
 * Session: many submit-and-watch exchanges on one long-lived stream. Each request submits a
 * run; its statuses go back tagged with the request's tag (see run-watch.ts). A submission
 * that fails is answered with an error event and the session goes on; losing the lead ends the
 * whole session with NOT_LEADER, so the client submits what it still waits for on the new
 * leader (a request id makes that the same run). When the client half-closes, the session ends
 * once every run it submitted has ended.
 */
import type * as grpc from '@grpc/grpc-js';
import { errorCode, errorMessage, invalid } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { SessionEvent, SessionRequest__Output } from '../../proto/types.js';
import type { SubmitInput } from '../flow/engine.js';
import { watchRun, type WatchedLeader } from './run-watch.js';

/** Errors that mean this replica cannot serve the session at all, not that one request failed. */
const leadershipErrors = new Set(['NOT_LEADER', 'LEASE_LOST']);

export function serveSession(
  call: grpc.ServerDuplexStream<SessionRequest__Output, SessionEvent>,
  leader: () => WatchedLeader,
  submitInput: (req: NonNullable<SessionRequest__Output['submit']>) => SubmitInput,
): void {
  /** Tags submitted and not yet over; a watched run's tag maps to the function that stops it. */
  const open = new Map<number, (() => void) | undefined>();
  let halfClosed = false;
  let over = false;

  const stopAll = () => {
    over = true;
    for (const stop of open.values()) stop?.();
    open.clear();
  };
  const fail = (err: unknown) => {
    if (over) return;
    stopAll();
    call.emit('error', toServiceError(err));
  };
  const endIfIdle = () => {
    if (!halfClosed || open.size > 0 || over) return;
    over = true;
    call.end();
  };
  const finish = (tag: number) => {
    open.delete(tag);
    endIfIdle();
  };
  const answerError = (req: SessionRequest__Output, err: unknown) => {
    const detail = (err as { detail?: unknown }).detail;
    call.write({ tag: req.tag, error: { code: errorCode(err), message: errorMessage(err), detail: typeof detail === 'string' ? detail : '' } });
  };
  const submit = async (req: SessionRequest__Output) => {
    const { tag } = req;
    if (open.has(tag)) return answerError(req, invalid(`tag ${tag}: already in use in this session`));
    open.set(tag, undefined);
    try {
      if (!req.submit) throw invalid('submit: required');
      const term = leader();
      const runId = await term.engine.submit(submitInput(req.submit));
      await term.engine.load(runId); // a request id already used may name a run dropped from memory
      if (over) return;
      let ended = false;
      const stop = watchRun(term, runId, {
        status: (status) => call.write({ tag, status }),
        ended: (err) => {
          ended = true;
          if (err) fail(err);
          else finish(tag);
        },
      }, { firstSummary: 'after-interval', tasks: req.summary_only ? null : req.tasks ?? {} });
      if (!ended) open.set(tag, stop);
    } catch (err) {
      if (over) return;
      if (leadershipErrors.has(errorCode(err))) return fail(err);
      answerError(req, err);
      finish(tag);
    }
  };

  call.on('data', (req: SessionRequest__Output) => void submit(req));
  call.on('end', () => {
    halfClosed = true;
    endIfIdle();
  });
  call.on('cancelled', stopAll);
}
