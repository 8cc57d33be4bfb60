// How every long-lived part of clusterd closes: once, in order, each step graceful within its
// deadline and then forced, a step's failure logged without stopping the steps after it (a
// store that fails to close must not leave the server listening). Every caller of close()
// waits for the same shutdown.
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

export interface CloseStep {
  /** Names the step in log lines. */
  name: string;
  /** The graceful close: what it returns is awaited. */
  run(): unknown;
  /** How long `run` may take; then `force` is called and the next step starts. Unset: no limit. */
  deadlineMs?: number;
  /** Ends at once what `run` waits for (cancels streams, kills what still runs). */
  force?(): void;
}

export class OrderedClose {
  private closing: Promise<void> | undefined;

  /**
   * `steps` is asked for when closing begins, so a step can name what exists by then. Without
   * a logger, failures are not logged (a part with nothing to log them to), still never thrown.
   */
  constructor(private readonly what: string, private readonly steps: () => CloseStep[], private readonly logger?: Logger) {}

  /** Closing has begun (it may not have ended). */
  get begun(): boolean {
    return this.closing !== undefined;
  }

  /** Idempotent; never rejects. */
  close(): Promise<void> {
    this.closing ??= this.runSteps();
    return this.closing;
  }

  private async runSteps(): Promise<void> {
    for (const step of this.steps()) {
      try {
        const done = Promise.resolve().then(() => step.run());
        if (step.deadlineMs === undefined) {
          await done;
          continue;
        }
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), step.deadlineMs)));
        const first = await Promise.race([done, late]).finally(() => clearTimeout(timer));
        if (first !== 'late') continue;
        done.catch(() => undefined); // left behind: its end no longer matters
        this.logger?.warn({ closing: this.what, step: step.name, deadlineMs: step.deadlineMs }, 'a closing step passed its deadline; forced');
        step.force?.();
      } catch (err) {
        this.logger?.error({ closing: this.what, step: step.name, err: errorMessage(err) }, 'a closing step failed; the rest still run');
      }
    }
  }
}
