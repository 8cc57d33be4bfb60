// Bounded concurrency for the store's fan-outs (file system calls, uploads, reads): never more
// than `limit` operations in flight, however many items there are.
import { ClusterError } from '../core/errors.js';

/** Like `Promise.all(items.map(fn))` with at most `limit` calls running; stops at the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Tracks background operations with a cap: `add` waits while `limit` are in flight, and the
 * first failure is rethrown by the next `add` or by `drain`, so a caller loop stops promptly.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(op: Promise<unknown>): Promise<void> {
    const tracked: Promise<void> = op.then(
      () => { this.running.delete(tracked); },
      (err: unknown) => {
        this.running.delete(tracked);
        this.failure ??= { err };
      },
    );
    this.running.add(tracked);
    while (this.running.size >= this.limit && !this.failure) await Promise.race(this.running);
    this.rethrow();
  }

  /** Waits for everything in flight; rethrows the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.err;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what = 'chunk store call'): void {
  if (signal?.aborted) throw new ClusterError('CANCELLED', `${what} cancelled`, { cause: signal.reason });
}
