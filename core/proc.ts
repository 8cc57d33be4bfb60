/** What Linux's /proc says of a process. */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  pgid: number;
  /** Start time in clock ticks since boot. */
  startTime: string;
}

function statOf(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's closing parenthesis: state, ppid, pgrp, … starttime is the 20th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgid: Number(fields[2]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

/**
 * Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined when there is
 * no such process. A zombie counts as gone: it has exited, only its parent has not reaped it.
 */
export function startTimeOf(pid: number): string | undefined {
  const stat = statOf(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : undefined;
}

/** The live processes (not zombies) of process group `pgid`, with their start times. */
export function groupMembers(pgid: number): Array<{ pid: number; startTime: string }> {
  const members: Array<{ pid: number; startTime: string }> = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') members.push({ pid: Number(entry), startTime: stat.startTime });
  }
  return members;
}
