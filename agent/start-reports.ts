/**
 * StartReports: tells the scheduler a task started only once it has run for `delayMs`. A task
 * that ends sooner is reported once, finished (that report carries its start time), so short
 * tasks cost one update instead of two and the agent's thread is not encoding a start while the
 * task runs. Longer tasks show as running `delayMs` late, well inside a status refresh.
 */
export interface StartedTask {
  taskId: string;
  attempt: number;
  atMs: number;
}

export class StartReports {
  /** In the order they started. */
  private waiting: StartedTask[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    /** Whether the attempt still runs (has not ended and been reported): only those are sent. */
    private readonly stillRunning: (taskId: string, attempt: number) => boolean,
    private readonly send: (started: StartedTask) => void,
    private readonly now: () => number = Date.now,
  ) {}

  started(task: StartedTask): void {
    this.waiting.push(task);
    this.timer ??= setTimeout(() => this.reportDue(), this.delayMs);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
  }

  /** Sends the starts `delayMs` old whose tasks still run; waits again for the rest. */
  private reportDue(): void {
    this.timer = undefined;
    const cutoff = this.now() - this.delayMs;
    let due = 0;
    while (due < this.waiting.length && this.waiting[due]!.atMs <= cutoff) due++;
    const reported = this.waiting.slice(0, due);
    this.waiting = this.waiting.slice(due);
    for (const t of reported) if (this.stillRunning(t.taskId, t.attempt)) this.send(t);
    if (this.waiting.length) this.timer = setTimeout(() => this.reportDue(), Math.max(1, this.waiting[0]!.atMs - cutoff));
  }
}
