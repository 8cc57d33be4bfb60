// What an assignment carries of a task's input (scheduler/flow/assignment.ts): an input every
// task of the step shares goes once in the step's part, inline up to 64 KiB and by name above;
// a task's own input likewise; the named input, spliced in slices, is the same bytes.
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../core/codec.js';
import { compileJob } from '../../core/job-spec.js';
import { inlineInputMaxBytes, stepShared, taskAssignment } from '../../scheduler/flow/assignment.js';
import { buildInput, expandStep, inputPieces, newRunState, setTaskState, type RunState } from '../../scheduler/flow/run-state.js';
import type { RunRecord } from '../../scheduler/state/records.js';

const run = { module: './m.mjs' };
const job = {
  name: 'j',
  steps: {
    start: { run, next: 'work' },
    work: { run, foreach: { from: 'start.items' }, next: 'score' },
    score: { run, next: 'pick' },
    pick: { run, join: true },
  },
};

/** A run whose start returned `items` (and `pad` bytes of padding), its work and score items each `result(i)`. */
function runAfterWork(items: number, pad: number, result: (i: number) => unknown): RunState {
  const record: RunRecord = { id: 'r', job, params: {}, codeDir: '', codePackage: '', source: '', seq: 0, createdAtMs: 0, state: 'running' };
  const r = newRunState(record, compileJob(job, 'job'));
  const [start] = expandStep(r, 'start')!;
  start!.result = encodeValue({ items: Array.from({ length: items }, (_, i) => i), pad: 'x'.repeat(pad) });
  setTaskState(r, start!, 'succeeded');
  for (const t of expandStep(r, 'work')!) {
    t.result = encodeValue(result(t.index));
    setTaskState(r, t, 'succeeded');
  }
  expandStep(r, 'score');
  for (const t of r.steps.get('score')!.tasks!) {
    t.result = encodeValue(result(t.index));
    setTaskState(r, t, 'succeeded');
  }
  expandStep(r, 'pick');
  return r;
}

describe('inputs in assignments', () => {
  it('sends a small shared input once, in the step part, and none with each task', () => {
    const r = runAfterWork(3, 0, (i) => i);
    const work = r.steps.get('work')!.tasks![1]!;
    expect(decodeValue(stepShared(r, work).input as Uint8Array)).toEqual({ items: [0, 1, 2], pad: '' });
    expect(stepShared(r, work).input_ref).toBeUndefined();
    expect(taskAssignment(r, work).input).toBeUndefined();
    expect(taskAssignment(r, work).input_ref).toBeUndefined();
  });

  it('names a shared input over 64 KiB instead of sending it', () => {
    const r = runAfterWork(3, inlineInputMaxBytes, (i) => i);
    const work = r.steps.get('work')!.tasks![0]!;
    expect(stepShared(r, work).input).toBeUndefined();
    expect(stepShared(r, work).input_ref).toEqual({ run_id: 'r', step: 'work', index: -1 });
  });

  it('sends a task its own input when a parent shares its foreach scope, by name when big', () => {
    const r = runAfterWork(3, 0, (i) => (i === 2 ? 'y'.repeat(inlineInputMaxBytes) : `small-${i}`));
    const score = r.steps.get('score')!.tasks!;
    expect(stepShared(r, score[0]!).input).toBeUndefined();
    expect(decodeValue(taskAssignment(r, score[0]!).input as Uint8Array)).toBe('small-0');
    expect(taskAssignment(r, score[2]!).input).toBeUndefined();
    expect(taskAssignment(r, score[2]!).input_ref).toEqual({ run_id: 'r', step: 'score', index: 2 });
  });

  it('names a join over many results, whose pieces splice into the same bytes as the whole', () => {
    // 20,000 results of ~4 bytes each: ~80 KB, over the limit
    const r = runAfterWork(20_000, 0, (i) => i * 1000);
    const pick = r.steps.get('pick')!.tasks![0]!;
    expect(stepShared(r, pick).input_ref).toEqual({ run_id: 'r', step: 'pick', index: -1 });
    const spliced = Buffer.concat([...inputPieces(r, pick)]);
    expect(spliced.equals(Buffer.from(buildInput(r, pick)))).toBe(true);
    const joined = decodeValue(spliced) as number[];
    expect(joined).toHaveLength(20_000);
    expect(joined[19_999]).toBe(19_999_000);
  });
});
