// Grouping of finished runs into tasks objects, on the embedded state store and an in-memory
// chunk store: small runs share an object within the store's write limits, a large run has its
// own, and each run reads back exactly its own task records.
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../core/job-spec.js';
import { silentLogger } from '../../core/logger.js';
import { RunCompactor } from '../../scheduler/flow/compaction.js';
import { expandStep, newRunState, setTaskState, type RunState } from '../../scheduler/flow/run-state.js';
import { etcdLimits } from '../../scheduler/state/etcd-store.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { decodeRecord, decodeTaskRecords, keys, putRecord, type RunRecord } from '../../scheduler/state/records.js';
import type { CommitLimits, StateStore, WriteOp } from '../../scheduler/state/state-store.js';
import { MemoryBackend } from '../../store/memory-backend.js';
import { readObject } from '../../store/manifest.js';

const now = 1_000_000;

/** A finished run of `tasks` tasks whose records are in the store, finished `agoMs` before now. */
async function finishedRun(store: StateStore, id: string, tasks: number, agoMs = 60_000): Promise<RunState> {
  const job = { name: 'j', steps: { start: { run: { module: './m.mjs' }, foreach: Array.from({ length: tasks }, (_, i) => i), next: 'end' }, end: { run: { module: './m.mjs' }, join: true } } };
  const record: RunRecord = { id, job, params: {}, codeDir: '', codePackage: '', source: '', seq: 0, createdAtMs: 0, state: 'succeeded', finishedAtMs: now - agoMs };
  const run = newRunState(record, compileJob(job, 'job'));
  const ops: WriteOp[] = [putRecord(keys.run(id), record)];
  for (const task of expandStep(run, 'start')!) {
    setTaskState(run, task, 'succeeded');
    ops.push(putRecord(keys.task(id, 'start', task.index), { runId: id, step: 'start', index: task.index, state: 'succeeded', attempts: [] }));
  }
  for (let i = 0; i < ops.length; i += 100) await store.commit(ops.slice(i, i + 100));
  return run;
}

/** The embedded store with other write limits (etcd's), to see groups follow the store's limits. */
function withLimits(store: MemoryStateStore, limits: CommitLimits): StateStore {
  return { limits, get: (k) => store.get(k), list: (p) => store.list(p), commit: (ops, f) => store.commit(ops, f), close: () => store.close() };
}

function compactor(store: StateStore, chunks: MemoryBackend, writes: WriteOp[][], maxFinishedTasks = 1_000_000): RunCompactor {
  const persist = async (ops: WriteOp[]) => {
    writes.push(ops);
    await store.commit(ops);
  };
  return new RunCompactor({ store, chunks, persist, compactAfterMs: 10_000, logger: silentLogger, now: () => now, groupTasks: 1_000, maxFinishedTasks });
}

describe('run compaction', () => {
  it('puts small runs into shared objects within the store\'s write limits, a large run into its own', async () => {
    const store = withLimits(new MemoryStateStore(), etcdLimits); // 128 operations: 64 runs a write
    const chunks = new MemoryBackend();
    const runs = [];
    for (let i = 0; i < 100; i++) runs.push(await finishedRun(store, `small-${i}`, 1 + (i % 3)));
    runs.push(await finishedRun(store, 'large', 1_500));
    runs.push(await finishedRun(store, 'after', 2));
    runs.push(await finishedRun(store, 'recent', 1, 5_000)); // not due for another 5 s
    const writes: WriteOp[][] = [];
    const c = compactor(store, chunks, writes);

    const sizes = [];
    for (let n = await c.compactNext(runs, 0); n > 0; n = await c.compactNext(runs, 0)) sizes.push(n);
    expect(sizes).toEqual([64, 36, 1, 1]);
    expect(writes.map((w) => w.length)).toEqual([128, 72, 2, 2]);
    expect(runs.at(-1)!.record.tasksObject).toBeUndefined();
    expect(await store.list('tasks/')).toHaveLength(1); // the one of the run not due yet

    const objects = new Set(runs.map((r) => r.record.tasksObject));
    expect(objects.size).toBe(5); // two groups of small runs, the large run, the run after it, and none
    for (const run of runs.slice(0, -1)) {
      const stored = decodeRecord<RunRecord>((await store.get(keys.run(run.record.id)))!);
      expect(stored.tasksObject).toBe(run.record.tasksObject);
      expect(stored.steps?.[0]).toMatchObject({ name: 'start', total: run.steps.get('start')!.tasks!.length });
      const own = decodeTaskRecords(await readObject(chunks, stored.tasksObject!), run.record.id);
      expect(own.map((t) => t.index).sort((a, b) => a - b)).toEqual(run.steps.get('start')!.tasks!.map((t) => t.index));
    }
  });

  it('compacts nothing while the oldest finished run is not due', async () => {
    const store = new MemoryStateStore();
    const runs = [await finishedRun(store, 'recent', 1, 1_000), await finishedRun(store, 'old', 1)];
    expect(await compactor(store, new MemoryBackend(), []).compactNext(runs, 2)).toBe(0);
  });

  it('compacts the oldest runs before they are due while finished tasks in memory pass the bound', async () => {
    const store = new MemoryStateStore();
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await finishedRun(store, `recent-${i}`, 10, 1_000));
    // 60 finished tasks, 25 allowed: the four oldest runs (40 tasks) go, though none is due.
    const c = compactor(store, new MemoryBackend(), [], 25);
    expect(await c.compactNext(runs, 60)).toBe(4);
    expect(runs.map((r) => r.record.tasksObject !== undefined)).toEqual([true, true, true, true, false, false]);
    // Until they are dropped they still count, as the memory dropping them frees: nothing more.
    expect(await c.compactNext(runs, 60)).toBe(0);
  });
});
