// An agent's GPUs come from nvidia-smi (recorded output here); GPU tasks get whole devices by index.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';

const fakeNvidiaSmi = fileURLToPath(new URL('../fixtures/nvidia-smi/fake-nvidia-smi.sh', import.meta.url));
const eightGpus = fileURLToPath(new URL('../fixtures/nvidia-smi/eight-h100.csv', import.meta.url));

interface AgentJson { agent_id: string; capacity: { gpus: Array<{ index: number; model: string }> }; gpus_in_use: number[] }
interface RunJson { state: string; steps: Array<{ tasks: Array<{ state: string; agent_id: string }> }> }

describe('GPU agents', () => {
  const daemons: Daemon[] = [];
  let addr: string;
  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    const scheduler = startDaemon(['scheduler', '--listen', addr]);
    daemons.push(scheduler);
    await scheduler.waitFor(/scheduler listening/);
    process.env.FAKE_NVIDIA_SMI_OUTPUT = eightGpus;
    daemons.push(startDaemon(['agent', '--scheduler', addr, '--id', 'gpu-box', '--cpu', '4', '--memory', '8Gi', '--nvidia-smi', fakeNvidiaSmi]));
    daemons.push(startDaemon(['agent', '--scheduler', addr, '--id', 'cpu-box', '--cpu', '4', '--memory', '8Gi', '--nvidia-smi', '/nonexistent']));
    await eventually(async () => (await clusterctlJson<AgentJson[]>(['agents'], addr)).length === 2, 20_000, 'both agents');
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
  });

  it('reports the GPUs nvidia-smi lists', async () => {
    const agents = await clusterctlJson<AgentJson[]>(['agents'], addr);
    const gpuBox = agents.find((a) => a.agent_id === 'gpu-box')!;
    expect(gpuBox.capacity.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpuBox.capacity.gpus[0]!.model).toBe('NVIDIA H100 80GB HBM3');
    expect(agents.find((a) => a.agent_id === 'cpu-box')!.capacity.gpus).toEqual([]);
  });

  it('places a 2-GPU task on the GPU box with two devices of its own', async () => {
    const submitted = await clusterctl(['submit', 'test/fixtures/jobs/gpu.yaml'], { addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    await eventually(async () => (await clusterctlJson<RunJson>(['status', runId], addr)).steps[0]!.tasks[0]?.state === 'running', 20_000, 'the task to run');
    const agents = await clusterctlJson<AgentJson[]>(['agents'], addr);
    expect(agents.find((a) => a.agent_id === 'gpu-box')!.gpus_in_use).toHaveLength(2);
    const cancelled = await clusterctl(['cancel', runId], { addr });
    expect(cancelled.code).toBe(0);
  });

  it('refuses at submit a task no agent could ever hold', async () => {
    const res = await clusterctl(['submit', 'test/fixtures/jobs/gpu-too-many.yaml'], { addr });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/step "start" can never run on this cluster/);
  });
});
