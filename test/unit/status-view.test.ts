// Which tasks a run's status lists (scheduler/api/views.ts): all of a small run; of a big one each
// step's first tasks and its failed ones; pages, states and steps on request; so that a status
// stays one small document whatever the run's size.
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../core/codec.js';
import { compileJob } from '../../core/job-spec.js';
import { runStatus, type TaskView } from '../../scheduler/api/views.js';
import { expandStep, newRunState, setTaskState, type RunState } from '../../scheduler/flow/run-state.js';
import type { RunRecord } from '../../scheduler/state/records.js';

const run = { module: './m.mjs' };
const job = { name: 'j', steps: { start: { run, next: 'work' }, work: { run, foreach: { from: 'start.items' }, catch: true, next: 'pick' }, pick: { run, join: true } } };

/** A run whose foreach has `items` tasks; those at `failed` indices failed (caught), the others succeeded. */
function runWith(items: number, failed: (i: number) => boolean = () => false): RunState {
  const record: RunRecord = { id: 'r', job, params: {}, codeDir: '', codePackage: '', source: '', seq: 0, createdAtMs: 0, state: 'running' };
  const r = newRunState(record, compileJob(job, 'job'));
  const [start] = expandStep(r, 'start')!;
  start!.result = encodeValue({ items: Array.from({ length: items }, (_, i) => i) });
  setTaskState(r, start!, 'succeeded');
  for (const t of expandStep(r, 'work')!) {
    t.caught = failed(t.index);
    setTaskState(r, t, failed(t.index) ? 'failed' : 'succeeded');
  }
  expandStep(r, 'pick');
  return r;
}

const listed = (r: RunState, view: TaskView) => Object.fromEntries(runStatus(r, () => undefined, view).steps!.map((s) => [s.name, s.tasks!.map((t) => t.index)]));

describe('the tasks a status lists', () => {
  it('lists every task of a run of up to 2,000 tasks', () => {
    // 1 + 1,998 + 1 = 2,000 tasks
    expect(listed(runWith(1_998), {}).work).toHaveLength(1_998);
  });

  it('of a bigger run, lists each step\'s first 10 tasks and up to 100 failed ones after them', () => {
    const r = runWith(5_000, (i) => i % 20 === 7);
    const work = listed(r, {}).work!;
    // 0..9, then failed 27, 47, ... (7 is among the first ten): 100 of them
    expect(work.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(work.slice(10, 13)).toEqual([27, 47, 67]);
    expect(work).toHaveLength(110);
    expect(listed(r, {}).pick).toEqual([0]);
  });

  it.each([
    ['a page of 100', { limit: 100, page: 2 }, { start: [], pick: [], firstWork: 200, work: 100 }],
    ['failed ones only, 100 a page', { state: 'failed' }, { start: [], pick: [], firstWork: 7, work: 100 }],
    ['the second page of failed ones', { state: 'failed', limit: 100, page: 1 }, { start: [], pick: [], firstWork: 2_007, work: 100 }],
    ['one step, 100 a page', { step: 'pick' }, { start: [], pick: [0], firstWork: undefined, work: 0 }],
  ])('on request: %s', (_what, view, expected) => {
    const tasks = listed(runWith(5_000, (i) => i % 20 === 7), view as TaskView);
    expect(tasks.work!.length).toBe(expected.work);
    expect(tasks.work![0]).toBe(expected.firstWork);
    expect(tasks.start).toEqual(expected.start);
    expect(tasks.pick).toEqual(expected.pick);
  });

  it('lists every task when asked, and none for counts only', () => {
    const r = runWith(5_000);
    expect(listed(r, { all: true }).work).toHaveLength(5_000);
    expect(listed(r, null)).toEqual({ start: [], work: [], pick: [] });
    expect(listed(r, { none: true })).toEqual({ start: [], work: [], pick: [] });
  });

  it('stays one small document for a run of 200,000 tasks, every one failed', () => {
    const status = runStatus(runWith(200_000, () => true), () => undefined, {});
    expect(status.steps![1]!.total).toBe(200_000);
    expect(JSON.stringify(status).length).toBeLessThan(100_000);
  });

  it('refuses a step the run does not have', () => {
    expect(() => runStatus(runWith(3), () => undefined, { step: 'nope' })).toThrow(/no such step \(steps: start, work, pick\)/);
  });
});
