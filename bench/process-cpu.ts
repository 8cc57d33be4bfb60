/**
 * CPU time of processes this machine runs, from /proc/PID/stat (user + system, all threads:
 * worker threads and V8's GC helpers included). Read before and after a measured span, it
 * tells where the CPU went per task, which throughput alone hides on a machine whose cores
 * every process shares. Linux only: elsewhere it reads nothing and the figures are left out.
 */
import { readFileSync } from 'node:fs';

/** /proc/PID/stat counts in clock ticks; USER_HZ is 100 on every Linux this runs on. */
const msPerTick = 10;

/** CPU ms used so far by `pid`, or undefined where /proc cannot tell. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * msPerTick;
  } catch {
    return undefined;
  }
}

/** Measures the CPU `pids` use while `span` runs: ms per pid, or undefined for any unreadable. */
export async function cpuDuring<T>(pids: readonly number[], span: () => Promise<T>): Promise<{ value: T; cpuMs: (number | undefined)[] }> {
  const before = pids.map(processCpuMs);
  const value = await span();
  const cpuMs = pids.map((pid, i) => {
    const after = processCpuMs(pid);
    const start = before[i];
    return after === undefined || start === undefined ? undefined : after - start;
  });
  return { value, cpuMs };
}
