// The flow core alone (scheduler/flow/flow-core.ts), as what it is: a state machine, events in
// and effects out, with this test as the world (fast-check, seeded). Nothing runs by itself:
// a task record's write, a result object's read, a retry's timer and a placement pass each
// complete when the test says, in any order, and a write may fail. Interleavings the real
// runner meets only under load (a run cancelled while a result is being written, a timeout
// while the agent's report is in flight, a retry written after its task was given up for lost,
// a resend after a failed write) are all tried. After every event it checks:
//   - no task both queued and running: a task is queued exactly when the placer holds it in its
//     queue, and what the core counts on each agent is exactly the tasks running there;
//   - each (task, attempt) settles at most once, and no task record lists an attempt twice;
//   - a run's end is written exactly once, and only once the run has ended; an ended run has
//     nothing queued, running or waiting to retry;
//   - resume reuses only what it may: the earlier run's task at the same place, succeeded.
// At the end every write lands, timers fire and agents finish all they hold: every run ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../core/codec.js';
import { compileJob } from '../../core/job-spec.js';
import { silentLogger } from '../../core/logger.js';
import type { TaskFinished__Output } from '../../proto/types.js';
import type { Continuation, Effect } from '../../scheduler/flow/effects.js';
import { FlowCore } from '../../scheduler/flow/flow-core.js';
import { newRunState, reusableTasks, tasksOf, type RunState } from '../../scheduler/flow/run-state.js';
import { Placer } from '../../scheduler/placement/placer.js';
import { agent as agentNode } from '../support/placement-builders.js';

const agentIds = ['a', 'b'];

const event = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('submit' as const), items: fc.integer({ min: 1, max: 4 }), retries: fc.integer({ min: 0, max: 2 }), catch: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('resume' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('place' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('finish' as const), agent: fc.nat(1), pick: fc.nat(), ok: fc.boolean(), big: fc.boolean() }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('commit' as const), pick: fc.nat() }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('failWrite' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), pick: fc.nat(), ok: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('timer' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('giveBack' as const), agent: fc.nat(1), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('lose' as const), agent: fc.nat(1) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 4_000 }) }), weight: 1 },
);
type Event = typeof event extends fc.Arbitrary<infer T> ? T : never;

function report(ok: boolean, resultObject = ''): TaskFinished__Output {
  return {
    ok,
    result: ok && !resultObject ? encodeValue(1) : new Uint8Array(),
    error: ok ? null : { code: 'TASK_FAILED', message: 'failed at random', stack: '', detail: '' },
    started_at_ms: 1, finished_at_ms: 2, artifacts: [], log_object: '', result_object: resultObject, run_ms: 1,
  } as unknown as TaskFinished__Output;
}

