// A background loop that survives its own failures: every long-lived part of a daemon that
// repeats work (the leader's maintenance, compaction) runs in one, so an exception in one
// iteration is logged and the next comes after a back-off, instead of ending the loop silently
// while the daemon goes on as if it ran.
import { sleep } from './abortable.js';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

export interface OwnedLoopOptions {
  /** Names the loop in its log lines. */
  name: string;
  /** Ends the loop: the sleep is cut short and no further iteration starts. */
  signal: AbortSignal;
  /** The pause before each iteration. */
  intervalMs: number;
  /** The longest pause after failures: the interval doubles per failure in a row up to it. Default 30 s. */
  maxBackoffMs?: number;
  logger: Logger;
}

/**
 * Runs `iteration` after each pause until `signal` aborts; resolves then (it never rejects, so
 * whoever closes the daemon can simply await it). An iteration that throws is logged with how
 * many failed in a row, and the pause doubles until one succeeds.
 */
export async function ownedLoop(opts: OwnedLoopOptions, iteration: () => Promise<void> | void): Promise<void> {
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  let failures = 0;
  while (!opts.signal.aborted) {
    await sleep(failures === 0 ? opts.intervalMs : Math.min(maxBackoffMs, opts.intervalMs * 2 ** failures), opts.signal);
    if (opts.signal.aborted) return;
    try {
      await iteration();
      failures = 0;
    } catch (err) {
      failures++;
      opts.logger.error({ loop: opts.name, failuresInARow: failures, err: errorMessage(err) }, 'a background loop iteration failed; it goes on after a back-off');
    }
  }
}
