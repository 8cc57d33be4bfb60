// The ledger of process groups thread tasks start: what an agent SIGKILLed could not stop, the
// next one on the same folder kills, and only groups that are still the ones written down.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { startTimeOf } from '../../core/proc.js';
import { TaskProcessGroups } from '../../agent/executors/task-process-groups.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('TaskProcessGroups', () => {
  let tmp: TempDir | undefined;
  const started: number[] = [];
  const sleeper = () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: true }); // leads a group of its own
    child.unref();
    started.push(child.pid!);
    return child.pid!;
  };
  afterEach(async () => {
    for (const pid of started.splice(0)) if (startTimeOf(pid) !== undefined) process.kill(pid, 'SIGKILL');
    await tmp?.remove();
  });

  it('kills at start what an earlier agent wrote down and never killed, and forgets it', async () => {
    tmp = await tempDir('groups');
    const file = path.join(tmp.path, 'agent', 'task-process-groups');
    const before = new TaskProcessGroups(file, silentLogger);
    const [left, ended] = [sleeper(), sleeper()];
    before.add(left);
    before.add(ended);
    before.kill(ended); // its task ended: killed and struck from the list
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[0]))).toEqual([left]);
    await expect.poll(() => startTimeOf(ended)).toBe(undefined);
    expect(startTimeOf(left)).toBeDefined();

    // The agent was SIGKILLed; the next one on the folder:
    expect(new TaskProcessGroups(file, silentLogger).reapLeftovers()).toBe(1);
    await expect.poll(() => startTimeOf(left)).toBe(undefined);
    expect(new TaskProcessGroups(file, silentLogger).reapLeftovers()).toBe(0); // the list is gone
  });

  it('leaves a group alone whose leader is another process than the one written down', async () => {
    tmp = await tempDir('groups');
    const file = path.join(tmp.path, 'task-process-groups');
    const other = sleeper();
    // The same number with another start time: a later process that reused the pid.
    writeFileSync(file, `${other} ${BigInt(startTimeOf(other)!) - 1n}\n`);
    expect(new TaskProcessGroups(file, silentLogger).reapLeftovers()).toBe(0);
    expect(startTimeOf(other)).toBeDefined();
  });
});
