// Retention on the embedded state store: the oldest expired runs go, as many per write as the
// store's limits allow, and none past the first that has not expired.
import { describe, expect, it } from 'vitest';
import { RunRetention } from '../../scheduler/flow/retention.js';
import type { RunSummary } from '../../scheduler/flow/run-state.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { keys, putRecord, type RunRecord } from '../../scheduler/state/records.js';
import type { WriteOp } from '../../scheduler/state/state-store.js';

const now = 1_000_000;

function summary(id: string, finishedAgoMs: number): RunSummary {
  const record: RunRecord = { id, job: { name: 'j' }, params: {}, codeDir: '', codePackage: '', source: '', seq: 0, createdAtMs: 0, state: 'succeeded', finishedAtMs: now - finishedAgoMs };
  return { record, name: 'j', project: 'default', steps: [] };
}

describe('run retention', () => {
  it('deletes the oldest expired runs in writes of the store\'s limits, and stops at one not expired', async () => {
    const store = new MemoryStateStore();
    const dropped = new Map<string, RunSummary>();
    for (let i = 0; i < 5; i++) dropped.set(`old-${i}`, summary(`old-${i}`, 20_000));
    dropped.set('young', summary('young', 5_000));
    dropped.set('old-behind-young', summary('old-behind-young', 20_000));
    await store.commit([...dropped.keys()].map((id) => putRecord(keys.run(id), dropped.get(id)!.record)));
    const writes: WriteOp[][] = [];
    const retention = new RunRetention({
      retainMs: 10_000,
      persist: async (ops) => {
        writes.push(ops);
        await store.commit(ops);
      },
      limits: { maxOpsPerCommit: 3, maxBytesPerCommit: 1 << 20 },
      now: () => now,
    });
    const forget = (id: string) => dropped.delete(id);

    expect(await retention.deleteNext(dropped.values(), forget)).toEqual(['old-0', 'old-1', 'old-2']);
    expect(await retention.deleteNext(dropped.values(), forget)).toEqual(['old-3', 'old-4']);
    expect(await retention.deleteNext(dropped.values(), forget)).toEqual([]);
    expect(writes.map((w) => w.length)).toEqual([3, 2]);
    expect([...dropped.keys()]).toEqual(['young', 'old-behind-young']);
    expect((await store.list('runs/')).map(([k]) => k)).toEqual(['runs/old-behind-young', 'runs/young']);
  });
});
