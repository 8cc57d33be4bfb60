// When an agent tells the scheduler a task started: only once it has run for the delay, and
// never for a task that ended (and was reported finished) before that.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StartReports, type StartedTask } from '../../agent/start-reports.js';

describe('start reports', () => {
  let sent: StartedTask[];
  let running: Set<string>;
  let reports: StartReports;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000 });
    sent = [];
    running = new Set();
    reports = new StartReports(50, (id) => running.has(id), (t) => sent.push(t));
  });
  afterEach(() => {
    reports.close();
    vi.useRealTimers();
  });
  const start = (taskId: string) => {
    running.add(taskId);
    reports.started({ taskId, attempt: 1, atMs: Date.now() });
  };

  it('reports a task still running after the delay, with its start time', () => {
    start('a');
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ taskId: 'a', attempt: 1, atMs: 1_000 }]);
  });

  it('never reports a task that ended within the delay', () => {
    start('short');
    vi.advanceTimersByTime(10);
    running.delete('short');
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([]);
  });

  it('reports each start no sooner than the delay after it, however starts fall in the window', () => {
    start('a');
    vi.advanceTimersByTime(30);
    start('b');
    vi.advanceTimersByTime(20);
    expect(sent.map((t) => t.taskId)).toEqual(['a']);
    vi.advanceTimersByTime(29);
    expect(sent.map((t) => t.taskId)).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(sent.map((t) => t.taskId)).toEqual(['a', 'b']);
  });

  it('sends nothing after close', () => {
    start('a');
    reports.close();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([]);
  });
});
