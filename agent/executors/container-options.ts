/**
 * The Docker create options for one container task: pure, so the security defaults and the GPU
 * device requests are unit-tested without an engine.
 *
 * Defaults are safe: no network unless the step asks, not privileged, every capability dropped,
 * no new privileges, and no host mounts but the task's own in/out folders. Limits are the
 * engine's: CPU (NanoCpus), memory (no swap beyond it), pids; GPUs by the exact indices
 * placement gave the task.
 */
import type Docker from 'dockerode';

export const labels = {
  task: 'io.clusterd.task',
  attempt: 'io.clusterd.attempt',
  agent: 'io.clusterd.agent',
} as const;

export interface ContainerTask {
  taskId: string;
  attempt: number;
  agentId: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  network: boolean;
  cpuMilli: number;
  memoryBytes: number;
  gpuIndices: number[];
  /** Host folders mounted at /cluster/in (read-only) and /cluster/out. */
  inDir: string;
  outDir: string;
}

export const pidsLimit = 4096;

export function createOptions(task: ContainerTask): Docker.ContainerCreateOptions {
  const env = {
    ...task.env,
    CLUSTER_TASK_ID: task.taskId,
    CLUSTER_ATTEMPT: String(task.attempt),
    CLUSTER_IN: '/cluster/in',
    CLUSTER_OUT: '/cluster/out',
    ...(task.gpuIndices.length ? { NVIDIA_VISIBLE_DEVICES: task.gpuIndices.join(','), CLUSTER_GPUS: task.gpuIndices.join(',') } : {}),
  };
  return {
    Image: task.image,
    ...(task.command.length ? { Cmd: task.command } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { [labels.task]: task.taskId, [labels.attempt]: String(task.attempt), [labels.agent]: task.agentId },
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Binds: [`${task.inDir}:/cluster/in:ro`, `${task.outDir}:/cluster/out:rw`],
      NetworkMode: task.network ? 'bridge' : 'none',
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NanoCpus: task.cpuMilli * 1_000_000,
      Memory: task.memoryBytes,
      MemorySwap: task.memoryBytes,
      PidsLimit: pidsLimit,
      ...(task.gpuIndices.length
        ? { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: task.gpuIndices.map(String), Capabilities: [['gpu']] }] }
        : {}),
    },
  };
}
