/**
 * A cluster of real processes on loopback for benchmarks: one scheduler and N agents, each a
 * `clusterctl` process, stopped by pid. Benchmarks measure what users run, not an in-process
 * shortcut.
 *
 * The daemons log to a file, as they would under an operator (journald, a log file), never to a
 * pipe into the measuring process: reading the scheduler's two info lines per run woke the
 * benchmark's client once more per run, on the same two cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../core/abortable.js';
import { ClusterError, errorCode } from '../core/errors.js';
import { freePort } from '../core/ports.js';
import { ClusterClient } from '../client/client.js';
import { stoppedOnInterrupt } from './started.js';

const cliEntry = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface LocalCluster {
  addr: string;
  pids: number[];
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  agents: number;
  /** Extra flags for every agent, e.g. ['--cpu', '2']. */
  agentArgs?: string[];
  logLevel?: string;
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const logLevel = opts.logLevel ?? 'warn';
  const dir = await mkdtemp(path.join(tmpdir(), 'clusterd-bench-'));
  const logFile = path.join(dir, 'cluster.log');
  const children: ChildProcess[] = [];
  const stop = stoppedOnInterrupt(async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await rm(dir, { recursive: true, force: true });
  });
  try {
    const addr = `127.0.0.1:${await freePort()}`;
    const scheduler = spawnCli(['--log-level', 'info', 'scheduler', '--listen', addr], logFile);
    children.push(scheduler);
    await waitForAgents(addr, 0, scheduler, logFile); // agents start once it answers: none waits in retries
    for (let i = 0; i < opts.agents; i++) {
      children.push(spawnCli(['--log-level', logLevel, 'agent', '--scheduler', addr, '--id', `bench-agent-${i + 1}`, ...(opts.agentArgs ?? [])], logFile));
    }
    await waitForAgents(addr, opts.agents, scheduler, logFile);
    return { addr, pids: children.map((c) => c.pid!), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Its log lines are appended to `logFile`; stderr (a crash's trace) stays on the console. */
function spawnCli(args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    return spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', fd, 'inherit'] });
  } finally {
    closeSync(fd);
  }
}

/** Waits until the scheduler answers and `n` agents have registered with it. */
async function waitForAgents(addr: string, n: number, scheduler: ChildProcess, logFile: string): Promise<void> {
  const client = new ClusterClient([addr]);
  try {
    for (let i = 0; i < 600; i++) {
      if (scheduler.exitCode !== null || scheduler.signalCode !== null) {
        throw new ClusterError('UNAVAILABLE', `the benchmark's scheduler exited before it was ready; its log:\n${readFileSync(logFile, 'utf8')}`);
      }
      try {
        if ((await client.call('ListAgents', {})).agents.length >= n) return;
      } catch (err) {
        if (errorCode(err) !== 'UNAVAILABLE') throw err; // not listening yet
      }
      await sleep(50);
    }
    throw new ClusterError('UNAVAILABLE', `the scheduler at ${addr} did not have ${n} agents within 30 s; the cluster's log:\n${readFileSync(logFile, 'utf8')}`);
  } finally {
    client.close();
  }
}

/** SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
