/**
 * Leader election on etcd with a lease and one key, so that the key's value is the fence.
 *
 * A candidate that finds the key free grants a lease and claims the key in a transaction that
 * only succeeds if the key does not exist (create revision 0). The value names the leader and
 * the lease id (unique per term), and is the fence every leader write compares against. The
 * leader renews its lease every TTL/3 and checks the key is still its own; it steps down on its
 * own clock once TTL has passed since the last renewal was sent, which is never later than etcd
 * expires the lease. Followers watch the key and try again as soon as it is deleted.
 *
 * (etcd3's Election API keeps one key per candidate and elects the lowest revision, which a
 * single-key value compare cannot check; hence leases and one key directly.)
 */
import { EtcdLeaseInvalidError, type Etcd3, type Lease } from 'etcd3';
import { sleep } from '../../core/abortable.js';
import { errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { etcdError } from '../state/etcd-client.js';
import { decodeClaim, encodeClaim, type LeaderInfo } from './leadership.js';
import { LeadershipBase } from './leadership-base.js';

export interface EtcdElectionOptions {
  client: Etcd3;
  /** The state store's key prefix: the election key (and so the fence) lives under it. */
  prefix: string;
  /** The election key, relative to the prefix. Default `leader`. */
  key?: string;
  /** This replica's id and the address it advertises to clients and agents. */
  id: string;
  addr: string;
  /** Lease TTL; etcd counts whole seconds, so it is rounded up to one. Default 3 s. */
  ttlMs?: number;
  logger?: Logger;
}

export class EtcdLeaderElection extends LeadershipBase {
  readonly key: string;
  private readonly client: Etcd3;
  private readonly absKey: Buffer;
  private readonly addr: string;
  private readonly ttlSeconds: number;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** While leading: ends the term now (see fenceLost). */
  private stepDown: ((reason: string) => void) | undefined;

  constructor(opts: EtcdElectionOptions) {
    super(opts.id, (opts.logger ?? silentLogger).child({ component: 'election' }));
    this.client = opts.client;
    this.key = opts.key ?? 'leader';
    this.absKey = Buffer.from(opts.prefix + this.key);
    this.addr = opts.addr;
    this.ttlSeconds = Math.max(1, Math.ceil((opts.ttlMs ?? 3_000) / 1_000));
  }

  private get ttlMs(): number {
    return this.ttlSeconds * 1_000;
  }

  start(): void {
    if (this.loop || this.closing) return;
    this.transition({ kind: 'candidate' });
    this.loop = this.run(this.abort.signal).catch((err) => this.logger.error({ err }, 'election loop failed'));
  }

  async currentLeader(): Promise<LeaderInfo | undefined> {
    const res = await this.client.kv.range({ key: this.absKey }).catch((err) => {
      throw etcdError(err, 'reading the leader');
    });
    return decodeClaim(res.kvs[0]?.value);
  }

  fenceLost(reason: string): void {
    this.stepDown?.(`a write was refused: ${reason}`);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await this.loop;
      this.leave({ kind: 'stopped' }, 'closed');
    })();
    return this.closing;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.round(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.logger.warn({ err: errorMessage(err) }, 'election round failed; trying again');
        await sleep(this.ttlMs / 3, signal);
      }
    }
  }

  /** One round: follow the current leader until the key changes, or claim it and lead. */
  private async round(signal: AbortSignal): Promise<void> {
    const held = await this.client.kv.range({ key: this.absKey });
    const holder = held.kvs[0];
    if (holder) {
      this.transition({ kind: 'follower', leader: decodeClaim(holder.value) });
      return this.waitForChange(held.header.revision, signal);
    }
    const validFrom = Date.now(); // the lease cannot start before we ask for it
    const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: false });
    try {
      const leaseId = await lease.grant();
      const claim = encodeClaim({ id: this.id, addr: this.addr, term: leaseId });
      const res = await this.client.kv.txn({
        compare: [{ key: this.absKey, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: this.absKey, value: Buffer.from(claim), lease: leaseId } }],
        failure: [{ request_range: { key: this.absKey } }],
      });
      if (!res.succeeded) {
        this.transition({ kind: 'follower', leader: decodeClaim(res.responses[0]?.response_range.kvs[0]?.value) });
        return;
      }
      await this.lead(lease, claim, validFrom, signal);
    } finally {
      // Leading or not, this lease is done; revoking frees the key at once for the next leader
      // instead of after the TTL. (If etcd is unreachable the lease simply expires.)
      await lease.revoke({ deadline: Date.now() + this.ttlMs / 3 }).catch(() => undefined);
    }
  }

  /** Leads until the lease cannot be renewed in time, the key is no longer ours, or close. */
  private async lead(lease: Lease, claim: string, validFrom: number, signal: AbortSignal): Promise<void> {
    this.becomeLeader({ key: this.key, value: claim });
    let validUntil = validFrom + this.ttlMs;
    let reason = 'closed';
    let refused: string | undefined;
    const stepDown = new AbortController();
    this.stepDown = (why) => {
      refused ??= why;
      stepDown.abort();
    };
    const wake = AbortSignal.any([signal, stepDown.signal]);
    try {
      while (!signal.aborted) {
        await sleep(Math.min(this.ttlMs / 3, validUntil - Date.now()), wake);
        if (signal.aborted) break;
        if (refused) {
          reason = refused;
          break;
        }
        if (Date.now() >= validUntil) {
          reason = 'lease not renewed within its TTL';
          break;
        }
        const sentAt = Date.now();
        try {
          // No call may outlive the lease: at validUntil this replica must already know.
          const res = await lease.keepaliveOnce({ deadline: validUntil });
          validUntil = sentAt + Number(res.TTL) * 1_000;
          const now = await this.client.kv.range({ key: this.absKey }, { deadline: validUntil });
          if (now.kvs[0]?.value.toString() !== claim) {
            reason = 'the election key no longer holds this replica\'s claim';
            break;
          }
        } catch (err) {
          if (err instanceof EtcdLeaseInvalidError) {
            reason = 'lease expired in etcd';
            break;
          }
          this.logger.warn({ err: errorMessage(err), msLeft: validUntil - Date.now() }, 'lease renewal failed; retrying until the lease runs out');
        }
      }
    } finally {
      this.stepDown = undefined;
      this.leave(signal.aborted ? { kind: 'stopped' } : { kind: 'candidate' }, reason);
    }
  }

  /** Resolves when the key changes after `revision`, at the latest after one TTL, or on abort. */
  private async waitForChange(revision: string, signal: AbortSignal): Promise<void> {
    // watcher() registers without waiting for etcd to confirm, so a watch that never connects
    // (etcd down) still ends with this round; the TTL fallback covers it.
    const watcher = this.client.watch().key(this.absKey).startRevision((BigInt(revision) + 1n).toString()).watcher();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      // A watch that stalls silently must not strand a follower: re-check every TTL anyway.
      const timer = setTimeout(done, this.ttlMs);
      signal.addEventListener('abort', done, { once: true });
      watcher.on('put', done).on('delete', done).on('error', done);
    });
    // Cancelling waits for etcd to confirm; a frozen etcd must not hold the loop (or close).
    await Promise.race([watcher.cancel().catch(() => undefined), sleep(this.ttlMs / 3)]);
  }
}
