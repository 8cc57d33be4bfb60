// How a container's non-zero exit is classified: out of memory when the engine flags it, or when
// it died by SIGKILL under a memory limit and the flag never came; otherwise a plain failure.
// (The engine's own flag is exercised against a real dockerd in test/integration/container.test.ts;
// the missing-flag case is a race dockerd cannot be made to lose on purpose.)
import { describe, expect, it } from 'vitest';
import { outOfMemory } from '../../agent/executors/container-executor.js';

/** What `inspect` answers, look by look (the last answer repeats). */
function engine(...flags: boolean[]) {
  let looks = 0;
  return {
    get looks() { return looks; },
    inspect: async () => ({ State: { OOMKilled: flags[Math.min(looks++, flags.length - 1)] } }) as never,
  };
}

describe('container out-of-memory classification', () => {
  it('trusts the engine\'s flag, at once or when it comes late', async () => {
    expect(await outOfMemory(engine(true), 137, 32 * 2 ** 20)).toBe('out of memory (limit 32MiB): the engine killed the container');
    const late = engine(false, false, true);
    expect(await outOfMemory(late, 137, 32 * 2 ** 20)).toBe('out of memory (limit 32MiB): the engine killed the container');
    expect(late.looks).toBe(3);
  });

  it('counts a SIGKILL under a memory limit without the flag as out of memory, saying so', async () => {
    const never = engine(false);
    expect(await outOfMemory(never, 137, 32 * 2 ** 20)).toBe('out of memory (limit 32MiB): killed by SIGKILL (exit 137) at its memory limit; the engine did not flag it as an OOM kill');
    expect(never.looks).toBe(10);
  });

  it('leaves other exits, and a SIGKILL with no memory limit, as plain failures', async () => {
    const exit7 = engine(false);
    expect(await outOfMemory(exit7, 7, 32 * 2 ** 20)).toBeUndefined();
    expect(exit7.looks).toBe(1);
    expect(await outOfMemory(engine(false), 137, 0)).toBeUndefined();
  });
});
