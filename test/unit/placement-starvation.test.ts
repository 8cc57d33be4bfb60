// The anti-starvation rule (scheduler/placement/reservations.ts): a project's next task that has
// failed to fit in `reserveAfterPasses` consecutive passes gets one agent held for it.
import { describe, expect, it } from 'vitest';
import type { Placer } from '../../scheduler/placement/placer.js';
import { agent, placerWith, task } from '../support/placement-builders.js';

/**
 * One 4-CPU agent full of 1-CPU tasks; a 4-CPU task (priority 1) and 30 more 1-CPU tasks queue.
 * Each round one running task finishes and a pass runs. Returns the round the big task started
 * in, or undefined.
 */
function bigTaskStartRound(placer: Placer, rounds: number): number | undefined {
  const running = placer.schedule().map((p) => p.taskId);
  placer.enqueue(task('big').cpu(4).priority(1).build());
  for (let i = 0; i < 30; i++) placer.enqueue(task(`late-${i}`).build());
  for (let round = 1; round <= rounds; round++) {
    placer.release(running.shift()!);
    const placed = placer.schedule().map((p) => p.taskId);
    if (placed.includes('big')) return round;
    running.push(...placed);
  }
  return undefined;
}

describe('anti-starvation', () => {
  it('holds nothing for a sweep whose next task waits only behind its own running tasks', () => {
    const placer = placerWith([agent('a').cpu(2)], Array.from({ length: 50 }, (_, i) => task(`s${i}`)), { reserveAfterPasses: 1 });
    for (let round = 0; round < 10; round++) {
      placer.schedule();
      placer.release(`s${round}`);
    }
    expect(placer.reservedAgents()).toEqual([]);
  });

  it.each([
    // passes 1, 2: big fails, a freed CPU goes to a small task; after pass 2 agent a is held.
    // rounds 3, 4, 5 free 1, 2, 3 CPUs on a and place nothing; round 6 frees the 4th: big starts
    { reserveAfterPasses: 2, startsIn: 6 },
    // the same, held after pass 4: rounds 5..7 accumulate, round 8 starts it
    { reserveAfterPasses: 4, startsIn: 8 },
    // without the rule small tasks take every freed CPU and big never starts
    { reserveAfterPasses: Infinity, startsIn: undefined },
  ])('reserve after $reserveAfterPasses passes: the big task starts in round $startsIn', ({ reserveAfterPasses, startsIn }) => {
    const placer = placerWith([agent('a').cpu(4)], ['r0', 'r1', 'r2', 'r3'].map((id) => task(id)), { reserveAfterPasses });
    expect(bigTaskStartRound(placer, 20)).toBe(startsIn);
  });

  it('says which agent is held, and frees it when the task is cancelled', () => {
    const placer = placerWith([agent('a').cpu(4)], [task('r0').cpu(3)], { reserveAfterPasses: 1 });
    placer.schedule();
    placer.enqueue(task('big').cpu(4).build());
    placer.enqueue(task('small').cpu(1).build());
    // pass 1: big fails (3 of 4 CPUs used) and small takes the free CPU; a is held after it
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['small']);
    expect(placer.reservedAgents()).toEqual([['big', 'a']]);
    expect(placer.why('big')).toEqual({ kind: 'exhausted', resource: 'cpu', short: 4000, reservedAgentId: 'a' });
    placer.release('small');
    placer.enqueue(task('after').cpu(1).build());
    // a is held: 'after' does not get the CPU small freed
    expect(placer.schedule()).toEqual([]);
    placer.dequeue('big');
    expect(placer.reservedAgents()).toEqual([]);
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['after']);
  });

  it('drops the reservation when its agent drains, and holds another', () => {
    const placer = placerWith([agent('a').cpu(4), agent('b').cpu(4)], [task('ra').cpu(3), task('rb').cpu(3)], { reserveAfterPasses: 1 });
    placer.schedule();
    // big does not fit; a small task placed in the same pass overtakes it: an agent is held
    placer.enqueue(task('big').cpu(4).build());
    placer.enqueue(task('small-1').cpu(0.5).project('other').build());
    placer.schedule();
    const [[, held]] = placer.reservedAgents() as [[string, string]];
    placer.upsertAgent(agent(held).cpu(4).draining().build());
    placer.enqueue(task('small-2').cpu(0.5).project('other').build());
    placer.schedule();
    expect(placer.reservedAgents()).toEqual([['big', held === 'a' ? 'b' : 'a']]);
  });

  it('holds a CPU agent for a CPU-only task even when a GPU agent lacks less', () => {
    const placer = placerWith([agent('c').cpu(4), agent('g').cpu(8).memory('16Gi').gpus(2)], [], { reserveAfterPasses: 1 });
    const cpus = (n: number) => ({ cpuMilli: n * 1000, memoryBytes: 0, gpus: 0 });
    placer.allocate('fill-c', 'c', cpus(3), []);
    placer.allocate('fill-g', 'g', cpus(6), []);
    placer.enqueue(task('big').cpu(4).build());
    placer.enqueue(task('small').cpu(0.5).project('other').build());
    // big lacks 3 of c's 4 CPUs (.75) and 2 of g's 8 (.25); g is closer, but holding it would idle its GPUs
    placer.schedule();
    expect(placer.reservedAgents()).toEqual([['big', 'c']]);
  });

  it('holds at most maxReservedAgents agents', () => {
    const agents = ['a', 'b', 'c'].map((id) => agent(id).cpu(2));
    const fillers = ['a', 'b', 'c'].map((id) => task(`fill-${id}`).cpu(2));
    const placer = placerWith(agents, fillers, { reserveAfterPasses: 1, maxReservedAgents: 2 });
    placer.schedule();
    for (const project of ['p', 'q', 'r']) placer.enqueue(task(`big-${project}`).project(project).cpu(2).build());
    placer.upsertAgent(agent('d').cpu(1).build());
    placer.enqueue(task('small').cpu(0.5).project('s').build()); // overtakes them all, on d
    placer.schedule();
    expect(placer.reservedAgents()).toHaveLength(2);
  });
});
