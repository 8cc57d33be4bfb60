// Prefetching (scheduler/placement/prefetch.ts): a full agent is sent tasks to wait in its queue,
// as many as its prefetch window holds by their step's run time, on the agent whose queue
// empties soonest; they take the agent's room as what runs ahead of them is released; what
// waits beyond the window after a step turned out slower, or on a drained agent, is revoked.
import { describe, expect, it } from 'vitest';
import { runsAtOnce } from '../../scheduler/placement/prefetch.js';
import type { StepTiming } from '../../scheduler/placement/types.js';
import { agent, placerWith, task } from '../support/placement-builders.js';

const window = { prefetchWindowMs: 50, maxPrefetchPerAgent: 256 };
const tasks = (prefix: string, n: number, build: (id: string) => ReturnType<typeof task>) => Array.from({ length: n }, (_, i) => build(`${prefix}${i}`));

describe('how many tasks of a size an agent runs at once', () => {
  it.each([
    // 4000m / 1000m = 4; 8Gi / 1Gi = 8: the tighter is CPU
    { cpu: 1, memory: '1Gi', runs: 4 },
    // 4000m / 500m = 8; 8Gi / 2Gi = 4: memory
    { cpu: 0.5, memory: '2Gi', runs: 4 },
    // 4000m / 3000m = 1
    { cpu: 3, memory: '1Gi', runs: 1 },
    // a task asking for nothing: no bound but the count cap
    { cpu: 0, memory: 0, runs: Infinity },
  ])('$cpu CPU, $memory: $runs', ({ cpu, memory, runs }) => {
    const capacity = agent('a').cpu(4).memory('8Gi').build().capacity;
    expect(runsAtOnce(capacity, task('t').cpu(cpu).memory(memory).build().resources)).toBe(runs);
  });
});

describe('prefetch placement', () => {
  it('fills the free room first, then queues on the agent up to its window', () => {
    // 2 CPUs: 2 tasks of 1 CPU run. Window 50 ms x 2 = 100 ms: ten 10 ms tasks wait (10 x 10 = 100).
    const placer = placerWith([agent('a').cpu(2)], tasks('t', 20, (id) => task(id).timing(10)), window);
    const placed = placer.schedule();
    expect(placed.filter((p) => !p.prefetched).map((p) => p.taskId)).toEqual(['t0', 't1']);
    expect(placed.filter((p) => p.prefetched)).toHaveLength(10);
    expect(placer.waitingCount('a')).toBe(10);
    expect(placer.queuedCount).toBe(8);
    expect(placer.waitingOn('t2')).toBe('a');
    expect(placer.waitingOn('t0')).toBeUndefined();
    // status says where each waits: on the agent, or in the scheduler's queue
    expect(placer.why('t2')).toEqual({ kind: 'prefetched', agentId: 'a' });
    expect(placer.why('t12')).toEqual({ kind: 'exhausted', resource: 'cpu', short: 1000 });
    expect(placer.why('t0')).toBeUndefined();
  });

  it.each([
    ['a step none of whose tasks has finished', task('x').seq(1e9)],
    ['a container task', task('x').seq(1e9).timing(1).executor('container')],
    ['a GPU task', task('x').seq(1e9).timing(1).gpus(1)],
  ])('does not prefetch %s', (_what, builder) => {
    const placer = placerWith([agent('a').cpu(1).gpus(1)], [task('running').timing(1).gpus(1), builder], window);
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['running']);
    expect(placer.waitingCount('a')).toBe(0);
  });

  it('counts a 60 ms task against a 2-slot window once: 60 <= 100, 120 > 100', () => {
    const placer = placerWith([agent('a').cpu(2)], tasks('t', 6, (id) => task(id).timing(60)), window);
    expect(placer.schedule().filter((p) => p.prefetched)).toHaveLength(1);
  });

  it('stops at the count cap for tasks that take no time', () => {
    const placer = placerWith([agent('a').cpu(1)], tasks('t', 20, (id) => task(id).timing(0)), { prefetchWindowMs: 50, maxPrefetchPerAgent: 5 });
    expect(placer.schedule().filter((p) => p.prefetched)).toHaveLength(5);
  });

  it('queues on the agent whose queue empties soonest, so full agents share the work', () => {
    const placer = placerWith([agent('a').cpu(1), agent('b').cpu(1)], tasks('t', 8, (id) => task(id).timing(10)), window);
    placer.schedule();
    // each runs 1 and holds up to 50 ms: 5 waiting each
    expect([placer.waitingCount('a'), placer.waitingCount('b')]).toEqual([3, 3]);
  });

  it('prefers an agent with free room to waiting on a busy one', () => {
    const placer = placerWith([agent('a').cpu(1)], [task('t0').timing(10)], window);
    placer.schedule();
    placer.upsertAgent(agent('b').cpu(1).build());
    placer.enqueue(task('t1').timing(10).build());
    expect(placer.schedule()).toEqual([{ taskId: 't1', agentId: 'b', gpuIndices: [], prefetched: false }]);
  });

  it("a released task's room goes to the first task waiting on its agent, as the agent starts it", () => {
    const placer = placerWith([agent('a').cpu(1)], tasks('t', 3, (id) => task(id).timing(10)), window);
    placer.schedule(); // t0 runs, t1 and t2 wait
    placer.release('t0');
    expect(placer.waitingOn('t1')).toBeUndefined();
    expect(placer.waitingOn('t2')).toBe('a');
    // t1 holds the CPU now: a new task cannot take it, it waits too
    placer.enqueue(task('t3').timing(10).build());
    expect(placer.schedule()).toEqual([{ taskId: 't3', agentId: 'a', gpuIndices: [], prefetched: true }]);
  });

  it('fills a queue to its window, then lets it run down to half before filling it again', () => {
    // 1 slot, 50 ms of 10 ms tasks: 5 wait when full; refilled once 2 or fewer wait (<= 25 ms)
    const placer = placerWith([agent('a').cpu(1)], tasks('t', 30, (id) => task(id).timing(10)), window);
    const running = placer.schedule().filter((p) => !p.prefetched).map((p) => p.taskId);
    expect(placer.waitingCount('a')).toBe(5);
    const finishOne = () => {
      placer.release(running.shift()!);
      running.push(['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'].find((id) => placer.waitingOn(id) === undefined && !running.includes(id) && !done.includes(id))!);
      return placer.schedule().length;
    };
    const done: string[] = [];
    const refills = [];
    for (let i = 0; i < 4; i++) {
      done.push(running[0]!);
      refills.push(finishOne());
    }
    // 4 waiting: nothing; 3: nothing; 2: filled up to 5 again (3 sent)
    expect(refills.slice(0, 3)).toEqual([0, 0, 3]);
  });

  it('charges prefetched tasks to their project for fair sharing', () => {
    const placer = placerWith([agent('a').cpu(1)], tasks('x', 3, (id) => task(id).timing(10).project('big')), { ...window, prefetchWindowMs: 30 });
    placer.schedule(); // x0 runs, x1 and x2 wait (20 of 30 ms): big holds 3 CPUs' worth
    placer.enqueue(task('x3').project('big').timing(10).build());
    placer.enqueue(task('y0').project('small').timing(10).build());
    // room for one more 10 ms task: small's share (0) is lower than big's (3), so y0 gets it
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['y0']);
  });
});

