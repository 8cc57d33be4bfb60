// The pure planning functions of a run: expansion, readiness, inputs, resume reuse.
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../core/codec.js';
import { compileJob } from '../../core/job-spec.js';
import {
  allDone, buildInput, dependentsOf, expandStep, itemOf, newRunState, parentsSettled, reusable, reusableTasks, setTaskState, stepState,
  type RunState, type TaskState,
} from '../../scheduler/flow/run-state.js';
import type { RunRecord } from '../../scheduler/state/records.js';

const run = { module: './m.mjs' };
function runOf(steps: Record<string, unknown>, id = 'r1'): RunState {
  const job = { name: 'j', steps };
  const record: RunRecord = { id, job, params: {}, codeDir: '', codePackage: '', source: '', seq: 0, createdAtMs: 0, state: 'running' };
  return newRunState(record, compileJob(job, 'job'));
}
function succeed(r: RunState, t: TaskState, value: unknown): void {
  t.result = encodeValue(value);
  setTaskState(r, t, 'succeeded');
}

const sweep = { start: { run, next: 'train' }, train: { run, foreach: ['a', 'b', 'c'], next: 'score' }, score: { run, next: 'pick' }, pick: { run, join: true } };

describe('run planning', () => {
  it('expands a foreach and the per-item step after it with the same items', () => {
    const r = runOf(sweep);
    for (const name of r.order) expandStep(r, name);
    expect(r.steps.get('train')!.tasks!.map((t) => decodeValue(itemOf(r, t)))).toEqual(['a', 'b', 'c']);
    expect(r.steps.get('score')!.tasks!.map((t) => decodeValue(itemOf(r, t)))).toEqual(['a', 'b', 'c']);
    expect(r.steps.get('pick')!.tasks).toHaveLength(1);
    // 1 + 3 + 3 + 1 tasks open, nothing unexpanded
    expect([r.unexpanded, r.open]).toEqual([0, 8]);
  });

  it("gives a step's state from its tasks' states, caught failures counting as settled", () => {
    const states = (catching: boolean, ends: ('succeeded' | 'failed' | 'cancelled')[]) => {
      const r = runOf({ start: { run, foreach: ['a', 'b'], ...(catching ? { catch: true } : {}), next: 'join' }, join: { run, join: true } });
      const step = r.steps.get('start')!;
      const seen = [stepState(step)];
      expandStep(r, 'start');
      const [a, b] = step.tasks!;
      seen.push(stepState(step));
      for (const t of [a!, b!]) setTaskState(r, t, 'queued');
      setTaskState(r, a!, 'running');
      seen.push(stepState(step));
      ends.forEach((end, i) => {
        const t = [a!, b!][i]!;
        t.caught = end === 'failed' && catching;
        setTaskState(r, t, end);
      });
      seen.push(stepState(step));
      return seen;
    };
    expect(states(false, ['succeeded', 'succeeded'])).toEqual(['pending', 'queued', 'running', 'succeeded']);
    expect(states(false, ['succeeded', 'failed'])).toEqual(['pending', 'queued', 'running', 'failed']);
    expect(states(true, ['failed', 'succeeded'])).toEqual(['pending', 'queued', 'running', 'succeeded']);
    expect(states(true, ['failed', 'cancelled'])).toEqual(['pending', 'queued', 'running', 'cancelled']);
  });

  it('readies a per-item task on its own item, and the join on all items', () => {
    const r = runOf(sweep);
    for (const name of r.order) expandStep(r, name);
    const [start] = r.steps.get('start')!.tasks!;
    const train = r.steps.get('train')!.tasks!;
    const score = r.steps.get('score')!.tasks!;
    const [pick] = r.steps.get('pick')!.tasks!;
    succeed(r, start!, 'prepared');
    expect(train.every((t) => parentsSettled(r, t))).toBe(true);
    succeed(r, train[1]!, 'b-model');
    expect(dependentsOf(r, train[1]!)).toEqual([score[1]]);
    expect(parentsSettled(r, score[1]!)).toBe(true);
    expect(parentsSettled(r, score[0]!)).toBe(false);
    score.forEach((t, i) => succeed(r, t, { item: i }));
    expect(dependentsOf(r, score[2]!)).toEqual([pick]);
    expect(decodeValue(buildInput(r, pick!))).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
    expect(decodeValue(buildInput(r, score[1]!))).toBe('b-model');
  });

  it('gives a join a caught failure as { error, attempts }', () => {
    const r = runOf({ start: { run, foreach: [1, 2], next: 'j', catch: true }, j: { run, join: true } });
    for (const name of r.order) expandStep(r, name);
    const [a, b] = r.steps.get('start')!.tasks!;
    succeed(r, a!, 'ok');
    b!.caught = true;
    b!.error = { code: 'TASK_FAILED', message: 'boom' };
    b!.attempts = [{ attempt: 1, agentId: 'x', startedAtMs: 0, finishedAtMs: 1, error: b!.error }];
    setTaskState(r, b!, 'failed');
    expect(decodeValue(buildInput(r, r.steps.get('j')!.tasks![0]!))).toEqual(['ok', { error: { code: 'TASK_FAILED', message: 'boom' }, attempts: 1 }]);
  });

  it('gives a step with several parents their results by name', () => {
    const r = runOf({ start: { run, next: ['l', 'r'] }, l: { run, next: 'm' }, r: { run, next: 'm' }, m: { run } });
    for (const name of r.order) expandStep(r, name);
    succeed(r, r.steps.get('l')!.tasks![0]!, 1);
    succeed(r, r.steps.get('r')!.tasks![0]!, 2);
    expect(decodeValue(buildInput(r, r.steps.get('m')!.tasks![0]!))).toEqual({ l: 1, r: 2 });
  });

  it('expands foreach from: only once the producer succeeded', () => {
    const r = runOf({ start: { run, next: 'f' }, f: { run, foreach: { from: 'start.items' }, next: 'j' }, j: { run, join: true } });
    expandStep(r, 'start');
    expect(expandStep(r, 'f')).toBeNull();
    succeed(r, r.steps.get('start')!.tasks![0]!, { items: [10, 20] });
    expect(expandStep(r, 'f')!.map((t) => decodeValue(itemOf(r, t)))).toEqual([10, 20]);
  });

  it('knows the run is done when every step is expanded and every task terminal', () => {
    const r = runOf({ start: { run } });
    expect(allDone(r)).toBe(false);
    expandStep(r, 'start');
    succeed(r, r.steps.get('start')!.tasks![0]!, 1);
    expect(allDone(r)).toBe(true);
  });
});

