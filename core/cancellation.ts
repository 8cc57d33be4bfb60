/**
 * A one-shot cancellation for work an agent runs. An AbortController costs several
 * microseconds to create and its EventTarget listeners more, which is more than a no-op task
 * costs to run; this is a flag and a short list of callbacks, with a real AbortSignal made
 * only for the APIs that need one.
 */
export class Cancellation {
  private cause: Error | undefined;
  private listeners: ((reason: Error) => void)[] = [];
  private controller: AbortController | undefined;

  get cancelled(): boolean {
    return this.cause !== undefined;
  }

  /** Cancels once: later calls are ignored. */
  cancel(reason: Error = new Error('cancelled')): void {
    if (this.cause) return;
    this.cause = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(reason);
    this.controller?.abort(reason);
  }

  /** Calls `listener` on cancellation (at once if cancelled already); returns how to unsubscribe. */
  onCancel(listener: (reason: Error) => void): () => void {
    if (this.cause) {
      listener(this.cause);
      return () => {};
    }
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** An AbortSignal that follows this cancellation, for fetch-like APIs. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cause) this.controller.abort(this.cause);
    }
    return this.controller.signal;
  }
}
