/**
 * Task logs as they stream in from agents: a bounded buffer per task, and followers that get
 * new lines until the task ends. The agent keeps each attempt's whole log and stores it in the
 * chunk store when the task ends; this buffer is only what `clusterctl logs --follow` reads
 * while a task runs, so it is bounded (lines, characters, and characters per second per task) and what
 * goes over is dropped here, counted, and said so.
 */
import type { LogLine } from '../../proto/types.js';

export const logLimits = {
  linesPerTask: 10_000,
  /** Characters of text kept per task (about bytes, for ASCII): the oldest lines go first. */
  charsPerTask: 1 << 20,
  /** A longer line is cut to this many characters. */
  lineChars: 16 << 10,
  /** Sustained characters per second per task; a burst of `charsPerTask` passes. */
  charsPerSecond: 256 << 10,
};

type Follower = (line: LogLine | null) => void;

interface TaskLog {
  lines: LogLine[];
  /** Characters of text in `lines`. */
  chars: number;
  /** Lines evicted (the oldest, over the line or byte bound). */
  dropped: number;
  /** Lines refused for going over the rate. */
  throttled: number;
  /** Token bucket of the rate: characters that may still come, as of `refilledAtMs`. */
  allowance: number;
  refilledAtMs: number;
  ended: boolean;
  followers: Set<Follower>;
}

export class TaskLogs {
  private readonly logs = new Map<string, TaskLog>();

  constructor(private readonly now: () => number = Date.now) {}

  append(taskId: string, lines: readonly LogLine[]): void {
    const log = this.entry(taskId);
    const now = this.now();
    log.allowance = Math.min(logLimits.charsPerTask, log.allowance + ((now - log.refilledAtMs) * logLimits.charsPerSecond) / 1000);
    log.refilledAtMs = now;
    for (const raw of lines) {
      const text = raw.text ?? '';
      const line = text.length > logLimits.lineChars ? { ...raw, text: `${text.slice(0, logLimits.lineChars)}… [${text.length - logLimits.lineChars} more characters cut]` } : raw;
      const size = line.text?.length ?? 0;
      if (size > log.allowance) {
        log.throttled++;
        continue;
      }
      log.allowance -= size;
      log.lines.push(line);
      log.chars += size;
      for (const f of log.followers) f(line);
    }
    let excess = 0;
    while (log.lines.length - excess > logLimits.linesPerTask || (log.chars > logLimits.charsPerTask && excess < log.lines.length)) {
      log.chars -= log.lines[excess]!.text?.length ?? 0;
      excess++;
    }
    if (excess > 0) {
      log.lines.splice(0, excess);
      log.dropped += excess;
    }
  }

  /** Marks a task's log complete; followers get `null` and are dropped. */
  end(taskId: string): void {
    const log = this.logs.get(taskId);
    if (!log) return;
    log.ended = true;
    for (const f of log.followers) f(null);
    log.followers.clear();
  }

  /** Reopens a task's log for a new attempt. */
  reopen(taskId: string): void {
    const log = this.logs.get(taskId);
    if (log) log.ended = false;
  }

  lines(taskId: string): LogLine[] {
    const log = this.logs.get(taskId);
    if (!log) return [];
    const notes: LogLine[] = [];
    if (log.dropped) notes.push({ at_ms: 0, stream: 'log', text: `[${log.dropped} earlier lines dropped: the live log keeps the last ${logLimits.linesPerTask} lines or ${logLimits.charsPerTask >> 20} Mi characters; the stored log has them all]` });
    if (log.throttled) notes.push({ at_ms: 0, stream: 'log', text: `[${log.throttled} lines not shown live: over ${logLimits.charsPerSecond >> 10} Ki characters/s; the stored log has them all]` });
    return notes.length ? [...notes, ...log.lines] : log.lines;
  }

  /**
   * Calls `follower` with each new line, then `null` when the task ends. Returns unsubscribe.
   * Only call it for a task that has not ended: a task with no log yet is taken as running.
   */
  follow(taskId: string, follower: Follower): () => void {
    const log = this.entry(taskId);
    if (log.ended) {
      follower(null);
      return () => {};
    }
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  forget(taskId: string): void {
    this.logs.delete(taskId);
  }

  /** Forgets the logs of every task of a run (only tasks with lines or followers have any). */
  forgetRun(runId: string): void {
    const prefix = `${runId}/`;
    for (const taskId of this.logs.keys()) if (taskId.startsWith(prefix)) this.logs.delete(taskId);
  }

  private entry(taskId: string): TaskLog {
    let log = this.logs.get(taskId);
    if (!log) {
      log = { lines: [], chars: 0, dropped: 0, throttled: 0, allowance: logLimits.charsPerTask, refilledAtMs: this.now(), ended: false, followers: new Set() };
      this.logs.set(taskId, log);
    }
    return log;
  }
}
