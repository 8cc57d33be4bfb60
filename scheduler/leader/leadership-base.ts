/**
 * What both Leadership implementations share: the state union changed in one place (which logs
 * it and emits the events), and `whenElected`.
 */
import { EventEmitter } from 'node:events';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Fence } from '../state/state-store.js';
import type { LeaderInfo, Leadership, LeadershipEvents, LeadershipState } from './leadership.js';

export abstract class LeadershipBase extends EventEmitter<LeadershipEvents> implements Leadership {
  private current: LeadershipState = { kind: 'follower', leader: undefined };
  private termController: AbortController | undefined;

  constructor(readonly id: string, protected readonly logger: Logger) {
    super();
  }

  get state(): LeadershipState {
    return this.current;
  }

  abstract start(): void;
  abstract currentLeader(): Promise<LeaderInfo | undefined>;
  abstract fenceLost(reason: string): void;
  abstract close(): Promise<void>;

  whenElected(signal?: AbortSignal): Promise<Fence> {
    if (this.current.kind === 'leader') return Promise.resolve(this.current.fence);
    if (this.current.kind === 'stopped') return Promise.reject(new ClusterError('UNAVAILABLE', `${this.id} is stopped`));
    return new Promise<Fence>((resolve, reject) => {
      const onState = (state: LeadershipState) => {
        if (state.kind === 'leader') finish(() => resolve(state.fence));
        else if (state.kind === 'stopped') finish(() => reject(new ClusterError('UNAVAILABLE', `${this.id} stopped before it was elected`)));
      };
      const onAbort = () => finish(() => reject(new ClusterError('CANCELLED', 'stopped waiting for election')));
      const finish = (settle: () => void) => {
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      if (signal?.aborted) return onAbort();
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Becomes leader for the term guarded by `fence`; returns the term's signal. */
  protected becomeLeader(fence: Fence): AbortSignal {
    this.termController = new AbortController();
    const term = this.termController.signal;
    this.transition({ kind: 'leader', fence, term });
    this.emit('elected', fence, term);
    return term;
  }

  /**
   * Leaves the leader state (if in it) for `next`: the term's signal fires before anyone hears
   * of the new state, so leader-only work stops first.
   */
  protected leave(next: Exclude<LeadershipState, { kind: 'leader' }>, reason: string): void {
    const wasLeader = this.current.kind === 'leader';
    if (wasLeader) {
      this.termController?.abort(new ClusterError('LEASE_LOST', reason));
      this.termController = undefined;
    }
    this.transition(next);
    if (wasLeader) this.emit('lost', reason);
  }

  /** The one place the state changes: a change is logged and emitted, a repeat is neither. */
  protected transition(next: LeadershipState): void {
    const prev = this.current;
    const leaderChanged = prev.kind === 'follower' && next.kind === 'follower' && (prev.leader?.id !== next.leader?.id || prev.leader?.addr !== next.leader?.addr);
    if (prev.kind === next.kind && next.kind !== 'leader' && !leaderChanged) return;
    this.current = next;
    this.logger.info({ replicaId: this.id, from: prev.kind, to: next.kind, leader: next.kind === 'follower' ? next.leader : undefined }, 'leadership state');
    this.emit('state', next);
  }
}
