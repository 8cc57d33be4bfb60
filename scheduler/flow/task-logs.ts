/**
 * Task logs as they stream in from agents: a bounded buffer per task, and followers that get
 * new lines until the task ends. The whole log of a finished task goes to the chunk store; this
 * buffer is what `clusterctl logs --follow` reads while a task runs.
 */
import type { LogLine } from '../../proto/types.js';

const maxLinesPerTask = 10_000;

type Follower = (line: LogLine | null) => void;

interface TaskLog {
  lines: LogLine[];
  dropped: number;
  ended: boolean;
  followers: Set<Follower>;
}

export class TaskLogs {
  private readonly logs = new Map<string, TaskLog>();

  append(taskId: string, lines: readonly LogLine[]): void {
    const log = this.entry(taskId);
    for (const line of lines) {
      log.lines.push(line);
      for (const f of log.followers) f(line);
    }
    const excess = log.lines.length - maxLinesPerTask;
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
    return log.dropped ? [{ at_ms: 0, stream: 'log', text: `[${log.dropped} earlier lines dropped]` }, ...log.lines] : log.lines;
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
      log = { lines: [], dropped: 0, ended: false, followers: new Set() };
      this.logs.set(taskId, log);
    }
    return log;
  }
}
