// Task records in segments (scheduler/flow/task-record-log.ts): the records of a run written in
// one turn go in one segment, those written while it commits in the next; segment keys sort in
// the order written, a later record of a task supersedes an earlier one, and a restored run's
// segments continue after its last.
import { describe, expect, it } from 'vitest';
import { TaskRecordLog } from '../../scheduler/flow/task-record-log.js';
import { Packr } from 'msgpackr';
import { decodeTaskRecords, decodeTaskValue, encodeRecord, encodeSegment, keys, latestTaskRecords, putRecord, segmentNumber, type TaskRecord } from '../../scheduler/state/records.js';
import type { WriteOp } from '../../scheduler/state/state-store.js';

/** A persist whose commits the test completes, in order. */
function scriptedStore() {
  const commits: Array<{ ops: WriteOp[]; done(): void; fail(err: Error): void }> = [];
  const persist = (ops: WriteOp[]) => new Promise<void>((resolve, reject) => commits.push({ ops, done: resolve, fail: reject }));
  const segments = () => commits.map((c) => c.ops[0] as Extract<WriteOp, { op: 'put' }>);
  return { commits, persist, segments };
}

const record = (index: number, state: TaskRecord['state'], attempts = 1): TaskRecord => ({
  runId: 'r', step: 'work', index, ...(state ? { state } : {}),
  attempts: Array.from({ length: attempts }, (_, i) => ({ attempt: i + 1, agentId: 'a', startedAtMs: 1, finishedAtMs: 2 })),
});
const turn = () => new Promise((resolve) => setImmediate(resolve));
/** `log.write` as a promise: resolved once the record's segment is committed. */
const written = (log: TaskRecordLog, r: TaskRecord) => new Promise<void>((resolve, reject) => log.write(r, (err) => (err === undefined ? resolve() : reject(err))));

describe('task record log', () => {
  it('writes a turn\'s records of a run as one segment, and what comes meanwhile as the next', async () => {
    const store = scriptedStore();
    const log = new TaskRecordLog(store.persist);
    const first = [written(log, record(0, 'succeeded')), written(log, record(1, undefined)), written(log, record(2, 'succeeded'))];
    await turn();
    expect(store.commits).toHaveLength(1);
    const later = [written(log, record(1, 'failed', 2)), written(log, record(3, 'succeeded'))];
    await turn();
    expect(store.commits).toHaveLength(1); // waits for the segment being written
    store.commits[0]!.done();
    await Promise.all(first);
    await turn();
    expect(store.commits).toHaveLength(2);
    store.commits[1]!.done();
    await Promise.all(later);

    const [a, b] = store.segments();
    expect([a!.key, b!.key]).toEqual([keys.taskSegment('r', 0), keys.taskSegment('r', 1)]);
    expect(a!.key < b!.key).toBe(true);
    expect(decodeTaskValue(a!.value).map((r) => r.index)).toEqual([0, 1, 2]);
    // Read back in key order, each task's last record counts: task 1 failed on its second attempt.
    const latest = latestTaskRecords([...decodeTaskValue(a!.value), ...decodeTaskValue(b!.value)]);
    expect(latest.map((r) => [r.index, r.state ?? 'retrying', r.attempts.length])).toEqual([[0, 'succeeded', 1], [2, 'succeeded', 1], [1, 'failed', 2], [3, 'succeeded', 1]]);
  });

  it('continues a restored run after its last segment, and fails the writers of a segment that did not commit', async () => {
    const store = scriptedStore();
    const log = new TaskRecordLog(store.persist);
    log.continueAfter('r', 41);
    const lost = written(log, record(0, 'succeeded'));
    await turn();
    expect(segmentNumber(store.segments()[0]!.key)).toBe(42);
    store.commits[0]!.fail(new Error('lease lost'));
    await expect(lost).rejects.toThrow('lease lost');
    const again = written(log, record(0, 'succeeded'));
    await turn();
    expect(segmentNumber(store.segments()[1]!.key)).toBe(43);
    store.commits[1]!.done();
    await again;
  });

  it('stores a record as positions, not field names, and reads every field of it back', () => {
    const full: TaskRecord = {
      runId: 'sweep-1', step: 'work', index: 123_456, state: 'failed', caught: true, reusedFrom: 'sweep-0',
      attempts: [
        { attempt: 1, agentId: 'agent-1', startedAtMs: 1_796_281_446_564, finishedAtMs: 1_796_281_446_600, lost: true },
        { attempt: 2, agentId: 'agent-2', startedAtMs: 1_796_281_446_700, finishedAtMs: 1_796_281_446_900, error: { code: 'TASK_FAILED', message: 'boom', stack: 'at x' }, logObject: 'log-1' },
      ],
      result: Uint8Array.from([0xcd, 1, 2]), resultObject: 'obj-1', artifacts: [{ name: 'model.pt', objectId: 'obj-2', sizeBytes: 10 }],
      error: { code: 'TASK_FAILED', message: 'boom' },
    };
    const plain: TaskRecord = { runId: 'sweep-1', step: 'work', index: 7, state: 'succeeded', attempts: [{ attempt: 1, agentId: 'agent-1', startedAtMs: 1_796_281_446_564, finishedAtMs: 1_796_281_446_600 }], result: Uint8Array.from([7]) };
    const segment = encodeSegment('sweep-1', [encodeRecord(full), encodeRecord(plain)]);
    const [a, b] = decodeTaskValue(segment);
    expect({ ...a, result: [...a!.result!] }).toEqual({ ...full, result: [...full.result!] });
    expect({ ...b, result: [...b!.result!] }).toEqual({ ...plain, result: [7] });
    // A map with its field names took ~180 bytes for such a record.
    expect(encodeRecord(plain).length).toBeLessThan(60);
  });

  it('reads a tasks object that holds segments of both layouts, each task\'s last record counting', () => {
    const maps = new Packr({ useRecords: false, moreTypes: false }).pack([record(0, undefined), record(1, 'succeeded')]);
    const positions = encodeSegment('r', [encodeRecord(record(0, 'failed', 2))]);
    const other = encodeSegment('s', [encodeRecord({ ...record(0, 'succeeded'), runId: 's' })]);
    const object = Buffer.concat([maps, positions, other]);
    expect(decodeTaskRecords(object, 'r')).toEqual([record(1, 'succeeded'), record(0, 'failed', 2)]);
    expect(decodeTaskRecords(object)).toHaveLength(3);
  });

  it('reads a record of the older layout (one task per key) as a value of one record', () => {
    const old = putRecord(keys.task('r', 'work', 7), record(7, 'succeeded')) as Extract<WriteOp, { op: 'put' }>;
    expect(segmentNumber(old.key)).toBeUndefined();
    expect(decodeTaskValue(old.value)).toEqual([record(7, 'succeeded')]);
  });
});
