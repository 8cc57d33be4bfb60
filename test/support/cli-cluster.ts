/**
 * Drives the real `clusterctl` (the compiled dist/, as users run it) from tests: starts dev
 * clusters, schedulers and agents as processes on loopback, runs commands, and stops every
 * process it started by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const cliEntry = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one clusterctl command to completion. */
export async function clusterctl(args: string[], opts: { addr?: string; timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [cliEntry, ...(opts.addr ? ['--addr', opts.addr] : []), ...args], {
    cwd: opts.cwd ?? repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code: code ?? -1, stdout, stderr };
}

export async function clusterctlJson<T = unknown>(args: string[], addr: string): Promise<T> {
  const res = await clusterctl([...args, '-o', 'json'], { addr });
  if (res.code !== 0) throw new Error(`clusterctl ${args.join(' ')} exited ${res.code}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** A long-running clusterctl process (dev, scheduler, agent) with its output collected. */
export class Daemon {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => { this.output += d; });
    child.stderr?.on('data', (d) => { this.output += d; });
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first match of `pattern` in the output, or fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}) before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(this.pid, signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `env` adds to (or overrides) this process's environment. */
export function startDaemon(args: string[], env: Record<string, string> = {}): Daemon {
  return new Daemon(spawn(process.execPath, [cliEntry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
}

/** A thread agent of 2 CPUs and 2 GiB for the scheduler at `addr`; resolves once it is the only agent listed. */
export async function startAgent(addr: string, id: string): Promise<Daemon> {
  const agent = startDaemon(['agent', '--scheduler', addr, '--id', id, '--cpu', '2', '--memory', '2Gi']);
  await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, `agent ${id}`);
  return agent;
}

export interface DevCluster {
  addr: string;
  daemon: Daemon;
  agentPids: number[];
  stop(): Promise<void>;
}

/** `clusterctl dev` on a free port; resolves once every agent has registered. */
export async function startDev(agents: number, extra: string[] = []): Promise<DevCluster> {
  const daemon = startDaemon(['dev', '--port', '0', '--agents', String(agents), ...extra]);
  const m = await daemon.waitFor(/scheduler listening on (\S+), \d+ agent\(s\) ready \(pids ([\d ]*)\)/);
  const agentPids = m[2]!.trim() ? m[2]!.trim().split(' ').map(Number) : [];
  return {
    addr: m[1]!,
    daemon,
    agentPids,
    async stop() {
      await daemon.stop();
      for (const pid of agentPids) killIfAlive(pid, 'SIGKILL');
    },
  };
}

export function killIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
