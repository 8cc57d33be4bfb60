/**
 * Leadership: which scheduler replica leads, as a scope. Two implementations share this
 * interface: EtcdLeaderElection (replicated schedulers) and EmbeddedLeader (`clusterctl dev`,
 * always the leader of its one-node cluster).
 *
 *            start()                 won the key                 lease lost / key taken
 *   (new) ──────────▶ candidate ─────────────────▶ leader ───────────────────────────────┐
 *                      │    ▲                                                             │
 *          key is held │    │ key freed                                                   │
 *                      ▼    │                                                             │
 *                     follower ◀──────────────────────────────────────────────────────────┘
 *   close() from any state ─▶ stopped
 *
 * Contract:
 * - At most one replica is leader per term, and each term has its own Fence. The leader passes
 *   `state.fence` to every StateStore commit (and GroupCommitter), so a deposed or paused
 *   leader's writes fail with LEASE_LOST even before it notices it lost.
 * - `state.term` (leader only) is aborted the moment this replica stops leading: leader-only
 *   services start on `elected` with that signal and tear themselves down when it fires.
 * - The election key's value names the leader (`LeaderInfo`); followers know the leader's
 *   advertised address to redirect clients and agents to.
 * - The fence key is relative to the state store's prefix: the election and the store must be
 *   configured with the same prefix.
 * - `close()` is idempotent, resigns if leading (so a follower takes over at once, not after the
 *   lease TTL), stops every background loop and awaits it.
 * - `fenceLost(reason)`: a leader write was refused with LEASE_LOST, so the claim is gone though
 *   this replica's own clock says it still leads. It stops leading at once (the term's signal
 *   fires) instead of at its next renewal; the etcd election then campaigns again.
 */
import type { EventEmitter } from 'node:events';
import type { Fence } from '../state/state-store.js';

export interface LeaderInfo {
  id: string;
  /** host:port clients and agents reach the leader at. */
  addr: string;
}

export type LeadershipState =
  | { kind: 'follower'; leader: LeaderInfo | undefined }
  | { kind: 'candidate' }
  | { kind: 'leader'; fence: Fence; term: AbortSignal }
  | { kind: 'stopped' };

export interface LeadershipEvents {
  /** Every state change, including follower updates of who leads. */
  state: [LeadershipState];
  elected: [fence: Fence, term: AbortSignal];
  /** This replica stopped leading; `reason` says why (lease expired, key taken, closed). */
  lost: [reason: string];
}

export interface Leadership extends EventEmitter<LeadershipEvents> {
  readonly id: string;
  readonly state: LeadershipState;
  /** Begins campaigning (the embedded leader: claims leadership). Call once. */
  start(): void;
  /** Resolves with the fence of the next (or current) term this replica leads. */
  whenElected(signal?: AbortSignal): Promise<Fence>;
  /** The current leader as the election key says now (a read, not the cached state). */
  currentLeader(): Promise<LeaderInfo | undefined>;
  /** A write of this term was refused with LEASE_LOST: stop leading now. No-op unless leading. */
  fenceLost(reason: string): void;
  close(): Promise<void>;
}

/** The election key's value: who leads, and a token unique to this term. */
export interface ClaimValue extends LeaderInfo {
  term: string;
}

export function encodeClaim(claim: ClaimValue): string {
  return JSON.stringify({ id: claim.id, addr: claim.addr, term: claim.term });
}

export function decodeClaim(value: string | Buffer | Uint8Array | undefined): LeaderInfo | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value).toString()) as Partial<ClaimValue>;
    return typeof parsed.id === 'string' && typeof parsed.addr === 'string' ? { id: parsed.id, addr: parsed.addr } : undefined;
  } catch {
    return undefined;
  }
}
