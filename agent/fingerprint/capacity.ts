// What an agent offers: detected from the machine unless the operator says otherwise.
import os from 'node:os';
import type { GpuDevice } from '../../core/resources.js';
import { detectGpus } from './nvidia-smi.js';

export interface AgentCapacity {
  cpuMilli: number;
  memoryBytes: number;
  gpus: GpuDevice[];
  notes: string[];
}

export interface CapacityOverrides {
  cpuMilli?: number;
  memoryBytes?: number;
  /** A GPU count: that many devices, numbered from 0 (for testing placement without GPUs). */
  gpus?: number;
  /** The nvidia-smi to run (default: the one on PATH). */
  nvidiaSmi?: string;
}

export async function detectCapacity(overrides: CapacityOverrides = {}): Promise<AgentCapacity> {
  const notes: string[] = [];
  let gpus: GpuDevice[];
  if (overrides.gpus !== undefined) {
    gpus = Array.from({ length: overrides.gpus }, (_, index) => ({ index, model: 'declared', memoryBytes: 0, uuid: '' }));
    notes.push(`${overrides.gpus} GPU(s) declared by --gpus`);
  } else {
    const detected = await detectGpus(overrides.nvidiaSmi);
    gpus = detected.gpus;
    notes.push(detected.note);
  }
  return {
    cpuMilli: overrides.cpuMilli ?? os.availableParallelism() * 1000,
    memoryBytes: overrides.memoryBytes ?? os.totalmem(),
    gpus,
    notes,
  };
}
