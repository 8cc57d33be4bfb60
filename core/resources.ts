/** A resource vector. CPU in millicores, memory in bytes, GPUs as a count of whole devices. */
export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  gpus: number;
}

export const zeroResources: Readonly<Resources> = Object.freeze({ cpuMilli: 0, memoryBytes: 0, gpus: 0 });

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes, gpus: a.gpus + b.gpus };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli - b.cpuMilli, memoryBytes: a.memoryBytes - b.memoryBytes, gpus: a.gpus - b.gpus };
}

export function fitsWithin(demand: Resources, free: Resources): boolean {
  return demand.cpuMilli <= free.cpuMilli && demand.memoryBytes <= free.memoryBytes && demand.gpus <= free.gpus;
}

/** A GPU device as the agent reports it. */
export interface GpuDevice {
  index: number;
  model: string;
  memoryBytes: number;
  uuid: string;
  /** MIG mode is on: the device is partitioned; placement still gives it out whole. */
  mig?: boolean;
}
