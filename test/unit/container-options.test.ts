// The create options of a container task: limits, safe defaults, GPUs by index.
import { describe, expect, it } from 'vitest';
import { createOptions, type ContainerTask } from '../../agent/executors/container-options.js';

const task = (over: Partial<ContainerTask> = {}): ContainerTask => ({
  taskId: 'run-1/train/3', attempt: 2, agentId: 'gpu-box', image: 'trainer:1', command: ['python', 'train.py'], env: { LR: '0.1' },
  network: false, cpuMilli: 1500, memoryBytes: 2 ** 30, gpuIndices: [], inDir: '/data/in', outDir: '/data/out', ...over,
});

describe('container create options', () => {
  it('passes exactly the GPU indices placement gave the task', () => {
    const opts = createOptions(task({ gpuIndices: [2, 5] }));
    expect(opts.HostConfig!.DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['2', '5'], Capabilities: [['gpu']] }]);
    expect(opts.Env).toContain('NVIDIA_VISIBLE_DEVICES=2,5');
  });

  it('asks for no devices without GPUs', () => {
    const opts = createOptions(task());
    expect(opts.HostConfig!.DeviceRequests).toBeUndefined();
    expect(opts.Env!.some((e) => e.startsWith('NVIDIA_VISIBLE_DEVICES'))).toBe(false);
  });

  it('sets the engine limits from the resources: 1500m CPU = 1.5e9 NanoCpus, memory without extra swap', () => {
    const host = createOptions(task()).HostConfig!;
    expect(host.NanoCpus).toBe(1_500_000_000);
    expect(host.Memory).toBe(2 ** 30);
    expect(host.MemorySwap).toBe(2 ** 30);
    expect(host.PidsLimit).toBeGreaterThan(0);
  });

  it('is safe by default: no network, unprivileged, all capabilities dropped, only the task folders mounted', () => {
    const host = createOptions(task()).HostConfig!;
    expect(host.NetworkMode).toBe('none');
    expect(host.Privileged).toBe(false);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.Binds).toEqual(['/data/in:/cluster/in:ro', '/data/out:/cluster/out:rw']);
    expect(createOptions(task({ network: true })).HostConfig!.NetworkMode).toBe('bridge');
  });

  it('labels the container with task, attempt and agent, and passes the env', () => {
    const opts = createOptions(task());
    expect(opts.Labels).toEqual({ 'io.clusterd.task': 'run-1/train/3', 'io.clusterd.attempt': '2', 'io.clusterd.agent': 'gpu-box' });
    expect(opts.Env).toEqual(expect.arrayContaining(['LR=0.1', 'CLUSTER_TASK_ID=run-1/train/3', 'CLUSTER_ATTEMPT=2']));
    expect(opts.Cmd).toEqual(['python', 'train.py']);
  });
});
