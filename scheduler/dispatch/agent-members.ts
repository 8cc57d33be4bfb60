/**
 * AgentMembers: which agents belong to the cluster, kept durable so a new leader knows whom to
 * wait for. Dispatch is not written, so after a failover the leader learns what runs from the
 * agents themselves; once every member agent has re-registered nothing unreported can still be
 * running, and the recovery window ends at once instead of after the agent TTL.
 *
 * A member's record also keeps an operator's drain, so it holds across failovers; it goes with
 * the membership when the agent leaves or is lost.
 *
 * Writes are rare: one when an agent id joins, one per drain or undo, one when it is lost.
 */
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeRecord, keys, putRecord, type AgentRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';

export class AgentMembers {
  private readonly members = new Map<string, AgentRecord>();
  /** Members loaded at the start of the term that have not registered with this leader yet. */
  private readonly awaited = new Set<string>();
  private onAllBack: (() => void) | undefined;
  readonly allBack: Promise<void>;

  constructor(private readonly persist: (ops: WriteOp[]) => Promise<void>, private readonly logger: Logger) {
    this.allBack = new Promise((resolve) => { this.onAllBack = resolve; });
  }

  /** The members the state store lists (values under `agents/`). */
  load(values: Uint8Array[]): void {
    for (const v of values) {
      const record = decodeRecord<AgentRecord>(v);
      this.members.set(record.id, record);
      this.awaited.add(record.id);
    }
    this.checkAllBack();
  }

  get expected(): number {
    return this.awaited.size;
  }

  /** Who registered the id, if a member: only the same identity may register it again. */
  identityOf(id: string): string | undefined {
    return this.members.get(id)?.identity;
  }

  registered(id: string, hostname: string, nowMs: number, identity: string): void {
    this.awaited.delete(id);
    this.checkAllBack();
    if (this.members.has(id)) return;
    const record: AgentRecord = { id, hostname, joinedAtMs: nowMs, identity };
    this.members.set(id, record);
    this.write([putRecord(keys.agent(id), record)], id);
  }

  lost(id: string): void {
    this.awaited.delete(id);
    this.checkAllBack();
    if (!this.members.delete(id)) return;
    this.write([{ op: 'delete', key: keys.agent(id) }], id);
  }

  isDrained(id: string): boolean {
    return this.members.get(id)?.drained === true;
  }

  /** Records a drain (or its undo) durably; resolves once it is committed, before it applies. */
  async setDrained(id: string, drained: boolean): Promise<void> {
    const current = this.members.get(id);
    if (!current || (current.drained === true) === drained) return;
    const record: AgentRecord = { ...current, drained };
    await this.persist([putRecord(keys.agent(id), record)]);
    // A member lost meanwhile stays gone: its delete was queued after this put.
    if (this.members.get(id) === current) this.members.set(id, record);
  }

  private checkAllBack(): void {
    if (this.awaited.size === 0) this.onAllBack?.();
  }

  /** Best effort: a lost membership write only makes a later failover wait the full window. */
  private write(ops: WriteOp[], id: string): void {
    this.persist(ops).catch((err) => this.logger.warn({ agentId: id, err: errorMessage(err) }, 'recording agent membership failed'));
  }
}
