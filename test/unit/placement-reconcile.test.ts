// What the scheduler tells the placer outside a pass: tasks agents report running (allocate),
// finished tasks (release), lost agents (removeAgent) and re-registrations (upsertAgent).
import { describe, expect, it } from 'vitest';
import { agent, placerWith, task } from '../support/placement-builders.js';

const GI = 2 ** 30;
const cpus = (n: number, gpus = 0) => ({ cpuMilli: n * 1000, memoryBytes: GI, gpus });

describe('allocate (reconciliation)', () => {
  it.each([
    { name: 'a task that fits, with free GPU indices', taskId: 't', agentId: 'g', resources: cpus(2, 2), gpus: [1, 3], ok: true },
    { name: 'an unknown agent', taskId: 't', agentId: 'nobody', resources: cpus(1), gpus: [], ok: false },
    { name: 'a task already allocated', taskId: 'held', agentId: 'g', resources: cpus(1), gpus: [], ok: false },
    // held has GPU 0
    { name: 'a GPU index already given', taskId: 't', agentId: 'g', resources: cpus(1, 1), gpus: [0], ok: false },
    { name: 'a GPU index the agent does not have', taskId: 't', agentId: 'g', resources: cpus(1, 1), gpus: [9], ok: false },
    { name: 'one index twice', taskId: 't', agentId: 'g', resources: cpus(1, 2), gpus: [2, 2], ok: false },
    { name: 'fewer indices than GPUs', taskId: 't', agentId: 'g', resources: cpus(1, 2), gpus: [2], ok: false },
    // 8 CPUs, held uses 1: 7 free
    { name: 'more CPU than is free', taskId: 't', agentId: 'g', resources: cpus(8), gpus: [], ok: false },
  ])('$name: $ok', ({ taskId, agentId, resources, gpus, ok }) => {
    const placer = placerWith([agent('g').cpu(8).memory('16Gi').gpus(4)]);
    expect(placer.allocate('held', 'g', cpus(1, 1), [0])).toBe(true);
    expect(placer.allocate(taskId, agentId, resources, gpus)).toBe(ok);
  });

  it('takes a reported task out of the queue and its room out of the agent', () => {
    const placer = placerWith([agent('a').cpu(2)], [task('t').cpu(2), task('u').cpu(1)]);
    expect(placer.allocate('t', 'a', cpus(2), [])).toBe(true);
    expect(placer.queuedCount).toBe(1);
    expect(placer.schedule()).toEqual([]);
    expect(placer.why('u')).toEqual({ kind: 'exhausted', resource: 'cpu', short: 1000 });
  });
});

describe('release, removeAgent, upsertAgent', () => {
  it('release gives back CPU, memory and the GPU indices', () => {
    const placer = placerWith([agent('g').cpu(4).memory('16Gi').gpus(2)], [task('a').gpus(2)]);
    expect(placer.schedule()[0]!.gpuIndices).toEqual([0, 1]);
    placer.enqueue(task('b').gpus(2).build());
    expect(placer.schedule()).toEqual([]);
    placer.release('a');
    placer.release('a');
    expect(placer.schedule()).toEqual([{ taskId: 'b', agentId: 'g', gpuIndices: [0, 1], prefetched: false }]);
  });

  it('removeAgent returns the tasks it held and forgets their room', () => {
    const placer = placerWith([agent('a').cpu(2), agent('b').cpu(2)], [task('t1').cpu(2), task('t2').cpu(2)]);
    const placed = placer.schedule();
    const onA = placed.filter((p) => p.agentId === 'a').map((p) => p.taskId);
    expect(placer.removeAgent('a')).toEqual(onA);
    expect(placer.removeAgent('a')).toEqual([]);
    placer.release(onA[0]!);
    placer.enqueue(task('t3').cpu(2).build());
    // b is still full; a is gone
    expect(placer.schedule()).toEqual([]);
  });

  it('a re-registration with less capacity keeps what runs and offers only the rest', () => {
    const placer = placerWith([agent('a').cpu(8)], [task('t').cpu(3)]);
    placer.schedule();
    placer.upsertAgent(agent('a').cpu(4).build());
    placer.enqueue(task('fits').cpu(1).build());
    placer.enqueue(task('too-big').cpu(2).build());
    // 4 - 3 = 1 CPU free
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['fits']);
  });

  it('a draining agent keeps its tasks and gets nothing new; its releases do not reopen it', () => {
    const placer = placerWith([agent('a').cpu(4)], [task('t').cpu(2)]);
    placer.schedule();
    placer.upsertAgent(agent('a').cpu(4).draining().build());
    placer.enqueue(task('u').cpu(1).build());
    expect(placer.schedule()).toEqual([]);
    placer.release('t');
    expect(placer.schedule()).toEqual([]);
    expect(placer.why('u')).toEqual({ kind: 'constraint', detail: 'every agent offering the thread executor is draining or reserved' });
  });
});
