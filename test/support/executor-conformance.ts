/**
 * The Executor contract (agent/executors/executor.ts), run against every executor: each one's
 * test file calls `executorConformance` with a harness that makes the executor and turns the
 * contract's few task shapes into tasks of its kind (a function in the pool fixture, a busybox
 * command).
 */
import { describe, expect, it } from 'vitest';
import type { Executor, TaskOutcome, TaskRun } from '../../agent/executors/executor.js';
import { Cancellation } from '../../core/cancellation.js';
import { decodeValue } from '../../core/codec.js';

/** What a contract task does: return a value, fail, sleep (logging first, heeding its signal), or cannot even start. */
export type ContractTask = { op: 'answer' } | { op: 'fail' } | { op: 'sleep'; ms: number } | { op: 'broken' };

/** A task of the executor's kind, without the parts the suite fills in. */
export type KindPart = Pick<TaskRun & { kind: 'thread' }, 'kind' | 'moduleUrl' | 'exportName' | 'item'> | Pick<TaskRun & { kind: 'container' }, 'kind' | 'container' | 'item'>;

export interface ExecutorHarness {
  /** A fresh executor; the suite closes it. */
  make(): Promise<Executor> | Executor;
  /** `op: 'answer'` returns 42 as its result (its `answer` field). */
  task(what: ContractTask): KindPart;
  /** The other kind of task, which this executor must refuse. */
  otherKind(): KindPart;
}

interface Probe {
  task: TaskRun;
  started: boolean;
  /** Resolves on the task's first log line: it runs. */
  running: Promise<void>;
}

function probe(part: KindPart, opts: { timeoutMs?: number; cancellation?: Cancellation } = {}): Probe {
  let logged!: () => void;
  const p: Probe = {
    started: false,
    running: new Promise<void>((resolve) => (logged = resolve)),
    task: {
      ...part,
      taskId: `contract-${Math.random().toString(36).slice(2, 8)}`,
      attempt: 1,
      input: new Uint8Array([0xc0]),
      params: new Uint8Array([0x80]),
      memoryBytes: 64 * 2 ** 20,
      cpuMilli: 100,
      gpuIndices: [],
      timeoutMs: opts.timeoutMs ?? 0,
      cancellation: opts.cancellation ?? new Cancellation(),
      onStarted: () => {
        p.started = true;
      },
      onLog: () => logged(),
    } as TaskRun,
  };
  return p;
}

function expectFailure(outcome: TaskOutcome, code: string): void {
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) expect(outcome.error.code).toBe(code);
}

export function executorConformance(name: string, harness: ExecutorHarness): void {
  describe(`the Executor contract: ${name}`, () => {
    async function withExecutor(body: (e: Executor) => Promise<void>): Promise<void> {
      const executor = await harness.make();
      try {
        await body(executor);
      } finally {
        await executor.close();
      }
    }

    it('runs a task to its result', () => withExecutor(async (e) => {
      const p = probe(harness.task({ op: 'answer' }));
      const outcome = await e.run(p.task);
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      if (outcome.ok) expect(decodeValue(outcome.result)).toMatchObject({ answer: 42 });
      expect(p.started).toBe(true);
    }));

    it('never rejects: a failing task, one that cannot start and one of the other kind are outcomes', () => withExecutor(async (e) => {
      expectFailure(await e.run(probe(harness.task({ op: 'fail' })).task), 'TASK_FAILED');
      expectFailure(await e.run(probe(harness.task({ op: 'broken' })).task), 'TASK_FAILED');
      expectFailure(await e.run(probe(harness.otherKind()).task), 'INVALID_ARGUMENT');
    }));

    it('does not start a task cancelled before it runs: CANCELLED', () => withExecutor(async (e) => {
      const cancellation = new Cancellation();
      cancellation.cancel(new Error('cancelled by the test'));
      const p = probe(harness.task({ op: 'sleep', ms: 30_000 }), { cancellation });
      expectFailure(await e.run(p.task), 'CANCELLED');
      expect(p.started).toBe(false);
    }));

    it('stops a running task when it is cancelled: CANCELLED', () => withExecutor(async (e) => {
      const cancellation = new Cancellation();
      const p = probe(harness.task({ op: 'sleep', ms: 30_000 }), { cancellation });
      const outcome = e.run(p.task);
      await p.running;
      cancellation.cancel(new Error('cancelled by the test'));
      expectFailure(await outcome, 'CANCELLED');
    }));

    it('enforces the timeout: TIMEOUT', () => withExecutor(async (e) => {
      const p = probe(harness.task({ op: 'sleep', ms: 30_000 }), { timeoutMs: 500 });
      expectFailure(await e.run(p.task), 'TIMEOUT');
    }));

    it('close stops what runs (CANCELLED), waits for it, and refuses what comes after', async () => {
      const e = await harness.make();
      const p = probe(harness.task({ op: 'sleep', ms: 30_000 }));
      let settled = false;
      const outcome = e.run(p.task).finally(() => (settled = true));
      await p.running;
      await e.close();
      expect(settled).toBe(true);
      expectFailure(await outcome, 'CANCELLED');
      expectFailure(await e.run(probe(harness.task({ op: 'answer' })).task), 'CANCELLED');
      await e.close(); // idempotent
    });
  });
}
