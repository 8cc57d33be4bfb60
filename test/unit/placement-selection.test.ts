// Selection rules: best fit by default, spread on request, CPU-only tasks off GPU agents while
// CPU agents have room, draining agents get nothing, constraints and executors are hard rules.
import { describe, expect, it } from 'vitest';
import { agent, placementsOf, placerWith, task } from '../support/placement-builders.js';

describe('selection', () => {
  it.each([
    {
      name: 'best fit takes the fullest agent that fits',
      // big 8 CPU free, small 2 CPU free: 2 CPUs fit both; small ends at 100% CPU
      agents: [agent('big').cpu(8).memory('16Gi'), agent('small').cpu(2).memory('16Gi')],
      tasks: [task('t').cpu(2)],
      expected: { t: 'small' },
    },
    {
      name: 'best fit keeps a whole agent free for a big task that comes later',
      // a(4) b(4): t1 1 CPU → a; t2 1 CPU → a (fuller); t3 4 CPUs → b, still whole
      agents: [agent('a').cpu(4), agent('b').cpu(4)],
      tasks: [task('t1').cpu(1), task('t2').cpu(1), task('t3').cpu(4)],
      expected: { t1: 'a', t2: 'a', t3: 'b' },
    },
    {
      name: 'spread takes the emptiest agent',
      agents: [agent('big').cpu(8).memory('16Gi'), agent('small').cpu(2).memory('16Gi')],
      tasks: [task('t').cpu(2).spread()],
      expected: { t: 'big' },
    },
    {
      name: 'spread tasks alternate between equal agents',
      agents: [agent('a').cpu(4), agent('b').cpu(4)],
      tasks: [task('t1').spread(), task('t2').spread()],
      expected: { t1: expect.any(String), t2: expect.any(String) },
      distinct: true,
    },
    {
      name: 'CPU-only tasks avoid GPU agents while a CPU agent has room',
      // gpu box is bigger (a better fit score would not matter): tier rule first
      agents: [agent('gpu').cpu(32).memory('64Gi').gpus(8), agent('cpu').cpu(2)],
      tasks: [task('t1').cpu(1), task('t2').cpu(1), task('t3').cpu(1)],
      // cpu holds 2 x 1 CPU; t3 finds no CPU agent with room and uses the GPU box
      expected: { t1: 'cpu', t2: 'cpu', t3: 'gpu' },
    },
    {
      name: 'CPU-only tasks use the spare room of GPU-busy agents before opening an empty CPU agent',
      agents: [agent('gpu').cpu(40).memory('64Gi').gpus(4), agent('cpu').cpu(4)],
      // 40 CPUs / 4 GPUs = 10 per GPU; g takes 4 GPUs and 8 CPUs: 32 CPUs spare, none kept back
      tasks: [task('g').cpu(8).gpus(4), task('t1').cpu(1)],
      expected: { g: 'gpu', t1: 'gpu' },
    },
    {
      name: 'CPU-only tasks never take the CPU share kept for a free GPU while a CPU agent has room',
      // 40 CPUs / 4 GPUs = 10 per GPU; g takes 1 GPU + 8 CPUs: 32 free, 3 free GPUs keep 30, 2 spare
      agents: [agent('gpu').cpu(40).memory('64Gi').gpus(4), agent('cpu').cpu(64).memory('256Gi')],
      tasks: [task('g').cpu(8).gpus(1), task('t1').cpu(2), task('t2').cpu(2)],
      // t1 fits the 2 spare CPUs and scores higher there: gpu (10/40 + 2/64 + 1/4)/3 = 17.7 against
      // cpu (2/64 + 1/256)/2 = 1.8; t2 finds no spare room left and goes to the CPU agent
      expected: { g: 'gpu', t1: 'gpu', t2: 'cpu' },
    },
    {
      name: 'GPU tasks go to the GPU agent with the fewest free GPUs that suffice',
      agents: [agent('g8').cpu(32).memory('64Gi').gpus(8), agent('g2').cpu(32).memory('64Gi').gpus(2)],
      tasks: [task('t').gpus(2)],
      expected: { t: 'g2' },
    },
    {
      name: 'draining agents get nothing new',
      agents: [agent('a').cpu(4).draining(), agent('b').cpu(1)],
      tasks: [task('t1').cpu(1), task('t2').cpu(1)],
      expected: { t1: 'b' },
    },
    {
      name: 'label constraints are hard rules',
      agents: [agent('a100').cpu(8).gpus(1).label('gpu_model', 'A100'), agent('h100').cpu(8).gpus(1).label('gpu_model', 'H100')],
      tasks: [task('t').gpus(1).constraint('gpu_model', 'H100')],
      expected: { t: 'h100' },
    },
    {
      name: 'the executor is a hard rule',
      agents: [agent('threads').cpu(8).executors('thread'), agent('docker').cpu(2).executors('container')],
      tasks: [task('t').executor('container'), task('u').executor('thread')],
      expected: { t: 'docker', u: 'threads' },
    },
    {
      name: 'memory is checked, not only CPU',
      agents: [agent('lean').cpu(8).memory('2Gi'), agent('fat').cpu(16).memory('64Gi')],
      tasks: [task('t').cpu(1).memory('8Gi')],
      expected: { t: 'fat' },
    },
  ])('$name', ({ agents, tasks, expected, distinct }) => {
    const placed = placementsOf(placerWith(agents, tasks));
    expect(placed).toEqual(expected);
    if (distinct) expect(new Set(Object.values(placed)).size).toBe(Object.keys(placed).length);
  });

  it('gives every GPU index to one task only, lowest first', () => {
    const placer = placerWith([agent('g').cpu(32).memory('64Gi').gpus(4, [0, 1, 5, 7])], [task('a').gpus(1), task('b').gpus(2), task('c').gpus(2)]);
    const placed = placer.schedule();
    // 4 GPUs: a takes [0], b takes [1, 5]; c needs 2 but only [7] is left
    expect(placed.map((p) => [p.taskId, p.gpuIndices])).toEqual([['a', [0]], ['b', [1, 5]]]);
    placer.release('b');
    expect(placer.schedule().map((p) => [p.taskId, p.gpuIndices])).toEqual([['c', [1, 5]]]);
  });

  it('never over-commits an agent', () => {
    // 4 CPUs, 3 tasks of 1.5 CPUs: two fit (3 CPUs), the third waits
    const placer = placerWith([agent('a').cpu(4)], [task('t1').cpu(1.5), task('t2').cpu(1.5), task('t3').cpu(1.5)]);
    expect(Object.keys(placementsOf(placer))).toEqual(['t1', 't2']);
    expect(placer.why('t3')).toEqual({ kind: 'exhausted', resource: 'cpu', short: 500 });
  });
});
