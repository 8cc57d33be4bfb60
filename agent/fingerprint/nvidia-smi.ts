/**
 * GPU detection from `nvidia-smi`. The query asks for one CSV line per physical device. A GPU
 * with MIG enabled is still one device to placement (MIG instances are not scheduled
 * separately); it is marked so operators can see it and label agents accordingly.
 * No nvidia-smi, or one that fails, means no GPUs.
 */
import { execFile } from 'node:child_process';
import type { GpuDevice } from '../../core/resources.js';

export const nvidiaSmiArgs = ['--query-gpu=index,name,memory.total,uuid,mig.mode.current', '--format=csv,noheader,nounits'];

/** Parses the CSV `nvidia-smi` prints for nvidiaSmiArgs. memory.total is in MiB. */
export function parseNvidiaSmi(csv: string): GpuDevice[] {
  const gpus: GpuDevice[] = [];
  for (const line of csv.split('\n')) {
    if (!line.trim()) continue;
    const [index, model, memoryMib, uuid, mig] = line.split(',').map((f) => f.trim());
    const i = Number(index);
    const mem = Number(memoryMib);
    if (!Number.isInteger(i) || i < 0 || !model) throw new Error(`nvidia-smi: cannot read the line "${line}"`);
    gpus.push({ index: i, model, memoryBytes: Number.isFinite(mem) ? mem * 2 ** 20 : 0, uuid: uuid ?? '', mig: mig === 'Enabled' });
  }
  return gpus;
}

export function detectGpus(command = 'nvidia-smi'): Promise<{ gpus: GpuDevice[]; note: string }> {
  return new Promise((resolve) => {
    execFile(command, nvidiaSmiArgs, { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({ gpus: [], note: missing ? 'no nvidia-smi: no GPUs' : `nvidia-smi failed (${err.message}): no GPUs` });
        return;
      }
      try {
        const gpus = parseNvidiaSmi(stdout);
        resolve({ gpus, note: `${gpus.length} GPU(s) from nvidia-smi` });
      } catch (e) {
        resolve({ gpus: [], note: (e as Error).message });
      }
    });
  });
}
