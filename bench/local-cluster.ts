/**
 * A cluster of real processes on loopback for benchmarks: one scheduler and N agents, each a
 * `clusterctl` process, stopped by pid. Benchmarks measure what users run, not an in-process
 * shortcut.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { sleep } from '../core/abortable.js';
import { ClusterError } from '../core/errors.js';
import { ClusterClient } from '../cli/client.js';

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
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    const scheduler = spawnCli(['--log-level', 'info', 'scheduler', '--listen', '127.0.0.1:0']);
    children.push(scheduler);
    const addr = await readAddr(scheduler);
    for (let i = 0; i < opts.agents; i++) {
      children.push(spawnCli(['--log-level', logLevel, 'agent', '--scheduler', addr, '--id', `bench-agent-${i + 1}`, ...(opts.agentArgs ?? [])]));
    }
    await waitForAgents(addr, opts.agents);
    return { addr, pids: children.map((c) => c.pid!), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The address the scheduler prints once it listens; its further output is drained. */
function readAddr(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /"msg":"scheduler listening","addr":"([^"]+)"/.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.off('exit', onExit);
      resolve(m[1]!);
    };
    const onExit = () => reject(new ClusterError('UNAVAILABLE', `the scheduler exited before listening:\n${out}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function waitForAgents(addr: string, n: number): Promise<void> {
  const client = new ClusterClient([addr]);
  try {
    for (let i = 0; i < 600; i++) {
      if ((await client.call('ListAgents', {})).agents.length >= n) return;
      await sleep(50);
    }
    throw new ClusterError('UNAVAILABLE', `only some of ${n} agents registered within 30 s`);
  } finally {
    client.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