describe('resume reuse', () => {
  function finished(): RunState {
    const r = runOf(sweep, 'old');
    for (const name of r.order) expandStep(r, name);
    succeed(r, r.steps.get('start')!.tasks![0]!, 'prepared');
    r.steps.get('train')!.tasks!.forEach((t, i) => (i === 1 ? setTaskState(r, t, 'failed') : succeed(r, t, i)));
    return r;
  }

  it('offers the succeeded tasks, minus --from and everything after it', () => {
    const old = finished();
    expect([...reusableTasks(old, old).keys()]).toEqual(['start/0', 'train/0', 'train/2']);
    expect([...reusableTasks(old, old, { fromStep: 'train' }).keys()]).toEqual(['start/0']);
  });

  it('offers nothing when the params differ, whatever their keys\' order', () => {
    const old = finished();
    const withParams = (params: Record<string, unknown>) => ({ job: old.job, record: { ...old.record, params } });
    old.record.params = { seed: 1, lr: { base: 0.1, decay: 0.9 } };
    expect(reusableTasks(old, withParams({ lr: { decay: 0.9, base: 0.1 }, seed: 1 })).size).toBe(3);
    expect(reusableTasks(old, withParams({ seed: 7, lr: { base: 0.1, decay: 0.9 } })).size).toBe(0);
  });

  it('offers nothing when the code changed, unless told to ignore it; the job file is not code', () => {
    const old = finished();
    old.record.codeDigest = 'a'.repeat(64);
    old.record.codePackage = 'p1';
    const later = (record: Partial<RunRecord>) => ({ job: old.job, record: { ...old.record, ...record } });
    // Only the job file changed: a new package, the same digest.
    expect(reusableTasks(old, later({ codePackage: 'p2' })).size).toBe(3);
    expect(reusableTasks(old, later({ codePackage: 'p2', codeDigest: 'b'.repeat(64) })).size).toBe(0);
    expect(reusableTasks(old, later({ codePackage: 'p2', codeDigest: 'b'.repeat(64) }), { ignoreCode: true }).size).toBe(3);
    expect([...reusableTasks(old, later({ codeDigest: 'b'.repeat(64) }), { ignoreCode: true, fromStep: 'train' }).keys()]).toEqual(['start/0']);
    // A run without a digest (submitted through the API without one) compares by package.
    const { codeDigest: _, ...withoutDigest } = old.record;
    expect(reusableTasks(old, { job: old.job, record: withoutDigest }).size).toBe(3);
    expect(reusableTasks(old, { job: old.job, record: { ...withoutDigest, codePackage: 'p2' } }).size).toBe(0);
  });

  it('leaves out a step whose definition changed (what it runs, its items, its parents), not one whose limits did', () => {
    const old = finished();
    const changed = (steps: Record<string, unknown>) => runOf(steps, 'new');
    const offered = (steps: Record<string, unknown>) => [...reusableTasks(old, changed(steps)).keys()];
    expect(offered({ ...sweep, train: { ...sweep.train, run: { module: './m.mjs', export: 'other' } } })).toEqual(['start/0']);
    expect(offered({ ...sweep, train: { ...sweep.train, foreach: ['a', 'b', 'd'] } })).toEqual(['start/0']);
    expect(offered({ ...sweep, train: { ...sweep.train, resources: { cpu: 2 }, retry: { times: 3 } } })).toEqual(['start/0', 'train/0', 'train/2']);
    expect(offered({ ...sweep, start: { run, next: ['pre', 'train'] }, pre: { run, next: 'train' } })).toEqual(['start/0']);
  });

  it('reuses a task only when its item matches and its inputs were reused too', () => {
    const old = finished();
    const r = runOf(sweep, 'new');
    r.reuse = reusableTasks(old, old);
    r.reuseItems = old;
    for (const name of r.order) expandStep(r, name);
    const start = r.steps.get('start')!.tasks![0]!;
    expect(reusable(r, start)).toBe(old.steps.get('start')!.tasks![0]);
    const train0 = r.steps.get('train')!.tasks![0]!;
    expect(reusable(r, train0)).toBeUndefined(); // start not marked reused yet
    start.reusedFrom = 'old';
    expect(reusable(r, train0)).toBe(old.steps.get('train')!.tasks![0]);
    expect(reusable(r, r.steps.get('train')!.tasks![1]!)).toBeUndefined(); // failed before
    // The same job with another item at index 0: that task is not the earlier one.
    const changed = runOf({ ...sweep, train: { ...sweep.train, foreach: ['changed', 'b', 'c'] } }, 'changed');
    changed.reuse = r.reuse;
    changed.reuseItems = old;
    for (const name of changed.order) expandStep(changed, name);
    changed.steps.get('start')!.tasks![0]!.reusedFrom = 'old';
    expect(reusable(changed, changed.steps.get('train')!.tasks![0]!)).toBeUndefined();
    expect(reusable(changed, changed.steps.get('train')!.tasks![2]!)).toBe(old.steps.get('train')!.tasks![2]);
  });

  it('expands a big step a slice at a time; it counts as expanded only after the last slice', () => {
    const r = runOf({ start: { run, next: 'f' }, f: { run, foreach: { from: 'start.items' }, next: 'j' }, j: { run, join: true } });
    expandStep(r, 'start');
    succeed(r, r.steps.get('start')!.tasks![0]!, { items: Array.from({ length: 25 }, (_, i) => i * 2) });
    expandStep(r, 'j');
    const slices = [expandStep(r, 'f', 10), expandStep(r, 'f', 10), expandStep(r, 'f', 10), expandStep(r, 'f', 10)];
    expect(slices.map((sl) => sl?.map((t) => t.index)[0] ?? null)).toEqual([0, 10, 20, null]);
    expect(slices.map((sl) => sl?.length ?? null)).toEqual([10, 10, 5, null]);
    expect(decodeValue(itemOf(r, r.steps.get('f')!.tasks![24]!))).toBe(48);
    // 1 + 25 + 1 tasks, start succeeded
    expect([r.unexpanded, r.open]).toEqual([0, 26]);
  });

  it('refuses a computed list longer than the cluster allows, or a field that is not a list', () => {
    const r = runOf({ start: { run, next: 'f' }, f: { run, foreach: { from: 'start.items' }, next: 'j' }, j: { run, join: true } });
    expandStep(r, 'start');
    succeed(r, r.steps.get('start')!.tasks![0]!, { items: [1, 2, 3], other: 'x' });
    expect(() => expandStep(r, 'f', Infinity, 2)).toThrow('foreach from start.items: 3 items, more than this cluster\'s limit of 2 (--max-foreach-items)');
    const s2 = runOf({ start: { run, next: 'f' }, f: { run, foreach: { from: 'start.other' }, next: 'j' }, j: { run, join: true } });
    expandStep(s2, 'start');
    succeed(s2, s2.steps.get('start')!.tasks![0]!, { items: [1, 2, 3], other: 'x' });
    expect(() => expandStep(s2, 'f')).toThrow('foreach from start.other: expected a list, got string');
  });
});
