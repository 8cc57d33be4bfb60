/**
 * Helpers for the external programs integration suites start (etcd, dockerd): finding them,
 * failing loudly under CI when they are missing, and stopping them by pid. Every process started
 * through `spawnManaged` is also killed by pid if the test process exits without stopping it, so
 * a crashed suite leaves nothing running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

/** The Debian package that provides each program (see test/setup/ensure-deps.sh). */
const packageOf: Record<string, string> = {
  etcd: 'etcd-server',
  dockerd: 'docker.io',
  docker: 'docker.io',
  busybox: 'busybox-static',
};

/**
 * The path of `program`, or undefined when it is missing and the suite may be skipped. Under
 * CI=true a missing program throws, so the suite fails saying what to install instead of
 * silently skipping.
 */
export function requireProgram(program: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path) return path;
  const why = `${program} is not installed (apt-get install ${packageOf[program] ?? program}; test/setup/ensure-deps.sh does it as root)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI=true does not allow skipping this suite`);
  console.warn(`skipping: ${why}`);
  return undefined;
}

const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) signalPid(pid, 'SIGKILL');
});

/**
 * Kills `pid` if the test process exits while it still runs: for grandchildren we know by pid
 * (the containerd a dockerd starts). Returns the function that forgets it again.
 */
export function killOnExit(pid: number): () => void {
  running.add(pid);
  return () => running.delete(pid);
}

export class ManagedProcess {
  output = '';
  readonly pid: number;
  readonly exited: Promise<number | null>;
  private stopping: Promise<void> | undefined;

  constructor(readonly name: string, private readonly child: ChildProcess) {
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    this.pid = child.pid;
    running.add(this.pid);
    // Keep only the tail: etcd and dockerd log a lot, and the tail is what explains a failure.
    const collect = (d: Buffer) => { this.output = (this.output + d.toString()).slice(-20_000); };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = once(child, 'exit').then(([code]) => {
      running.delete(this.pid);
      return code as number | null;
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Idempotent. */
  stop(graceMs = 5_000): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.alive) return;
      signalPid(this.pid, 'SIGTERM');
      const timer = setTimeout(() => signalPid(this.pid, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

export function spawnManaged(name: string, command: string, args: string[]): ManagedProcess {
  return new ManagedProcess(name, spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
}

export function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** Whether `pid` runs (a zombie waiting for its parent to reap it counts as gone). */
export function pidAlive(pid: number): boolean {
  if (!signalPid(pid, 0)) return false;
  const stat = readStat(pid);
  return stat === undefined || !/^\d+ \(.*\) Z/.test(stat);
}

function readStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Polls `probe` every `intervalMs` until it resolves true, failing after `timeoutMs` or as soon
 * as `proc` exits (its output then explains why).
 */
export async function waitUntilReady(proc: ManagedProcess, what: string, probe: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) throw new Error(`${proc.name} exited before ${what}:\n${proc.output}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${proc.name} (pid ${proc.pid}) not ${what} within ${timeoutMs} ms:\n${proc.output}`);
}