describe('giving waiting tasks back', () => {
  it('revokes everything waiting on a drained agent, once', () => {
    const placer = placerWith([agent('a').cpu(1)], tasks('t', 4, (id) => task(id).timing(10)), window);
    placer.schedule();
    placer.upsertAgent(agent('a').cpu(1).draining().build());
    expect(placer.revocations(false)).toEqual(new Map([['a', ['t1', 't2', 't3']]]));
    expect(placer.revocations(false)).toEqual(new Map());
    // until the agent gives them back, they stay its
    expect(placer.waitingOn('t1')).toBe('a');
    placer.release('t1');
    expect(placer.waitingCount('a')).toBe(2);
  });

  it('revokes what waits beyond the window once its step turns out slower, from the back', () => {
    const timing: StepTiming = { runMs: 10, longestRunningMs: 0 };
    // 2 slots, 100 ms: ten 10 ms tasks wait
    const placer = placerWith([agent('a').cpu(2)], tasks('t', 12, (id) => task(id).timing(timing)), window);
    placer.schedule();
    expect(placer.revocations(true)).toEqual(new Map());
    // now 40 ms each: 10 x 40 = 400 > 2 x 100; keep 100 ms = 2 tasks (t2, t3), revoke t4..t11
    timing.runMs = 40;
    expect(placer.revocations(true).get('a')).toEqual(['t11', 't10', 't9', 't8', 't7', 't6', 't5', 't4']);
    expect(placer.revocations(true)).toEqual(new Map());
  });

  it('counts a task that runs long though its step is quick: longestRunningMs raises the estimate', () => {
    const timing: StepTiming = { runMs: 10, longestRunningMs: 0 };
    const placer = placerWith([agent('a').cpu(2)], tasks('t', 12, (id) => task(id).timing(timing)), window);
    placer.schedule();
    timing.longestRunningMs = 5_000;
    // ten tasks now expected to take 5 s each against a 100 ms window: each alone is too much, all go
    expect(placer.revocations(true).get('a')).toHaveLength(10);
  });

  it('a task the agent says it runs takes its room at once; removing the agent returns waiting tasks too', () => {
    const placer = placerWith([agent('a').cpu(1)], tasks('t', 3, (id) => task(id).timing(10)), window);
    placer.schedule();
    placer.started('t2');
    expect(placer.waitingOn('t2')).toBeUndefined();
    expect(placer.waitingCount('a')).toBe(1);
    expect(placer.removeAgent('a').sort()).toEqual(['t0', 't1', 't2']);
  });
});