function play(events: Event[]): void {
  let clock = 1_000;
  const placer = new Placer();
  const core = new FlowCore({ placer, logger: silentLogger, now: () => clock, timeoutGraceMs: 1_000 });
  const node = (id: string) => agentNode(id).cpu(2).memory('1Gi').executors('thread').build();
  for (const id of agentIds) placer.upsertAgent(node(id));

  const runs: RunState[] = [];
  /** Writes in flight (the world completes them in any order), and the reads and timers pending. */
  const writes: Array<Extract<Effect, { kind: 'writeTask' }>> = [];
  const reads: Array<Extract<Effect, { kind: 'readResult' }>> = [];
  const timers = new Map<string, Continuation>();
  /** What each agent holds: task id → attempt (assigned, not yet finished, given back or cancelled). */
  const holds = new Map(agentIds.map((id) => [id, new Map<string, number>()]));
  /** Reports made, which an agent may send again (a resend after a reconnect, a duplicate). */
  const reported: Array<{ agentId: string; taskId: string; attempt: number; finished: TaskFinished__Output }> = [];
  const runEnds = new Map<string, number>();
  const settled = new Set<string>();

  const apply = () => {
    for (const e of core.outbox.splice(0)) {
      switch (e.kind) {
        case 'assign': holds.get(e.agentId)!.set(e.task.task_id!, e.task.attempt!); break;
        case 'cancel': if (holds.get(e.agentId)?.get(e.ref.task_id) === e.ref.attempt) holds.get(e.agentId)!.delete(e.ref.task_id); break;
        case 'revoke':
          for (const ref of e.refs) {
            if (holds.get(e.agentId)?.get(ref.task_id) !== ref.attempt) continue;
            holds.get(e.agentId)!.delete(ref.task_id);
            core.taskReturned(e.agentId, ref);
          }
          break;
        case 'writeTask':
          if (e.then) writes.push(e);
          break;
        case 'writeRun':
          expect(e.record.state, `${e.record.id}: an end written for a running run`).not.toBe('running');
          runEnds.set(e.record.id, (runEnds.get(e.record.id) ?? 0) + 1);
          expect(runEnds.get(e.record.id), `${e.record.id}: its end written twice`).toBe(1);
          break;
        case 'readResult': reads.push(e); break;
        case 'timer': timers.set(e.key, e.then); break;
        case 'clearTimer': timers.delete(e.key); break;
        case 'soon': if (e.work === 'expand') core.expandMore(); break; // a pass is the world's own event
        case 'ack': case 'flush': case 'notify': break;
      }
    }
  };
  const commit = (write: Extract<Effect, { kind: 'writeTask' }>) => {
    const { record, then } = write;
    const numbers = record.attempts.map((a) => a.attempt);
    expect(numbers, `${record.runId}/${record.step}/${record.index}: an attempt listed twice`).toEqual([...new Set(numbers)]);
    if (then?.kind === 'settle') {
      const key = `${then.task.id}#${then.task.attempt}`;
      expect(settled.has(key), `${key} settled twice`).toBe(false);
      settled.add(key);
    }
    core.resume(then!);
  };
  const pick = <T>(items: T[], n: number): T | undefined => (items.length ? items.splice(n % items.length, 1)[0] : undefined);

  const check = () => {
    let queued = 0;
    for (const run of runs) {
      for (const t of tasksOf(run)) {
        if (run.record.state !== 'running') expect(t.state, `${t.id} of an ended run`).toMatch(/pending|succeeded|failed|cancelled/);
        if (t.state === 'queued') {
          queued++;
          expect(placer.why(t.id)?.kind ?? 'not waiting', `${t.id} queued but not in the placer's queue`).not.toMatch(/prefetched|not waiting/);
        }
        expect(core.running.has(t), `${t.id} in the running set`).toBe(t.state === 'running');
        if (t.reusedFrom) {
          const earlier = runs.find((r) => r.record.id === t.reusedFrom)?.steps.get(t.step)?.tasks?.[t.index];
          expect(earlier?.state, `${t.id} reused from a task that did not succeed`).toBe('succeeded');
        }
      }
    }
    expect(placer.queuedCount, 'tasks in the placer\'s queue').toBe(queued);
    for (const id of agentIds) {
      const running = runs.flatMap((r) => [...tasksOf(r)]).filter((t) => t.state === 'running' && t.agentId === id).length;
      const usage = core.agentUsage(id);
      expect(usage.tasks + usage.waiting, `tasks counted on agent ${id}`).toBe(running);
    }
  };

  for (const ev of events) {
    switch (ev.kind) {
      case 'submit': {
        const job = compileJob({
          name: 'prop',
          steps: {
            start: {
              foreach: Array.from({ length: ev.items }, (_, i) => i), run: { module: './m.mjs', export: 'work' }, resources: { cpu: 1, memory: '16Mi' },
              retry: { times: ev.retries, backoff: '1s' }, timeout: '2s', catch: ev.catch, next: 'total',
            },
            total: { join: true, run: { module: './m.mjs', export: 'total' }, resources: { cpu: 1, memory: '16Mi' } },
          },
        }, 'test job');
        const id = `prop-${runs.length}`;
        const run = newRunState({ id, job: {}, params: {}, codeDir: '', codePackage: '', source: '', seq: runs.length, createdAtMs: clock, state: 'running' }, job);
        runs.push(run);
        core.runSubmitted(run);
        break;
      }
      case 'resume': {
        const earlier = runs.filter((r) => r.record.state !== 'running')[ev.pick % Math.max(1, runs.length)];
        if (!earlier) break;
        const id = `prop-${runs.length}`;
        const run = newRunState({ ...earlier.record, id, seq: runs.length, state: 'running', resumedFrom: earlier.record.id, error: undefined, finishedAtMs: undefined }, earlier.job);
        run.reuse = reusableTasks(earlier, run);
        run.reuseItems = earlier;
        runs.push(run);
        core.runSubmitted(run);
        break;
      }
      case 'place': core.placeQueued(); break;
      case 'finish': {
        const held = pick([...holds.get(agentIds[ev.agent]!)!], ev.pick);
        if (!held) break;
        const [taskId, attempt] = held;
        const agentId = agentIds[ev.agent]!;
        holds.get(agentId)!.delete(taskId);
        const finished = report(ev.ok, ev.ok && ev.big ? `obj-${taskId}` : '');
        reported.push({ agentId, taskId, attempt, finished });
        core.taskFinished(agentId, { task_id: taskId, attempt }, finished);
        break;
      }
      case 'repeat': {
        const again = reported[ev.pick % Math.max(1, reported.length)];
        if (again) core.taskFinished(again.agentId, { task_id: again.taskId, attempt: again.attempt }, again.finished);
        break;
      }
      case 'commit': { const w = pick(writes, ev.pick); if (w) commit(w); break; }
      case 'failWrite': {
        const w = pick(writes, ev.pick);
        if (!w?.then || w.then.kind === 'retryDue' || w.then.kind === 'resultRead') break;
        // Not acked: the agent reports the attempt again (as it does when it reconnects).
        holds.get(w.then.agentId)!.set(w.then.task.id, w.then.task.attempt);
        core.failed(w.then, new Error('etcd unavailable'));
        break;
      }
      case 'read': {
        const r = pick(reads, ev.pick);
        if (!r) break;
        if (ev.ok) {
          r.then.bytes = encodeValue('big');
          core.resume(r.then);
        } else core.failed(r.then, new Error('chunk missing'));
        break;
      }
      case 'timer': {
        const key = pick([...timers.keys()], ev.pick);
        if (key === undefined) break;
        const then = timers.get(key)!;
        timers.delete(key);
        core.resume(then);
        break;
      }
      case 'giveBack': {
        const id = agentIds[ev.agent]!;
        const held = pick([...holds.get(id)!], ev.pick);
        if (!held) break;
        holds.get(id)!.delete(held[0]);
        core.taskReturned(id, { task_id: held[0], attempt: held[1] });
        break;
      }
      case 'lose': {
        const id = agentIds[ev.agent]!;
        core.agentLost(id);
        holds.get(id)!.clear();
        placer.upsertAgent(node(id)); // a new instance of it registers
        break;
      }
      case 'cancel': {
        const run = runs[ev.pick % Math.max(1, runs.length)];
        if (run) core.cancelRun(run);
        break;
      }
      case 'time':
        clock += ev.ms;
        core.sweepTimeouts();
        break;
    }
    apply();
    check();
  }

  // The world settles: every write lands, reads succeed, timers fire, agents finish what they hold.
  for (let round = 0; round < 500 && runs.some((r) => r.record.state === 'running'); round++) {
    core.placeQueued();
    apply();
    for (const w of writes.splice(0)) commit(w);
    for (const r of reads.splice(0)) {
      r.then.bytes = encodeValue('big');
      core.resume(r.then);
    }
    for (const [key, then] of [...timers]) {
      timers.delete(key);
      core.resume(then);
    }
    apply();
    for (const id of agentIds) {
      for (const [taskId, attempt] of [...holds.get(id)!]) {
        holds.get(id)!.delete(taskId);
        core.taskFinished(id, { task_id: taskId, attempt }, report(true));
      }
    }
    apply();
    check();
  }
  expect(runs.filter((r) => r.record.state === 'running').map((r) => r.record.id), 'runs that never ended').toEqual([]);
  for (const run of runs) expect(runEnds.get(run.record.id), `${run.record.id}: ends written`).toBe(1);
}

describe('the flow core, events in and effects out, with writes, reads and timers completing in any order', () => {
  it('settles each attempt once, ends each run once, never holds a task both queued and running, and reuses only what it may', () => {
    fc.assert(fc.property(fc.array(event, { minLength: 1, maxLength: 80, size: 'medium' }), play), { numRuns: 400, seed: 20261203 });
  });
});
