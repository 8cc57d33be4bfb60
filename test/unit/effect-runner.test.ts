// The effect runner (scheduler/flow/effect-runner.ts) applies the flow core's effects in order
// and catches every failure: an effect that throws is logged and the rest still run; a write
// that fails hands its continuation to the core's `failed`; a run's final write that is refused
// (LEASE_LOST) is logged, never an unhandled rejection; once closed, nothing more continues.
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { EffectRunner, type Dispatcher } from '../../scheduler/flow/effect-runner.js';
import type { Continuation, Effect } from '../../scheduler/flow/effects.js';
import type { FlowCore } from '../../scheduler/flow/flow-core.js';
import { TaskRecordLog } from '../../scheduler/flow/task-record-log.js';
import type { RunRecord, TaskRecord } from '../../scheduler/state/records.js';
import type { WriteOp } from '../../scheduler/state/state-store.js';

/** A core that only has an outbox, and records what the runner hands back. */
function fakeCore() {
  const resumed: Continuation[] = [];
  const failed: Array<{ c: Continuation; err: unknown }> = [];
  const core = {
    outbox: [] as Effect[],
    resume: (c: Continuation) => resumed.push(c),
    failed: (c: Continuation, err: unknown) => failed.push({ c, err }),
    placeQueued: () => undefined,
    expandMore: () => undefined,
  };
  return { core: core as unknown as FlowCore & { outbox: Effect[] }, resumed, failed };
}

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, msg, fields });
  const logger = { ...silentLogger, error: at('error'), warn: at('warn'), info: at('info'), child: () => logger } as unknown as Logger;
  return { logger, lines };
}

const dispatcher = (calls: string[], throwOn?: string): Dispatcher => {
  const call = (name: string) => () => {
    if (name === throwOn) throw new Error(`${name} broke`);
    calls.push(name);
  };
  return { assign: call('assign'), cancel: call('cancel'), ack: call('ack'), revoke: call('revoke'), flush: call('flush') };
};

const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const record: TaskRecord = { runId: 'r', step: 's', index: 0, attempts: [], state: 'succeeded' };
const settle = { kind: 'settle', record } as unknown as Continuation;
const ref = { task_id: 'r/s/0', attempt: 1 };

describe('effect runner', () => {
  it('applies effects in order; one that throws is logged and the rest still run', () => {
    const { core } = fakeCore();
    const calls: string[] = [];
    const { logger, lines } = recordingLogger();
    const runner = new EffectRunner({ core, dispatcher: dispatcher(calls, 'cancel'), records: new TaskRecordLog(async () => undefined), persist: async () => undefined, objects: { read: async () => new Uint8Array() }, logger });
    core.outbox.push({ kind: 'ack', agentId: 'a', ref }, { kind: 'cancel', agentId: 'a', ref, reason: 'x' }, { kind: 'revoke', agentId: 'a', refs: [ref] }, { kind: 'flush' });
    runner.run();
    expect(calls).toEqual(['ack', 'revoke', 'flush']);
    expect(core.outbox).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', fields: expect.objectContaining({ effect: 'cancel' }) })]);
  });

  it('hands a committed write\'s continuation back to the core, and a failed one\'s to failed', async () => {
    const { core, resumed, failed } = fakeCore();
    let fail = false;
    const persist = async (_ops: WriteOp[]) => {
      if (fail) throw new Error('etcd unavailable');
    };
    const runner = new EffectRunner({ core, dispatcher: dispatcher([]), records: new TaskRecordLog(persist), persist, objects: { read: async () => new Uint8Array() }, logger: silentLogger });
    core.outbox.push({ kind: 'writeTask', record, then: settle });
    runner.run();
    await turns();
    expect(resumed).toEqual([settle]);
    fail = true;
    core.outbox.push({ kind: 'writeTask', record, then: settle });
    runner.run();
    await turns();
    expect(failed.map((f) => String(f.err))).toEqual(['Error: etcd unavailable']);
  });

  it('logs a run\'s final write refused with LEASE_LOST (no unhandled rejection), and a cancel waiting on it hears why', async () => {
    const { core } = fakeCore();
    const { logger, lines } = recordingLogger();
    const persist = async () => {
      throw new ClusterError('LEASE_LOST', 'write refused: leader no longer holds this leader\'s claim');
    };
    const runner = new EffectRunner({ core, dispatcher: dispatcher([]), records: new TaskRecordLog(persist), persist, objects: { read: async () => new Uint8Array() }, logger });
    core.outbox.push({ kind: 'writeRun', record: { id: 'r', state: 'failed' } as RunRecord });
    runner.run();
    await expect(runner.runWritten('r')).rejects.toMatchObject({ code: 'LEASE_LOST' });
    await turns();
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'recording the end of a run failed: this replica no longer leads' })]);
  });

  it('once closed, drops what would continue: timers stop and late writes continue nothing', async () => {
    const { core, resumed } = fakeCore();
    const runner = new EffectRunner({ core, dispatcher: dispatcher([]), records: new TaskRecordLog(async () => undefined), persist: async () => undefined, objects: { read: async () => new Uint8Array() }, logger: silentLogger });
    core.outbox.push({ kind: 'timer', key: 't', delayMs: 1, then: settle }, { kind: 'writeTask', record, then: settle });
    runner.run();
    runner.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resumed).toEqual([]);
  });
});
