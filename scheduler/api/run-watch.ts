/**
 * Following one run for a client, for Watch and Session alike: a first summary (counts per
 * step), summaries at most every `watchIntervalMs` while it goes on, and the full status the
 * moment it ends. Watch sends the first summary at once; a run just submitted gets it after the
 * first interval, so a run that ends sooner costs one status and its placement does not wait
 * behind encoding a summary. When the term ends (this replica no longer leads) the watch ends
 * with NOT_LEADER, so the client follows the run on the new leader.
 */
import { ClusterError } from '../../core/errors.js';
import type { RunStatus } from '../../proto/types.js';
import type { FlowEngine } from '../flow/engine.js';
import type { Placer } from '../placement/placer.js';
import { runStatus, type TaskView } from './views.js';

const watchIntervalMs = 100;

export interface WatchedLeader {
  engine: FlowEngine;
  placer: Placer;
  /** Fires when this replica's term as leader ends. */
  term: AbortSignal;
}

export interface RunWatcher {
  status(status: RunStatus): void;
  /** Called once: after the final status, or with the error that ended the watch early. */
  ended(err?: ClusterError): void;
}

export interface WatchOptions {
  firstSummary: 'now' | 'after-interval';
  /** Which tasks the final status lists (the default view unless given; null: none). */
  tasks?: TaskView;
}

/** Starts following `runId`; the returned function stops it without calling `ended`. */
export function watchRun(leader: WatchedLeader, runId: string, watcher: RunWatcher, opts: WatchOptions): () => void {
  const { engine, placer, term } = leader;
  const finalView = opts.tasks === undefined ? {} : opts.tasks;
  const status = (withTasks: boolean) => runStatus(engine.get(runId), (id) => placer.why(id), withTasks ? finalView : null);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
    term.removeEventListener('abort', onTermEnd);
  };
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    const ended = engine.get(runId).record.state !== 'running';
    watcher.status(status(ended));
    if (!ended) return;
    stop();
    watcher.ended();
  };
  const onTermEnd = () => {
    stop();
    watcher.ended(new ClusterError('NOT_LEADER', 'this scheduler no longer leads; follow the run on the new leader'));
  };
  const unsubscribe = engine.onRunChanged((id) => {
    if (id !== runId) return;
    if (engine.get(runId).record.state !== 'running') send();
    else timer ??= setTimeout(send, watchIntervalMs);
  });
  term.addEventListener('abort', onTermEnd, { once: true });
  if (term.aborted) onTermEnd();
  else if (engine.get(runId).record.state !== 'running') send();
  else if (opts.firstSummary === 'now') watcher.status(status(false));
  else timer = setTimeout(send, watchIntervalMs);
  return () => {
    if (!stopped) stop();
  };
}
