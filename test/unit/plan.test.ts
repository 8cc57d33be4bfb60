// Capacity planning arithmetic: slots per agent kind, waves, the dispatch bound, agents for a deadline.
import { describe, expect, it } from 'vitest';
import { agentKinds, plan, slotsFor } from '../../bench/plan.js';
import type { AgentInfo__Output } from '../../proto/types.js';

const GiB = 2 ** 30;
const cpuBox = { cpuMilli: 16_000, memoryBytes: 64 * GiB, gpus: 0 };
const gpuBox = { cpuMilli: 32_000, memoryBytes: 256 * GiB, gpus: 8 };

describe('capacity plan', () => {
  it('counts the slots a task shape gets on an agent by its scarcest resource', () => {
    expect(slotsFor(cpuBox, { seconds: 1, cpuMilli: 2_000, memoryBytes: 4 * GiB, gpus: 0 })).toBe(8); // CPU-bound
    expect(slotsFor(cpuBox, { seconds: 1, cpuMilli: 1_000, memoryBytes: 16 * GiB, gpus: 0 })).toBe(4); // memory-bound
    expect(slotsFor(gpuBox, { seconds: 1, cpuMilli: 1_000, memoryBytes: 8 * GiB, gpus: 2 })).toBe(4); // GPU-bound
    expect(slotsFor(cpuBox, { seconds: 1, cpuMilli: 1_000, memoryBytes: GiB, gpus: 1 })).toBe(0);
  });

  it('groups agents by identical capacity', () => {
    const agent = (cpu: number, gpus: number) => ({ capacity: { cpu_milli: cpu, memory_bytes: 64 * GiB, gpus: Array.from({ length: gpus }, () => ({})) } }) as unknown as AgentInfo__Output;
    expect(agentKinds([agent(16_000, 0), agent(32_000, 8), agent(16_000, 0)])).toEqual([
      { cpuMilli: 16_000, memoryBytes: 64 * GiB, gpus: 0, count: 2 },
      { cpuMilli: 32_000, memoryBytes: 64 * GiB, gpus: 8, count: 1 },
    ]);
  });

  it('estimates waves of slot time, and the agents of each kind a deadline needs', () => {
    const shape = { seconds: 60, cpuMilli: 2_000, memoryBytes: 4 * GiB, gpus: 0 };
    const p = plan(1_000, shape, [{ ...cpuBox, count: 5 }], { overheadSeconds: 0.5, dispatchPerSec: 5_000 }, 3_600);
    expect(p.slots).toBe(40);
    expect(p.waves).toBe(25);
    expect(p.estimatedSeconds).toBeCloseTo(25 * 60.5);
    // 3600 s holds floor(3600 / 60.5) = 59 waves; 1000 tasks / (59 × 8 slots) -> 3 agents.
    expect(p.kinds[0]!.agentsForDeadline).toBe(3);
    expect(p.dispatchBound).toBe(false);
    expect(p.arithmetic.join('\n')).toContain('T = max(25 × 60.5 s');
  });

  it('is bound by dispatch for tiny tasks, where more agents do not help', () => {
    const shape = { seconds: 0.001, cpuMilli: 100, memoryBytes: 64 * 2 ** 20, gpus: 0 };
    const p = plan(1_000_000, shape, [{ ...cpuBox, count: 10 }], { overheadSeconds: 0.002, dispatchPerSec: 5_000 }, 60);
    expect(p.estimatedSeconds).toBe(200);
    expect(p.dispatchBound).toBe(true);
    expect(p.kinds[0]!.agentsForDeadline).toBeNull();
  });

  it('says when no agent can hold the task', () => {
    const p = plan(10, { seconds: 1, cpuMilli: 1_000, memoryBytes: GiB, gpus: 1 }, [{ ...cpuBox, count: 3 }], { overheadSeconds: 0.01, dispatchPerSec: 1_000 }, 60);
    expect(p.estimatedSeconds).toBeNull();
    expect(p.arithmetic.join('\n')).toContain('no agent of this cluster can hold one task of this shape');
  });
});
