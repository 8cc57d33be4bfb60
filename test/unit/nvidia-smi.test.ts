// GPU detection against recorded nvidia-smi output (these machines have no GPU).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectGpus, parseNvidiaSmi } from '../../agent/fingerprint/nvidia-smi.js';

const recorded = (name: string) => readFileSync(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');
const fake = new URL('../fixtures/nvidia-smi/fake-nvidia-smi.sh', import.meta.url).pathname;

describe('nvidia-smi fingerprint', () => {
  it('reads a 1-GPU box', () => {
    expect(parseNvidiaSmi(recorded('one-a100.csv'))).toEqual([
      { index: 0, model: 'NVIDIA A100-SXM4-40GB', memoryBytes: 40960 * 2 ** 20, uuid: 'GPU-6f1e2a4c-93b1-5d2e-8a7c-1b2c3d4e5f60', mig: false },
    ]);
  });

  it('reads an 8-GPU box with every index', () => {
    const gpus = parseNvidiaSmi(recorded('eight-h100.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((g) => g.model))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
    expect(gpus[7]!.memoryBytes).toBe(81559 * 2 ** 20);
  });

  it('marks a GPU with MIG enabled', () => {
    expect(parseNvidiaSmi(recorded('mig-a100.csv')).map((g) => [g.index, g.mig])).toEqual([[0, true], [1, false]]);
  });

  it('refuses output it cannot read, naming the line', () => {
    expect(() => parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver')).toThrow(/cannot read the line/);
  });

  it('runs the command it is given, and finds no GPUs without one', async () => {
    process.env.FAKE_NVIDIA_SMI_OUTPUT = new URL('../fixtures/nvidia-smi/eight-h100.csv', import.meta.url).pathname;
    expect((await detectGpus(fake)).gpus).toHaveLength(8);
    expect(await detectGpus('/nonexistent/nvidia-smi')).toEqual({ gpus: [], note: 'no nvidia-smi: no GPUs' });
  });
});
