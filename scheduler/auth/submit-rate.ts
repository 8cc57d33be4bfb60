/**
 * SubmitRate: how fast each token may submit (runs, resumes, schedules), as a token bucket per
 * caller: `perSecond` sustained, ten seconds' worth at once. A cluster without authentication
 * has one anonymous caller and no limit (it trusts its network, and benchmarks submit fast).
 */
import { ClusterError } from '../../core/errors.js';
import type { Principal } from './access.js';

interface Bucket {
  allowance: number;
  atMs: number;
}

export class SubmitRate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {
    this.burst = perSecond * 10;
  }

  /** Counts one submit of `caller`; QUEUE_FULL when it goes over its rate. */
  take(caller: Principal): void {
    if (caller.identity === 'anonymous' || this.perSecond <= 0) return;
    const now = this.now();
    let bucket = this.buckets.get(caller.identity);
    if (!bucket) {
      if (this.buckets.size >= 100_000) this.buckets.clear(); // tokens are few; a flood of them is not kept
      bucket = { allowance: this.burst, atMs: now };
      this.buckets.set(caller.identity, bucket);
    }
    bucket.allowance = Math.min(this.burst, bucket.allowance + ((now - bucket.atMs) * this.perSecond) / 1000);
    bucket.atMs = now;
    if (bucket.allowance < 1) {
      const waitMs = Math.ceil(((1 - bucket.allowance) * 1000) / this.perSecond);
      throw new ClusterError('QUEUE_FULL', `${caller.who} submits faster than ${this.perSecond} runs/s (the scheduler's --submit-rate); try again in ${waitMs} ms`, { retryable: true });
    }
    bucket.allowance -= 1;
  }
}
