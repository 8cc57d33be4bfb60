/**
 * The process groups thread tasks started, written down in the agent's data folder while they
 * may run. The thread pool kills a task's groups when the task ends; an agent that was SIGKILLed
 * could not, so the next agent on the same folder kills what the list still names when it starts.
 *
 * Each line is `PGID STARTTIME`: the group leader's start time (clock ticks since boot) tells our
 * group from a later one that reuses the number. A number is reused only once our leader is gone
 * and a new process got its pid, which then leads the new group: so a group is ours if its leader
 * runs with that start time, or, no leader left, if a member started no earlier than ours did.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../core/logger.js';
import { groupMembers, startTimeOf } from '../../core/proc.js';

export class TaskProcessGroups {
  /** pgid → its leader's start time. */
  private readonly live = new Map<number, string>();

  constructor(private readonly file: string, private readonly logger: Logger) {}

  /** Kills the groups an earlier agent on this folder left behind; returns how many it killed. */
  reapLeftovers(): number {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return 0; // none written: nothing left
    }
    let killed = 0;
    for (const line of text.split('\n')) {
      const [pgid, startTime] = line.split(' ').map((f) => f.trim());
      if (!pgid || !startTime || !/^\d+$/.test(pgid)) continue;
      if (ours(Number(pgid), startTime) && killGroup(Number(pgid))) killed++;
    }
    rmSync(this.file, { force: true });
    if (killed) this.logger.warn({ groups: killed }, 'killed process groups that tasks of an earlier agent process left running');
    return killed;
  }

  /** A task started a process leading group `pgid`. */
  add(pgid: number): void {
    const startTime = startTimeOf(pgid);
    if (startTime === undefined) return; // ended already
    this.live.set(pgid, startTime);
    mkdirSync(path.dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${pgid} ${startTime}\n`);
  }

  /** Kills group `pgid` (its task ended) and forgets it. */
  kill(pgid: number): void {
    killGroup(pgid);
    if (!this.live.delete(pgid)) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, [...this.live].map(([g, t]) => `${g} ${t}\n`).join(''));
    renameSync(tmp, this.file);
  }
}

function ours(pgid: number, leaderStart: string): boolean {
  const leader = startTimeOf(pgid);
  if (leader !== undefined) return leader === leaderStart;
  return groupMembers(pgid).some((m) => BigInt(m.startTime) >= BigInt(leaderStart));
}

/** SIGKILL to a process group; false when it has ended already. */
export function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // ESRCH: the group has ended
  }
}
