/**
 * Retention of finished runs (`--retain`): a run finished longer ago than `retainMs` is
 * deleted. Only compacted runs qualify (retention is longer than --compact-after), so what goes
 * is the run record alone: its task records already live in a tasks object. Once no record
 * refers to that object and to the results, artifacts and logs inside it, store gc collects
 * them. Without --retain nothing is deleted, and the leader keeps a summary of every run ever
 * finished (~1.3 KB of heap each, measured) and the state store its record.
 */
import type { RunSummary } from './run-state.js';
import { keys } from '../state/records.js';
import type { CommitLimits, WriteOp } from '../state/state-store.js';

export interface RetentionOptions {
  retainMs: number;
  persist: (ops: WriteOp[]) => Promise<void>;
  limits: CommitLimits;
  now?: () => number;
}

export class RunRetention {
  private readonly now: () => number;

  constructor(private readonly opts: RetentionOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Deletes the next expired runs among `dropped` (oldest first, as FlowEngine keeps them), as
   * many as one write takes, and calls `forget` for each once the delete is durable. Returns
   * the ids deleted; none when the oldest has not expired.
   */
  async deleteNext(dropped: Iterable<RunSummary>, forget: (runId: string) => void): Promise<string[]> {
    const before = this.now() - this.opts.retainMs;
    const ids: string[] = [];
    for (const { record } of dropped) {
      if (ids.length === this.opts.limits.maxOpsPerCommit || (record.finishedAtMs ?? Infinity) >= before) break;
      ids.push(record.id);
    }
    if (ids.length === 0) return ids;
    await this.opts.persist(ids.map((id) => ({ op: 'delete', key: keys.run(id) })));
    for (const id of ids) forget(id);
    return ids;
  }
}
