/**
 * The leader of a one-node cluster (`clusterctl dev`, or a scheduler without etcd): it claims
 * leadership at start by writing its claim to the fence key of the embedded store, and holds it
 * until close. Same interface and same fencing as the etcd election, so the scheduler runs one
 * code path; a second process opening the same store's log would take the key and fence this
 * one out.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../../core/abortable.js';
import { errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { StateStore } from '../state/state-store.js';
import { decodeClaim, encodeClaim, type LeaderInfo } from './leadership.js';
import { LeadershipBase } from './leadership-base.js';

export interface EmbeddedLeaderOptions {
  store: StateStore;
  id: string;
  addr: string;
  /** The fence key in the store. Default `leader`. */
  key?: string;
  logger?: Logger;
}

const retryDelayMs = 1_000;

export class EmbeddedLeader extends LeadershipBase {
  readonly key: string;
  private readonly store: StateStore;
  private readonly claim: string;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: EmbeddedLeaderOptions) {
    super(opts.id, (opts.logger ?? silentLogger).child({ component: 'leadership' }));
    this.store = opts.store;
    this.key = opts.key ?? 'leader';
    this.claim = encodeClaim({ id: opts.id, addr: opts.addr, term: randomBytes(8).toString('hex') });
  }

  start(): void {
    if (this.loop || this.closing) return;
    this.transition({ kind: 'candidate' });
    this.loop = this.claimKey(this.abort.signal).catch((err) => this.logger.error({ err }, 'claiming leadership failed'));
  }

  async currentLeader(): Promise<LeaderInfo | undefined> {
    return decodeClaim(await this.store.get(this.key));
  }

  /** Another process took the fence key of this store: it leads now, not this one. */
  fenceLost(reason: string): void {
    if (this.state.kind === 'leader') this.leave({ kind: 'follower', leader: undefined }, `a write was refused: ${reason}`);
  }

  /** Resigns: the claim is deleted (fenced, so a newer holder's claim is left alone). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await this.loop;
      const wasLeader = this.state.kind === 'leader';
      this.leave({ kind: 'stopped' }, 'closed');
      if (wasLeader) {
        await this.store.commit([{ op: 'delete', key: this.key }], { key: this.key, value: this.claim })
          .catch((err) => this.logger.warn({ err: errorMessage(err) }, 'could not remove the leader claim'));
      }
    })();
    return this.closing;
  }

  /** The store is local, so a failed write is a broken disk: keep trying, abortably. */
  private async claimKey(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.store.commit([{ op: 'put', key: this.key, value: Buffer.from(this.claim) }]);
        if (signal.aborted) return;
        this.becomeLeader({ key: this.key, value: this.claim });
        return;
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, 'cannot write the leader claim; retrying');
        await sleep(retryDelayMs, signal);
      }
    }
  }
}
