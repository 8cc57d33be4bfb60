// What an agent's link sends of the task updates queued in one tick.
import { describe, expect, it } from 'vitest';
import { withoutSupersededStarts } from '../../agent/link/scheduler-link.js';
import type { TaskUpdate } from '../../proto/types.js';

const started = (task_id: string, attempt: number): TaskUpdate => ({ task_id, attempt, started: { at_ms: 1 } });
const finished = (task_id: string, attempt: number): TaskUpdate => ({ task_id, attempt, finished: { ok: true, started_at_ms: 1, finished_at_ms: 2 } });
const log = (task_id: string, attempt: number): TaskUpdate => ({ task_id, attempt, log: { lines: [{ at_ms: 1, stream: 'log', text: 'hi' }] } });

describe('task updates of one batch', () => {
  it('drops the start of an attempt that ends in the same batch, keeping everything else in order', () => {
    const updates = [started('a', 1), log('a', 1), started('b', 1), finished('a', 1), started('c', 2), finished('c', 1)];
    expect(withoutSupersededStarts(updates)).toEqual([log('a', 1), started('b', 1), finished('a', 1), started('c', 2), finished('c', 1)]);
  });

  it('sends a batch with no ends as it is', () => {
    const updates = [started('a', 1), log('a', 1)];
    expect(withoutSupersededStarts(updates)).toBe(updates);
  });
});
