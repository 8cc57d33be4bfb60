// "Why is my task waiting?" and "could it ever run?", answered from the placer's data.
import { describe, expect, it } from 'vitest';
import { agent, placerWith, task } from '../support/placement-builders.js';

const GI = 2 ** 30;

describe('why()', () => {
  it.each([
    {
      name: 'no agents at all',
      agents: [],
      waiting: task('t'),
      reason: { kind: 'no-agents' },
    },
    {
      name: 'no agent offers the executor',
      agents: [agent('a').executors('thread')],
      waiting: task('t').executor('container'),
      reason: { kind: 'constraint', detail: 'no agent offers the container executor' },
    },
    {
      name: 'every matching agent is draining',
      agents: [agent('a').label('zone', 'a').draining(), agent('b').label('zone', 'b')],
      waiting: task('t').constraint('zone', 'a'),
      reason: { kind: 'constraint', detail: 'every agent offering the thread executor and labels zone=a is draining or reserved' },
    },
    {
      name: 'bigger than any matching agent',
      agents: [agent('a').cpu(8).gpus(2)],
      waiting: task('t').gpus(4),
      reason: { kind: 'constraint', detail: 'needs 4 GPUs; the largest matching agent has 2' },
    },
    {
      // busy holds 3 of 4 CPUs: free 1, the 2-CPU task lacks 1000m
      name: 'which resource is short, and by how much',
      agents: [agent('a').cpu(4)],
      running: [{ on: 'a', t: task('busy').cpu(3) }],
      waiting: task('t').cpu(2),
      reason: { kind: 'exhausted', resource: 'cpu', short: 1000 },
    },
    {
      // a: free 2 CPUs, 1Gi (memory short 3Gi of 4); b: free 0 CPUs, 8Gi (CPU short 2 of 2)
      // both lack one resource; relative shortfall a 3/4 < b 2/2 → a, short of memory
      name: 'the closest agent decides the reason',
      agents: [agent('a').cpu(4).memory('8Gi'), agent('b').cpu(2).memory('8Gi')],
      running: [{ on: 'a', t: task('fill-a').cpu(2).memory('7Gi') }, { on: 'b', t: task('fill-b').cpu(2).memory('0Gi') }],
      waiting: task('t').cpu(2).memory('4Gi'),
      reason: { kind: 'exhausted', resource: 'memory', short: 3 * GI },
    },
  ])('$name', ({ agents, running = [], waiting, reason }) => {
    const placer = placerWith(agents);
    for (const { on, t } of running) {
      const held = t.build();
      expect(placer.allocate(held.id, on, held.resources, [])).toBe(true);
    }
    const t = waiting.build();
    placer.enqueue(t);
    placer.schedule();
    expect(placer.why(t.id)).toEqual(reason);
  });

  it('says how many tasks of its project go first when room exists but the pass was cut short', () => {
    const placer = placerWith([agent('a').cpu(8)], [task('t0'), task('t1'), task('t2').priority(1), task('t3')], { maxPlacementsPerPass: 1 });
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['t2']);
    // t3 waits behind t0 and t1 (same priority, submitted earlier)
    expect(placer.why('t3')).toEqual({ kind: 'queued', ahead: 2 });
  });

  it('answers nothing for a task that is not queued', () => {
    const placer = placerWith([agent('a')], [task('t')]);
    placer.schedule();
    expect(placer.why('t')).toBeUndefined();
    expect(placer.why('never-seen')).toBeUndefined();
  });
});

describe('feasible()', () => {
  it.each([
    { name: 'fits an empty agent', agents: [agent('a').cpu(4)], demand: task('t').cpu(4), result: { ok: true } },
    { name: 'an empty cluster accepts (agents may join later)', agents: [], demand: task('t').gpus(8), result: { ok: true } },
    { name: 'even when every agent is busy', agents: [agent('a').cpu(1)], demand: task('t').cpu(1), result: { ok: true } },
    {
      name: 'draining agents still count',
      agents: [agent('a').gpus(2).draining()],
      demand: task('t').gpus(2),
      result: { ok: true },
    },
    {
      name: 'too many GPUs',
      agents: [agent('a').cpu(32).gpus(2), agent('b').cpu(64)],
      demand: task('t').gpus(4),
      result: { ok: false, reason: 'needs 4 GPUs; the largest matching agent has 2' },
    },
    {
      name: 'too much CPU',
      agents: [agent('a').cpu(16)],
      demand: task('t').cpu(32),
      result: { ok: false, reason: 'needs 32 CPU; the largest matching agent has 16' },
    },
    {
      name: 'too much memory',
      agents: [agent('a').memory('64Gi')],
      demand: task('t').memory('1Ti'),
      result: { ok: false, reason: 'needs 1.0TiB memory; the largest matching agent has 64GiB' },
    },
    {
      // GPUs only on a (8 CPUs), CPUs only on b: each fits alone, never together
      name: 'resources that no single agent has together',
      agents: [agent('a').cpu(8).gpus(2), agent('b').cpu(64)],
      demand: task('t').cpu(32).gpus(1),
      result: { ok: false, reason: 'needs 32 CPU, 1.0GiB memory, 1 GPU on one agent; no matching agent has all of them together' },
    },
    {
      name: 'a label no agent has',
      agents: [agent('a').gpus(1).label('gpu_model', 'A100')],
      demand: task('t').gpus(1).constraint('gpu_model', 'H100'),
      result: { ok: false, reason: 'no agent offers the thread executor and labels gpu_model=H100 (none has label gpu_model=H100)' },
    },
    {
      name: 'an executor no agent offers',
      agents: [agent('a').executors('thread')],
      demand: task('t').executor('container'),
      result: { ok: false, reason: 'no agent offers the container executor' },
    },
  ])('$name', ({ agents, demand, result }) => {
    const placer = placerWith(agents, [task('busy').cpu(1)]);
    placer.schedule();
    expect(placer.feasible(demand.build())).toEqual(result);
  });
});
