/**
 * AuditLog: who did what and when: submits, resumes, cancels, drains, schedule changes and token
 * changes, one state store entry each (keys sort by time), so the log outlives any replica. The
 * oldest entries beyond `maxEntries` are deleted as new ones come.
 */
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeRecord, keys, putRecord, type AuditRecord } from '../state/records.js';
import type { StateStore, WriteOp } from '../state/state-store.js';
import type { Principal } from './access.js';

export const defaultMaxAuditEntries = 10_000;
/** Pruning lists the whole log: done once per this many entries written. */
const pruneEvery = 500;

export class AuditLog {
  private seq = 0;
  private sincePrune = 0;

  constructor(
    private readonly store: StateStore,
    private readonly logger: Logger,
    private readonly maxEntries = defaultMaxAuditEntries,
  ) {}

  /**
   * Writes an entry through `commit` (the leader's fenced write); never fails the action it
   * records, which has happened: a failed write is logged.
   */
  record(commit: (ops: WriteOp[]) => Promise<void>, who: Principal, action: string, target: string, project = '', detail = ''): void {
    const entry: AuditRecord = { atMs: Date.now(), who: who.who, action, target, project, detail: detail.slice(0, 500) };
    this.seq = (this.seq + 1) % 1_000_000;
    commit([putRecord(keys.audit(entry.atMs, this.seq), entry)]).then(
      () => this.pruneSoon(commit),
      (err) => this.logger.error({ err: errorMessage(err), ...entry }, 'writing the audit log failed'),
    );
  }

  /** The newest `limit` entries, newest first. */
  async list(limit: number): Promise<AuditRecord[]> {
    const all = await this.store.list(keys.audits);
    return all.slice(-limit).reverse().map(([, value]) => decodeRecord<AuditRecord>(value));
  }

  private pruneSoon(commit: (ops: WriteOp[]) => Promise<void>): void {
    if (++this.sincePrune < pruneEvery) return;
    this.sincePrune = 0;
    void this.store.list(keys.audits)
      .then((all) => {
        const excess = all.slice(0, Math.max(0, all.length - this.maxEntries)).map(([key]): WriteOp => ({ op: 'delete', key }));
        const batch = this.store.limits.maxOpsPerCommit;
        return Promise.all(Array.from({ length: Math.ceil(excess.length / batch) }, (_, i) => commit(excess.slice(i * batch, (i + 1) * batch))));
      })
      .catch((err) => this.logger.warn({ err: errorMessage(err) }, 'pruning the audit log failed'));
  }
}
