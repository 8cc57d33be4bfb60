/**
 * clusterctl dev: a whole cluster in the foreground on loopback — a scheduler with embedded
 * state in this process and N agents as child processes, over real gRPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { sleep } from '../../core/abortable.js';
import { ClusterError } from '../../core/errors.js';
import { ClusterCredentials } from '../../proto/credentials.js';
import { adminCredentials, ensureCertificates } from '../../client/admin-credentials.js';
import { ClusterClient } from '../../client/client.js';
import { exitOnCrash, fail, globals, loggerFor, untilSignal } from '../context.js';
import { cpuArg, durationArg, sizeArg, wholeNumberArg } from '../option-args.js';
import { defaultMaxForeachItems, defaultPrefetchWindowMs } from '../../scheduler/defaults.js';

interface DevFlags {
  agents: string;
  port: string;
  host: string;
  agentTtl: string;
  agentCpu?: string;
  agentMemory?: string;
  data?: string;
  gcGrace: string;
  maxForeachItems: string;
  prefetchWindow: string;
  secure?: boolean;
  dockerHost?: string;
  detach?: boolean;
}

const cliEntry = fileURLToPath(new URL('../main.js', import.meta.url));

export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('run a whole cluster on loopback: scheduler (embedded state) and N thread agents')
    .option('--agents <n>', 'agents to start', wholeNumberArg(0, 64), '2')
    .option('--port <port>', 'scheduler port (0 picks a free one)', '7700')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--agent-ttl <duration>', 'an agent silent this long is lost', durationArg, '5s')
    .option('--agent-cpu <cores>', 'CPU each agent offers (default: detected)', cpuArg)
    .option('--agent-memory <size>', 'memory each agent offers (default: detected)', sizeArg)
    .option('--gc-grace <duration>', 'store garbage collection spares unreferenced chunks younger than this', durationArg, '6h')
    .option('--data <dir>', 'keep the cluster state and chunk store in this folder so runs and results survive a restart (default: in memory)')
    .option('--max-foreach-items <n>', 'the most items one foreach may have', wholeNumberArg(1), String(defaultMaxForeachItems))
    .option('--prefetch-window <duration>', 'expected work an agent may hold waiting beyond what it runs, per task it runs at once (0: off)', durationArg, `${defaultPrefetchWindowMs}ms`)
    .option('--secure', 'TLS and tokens, as a real cluster: certificates in DATA/tls, an admin token in DATA/client.env (needs --data)')
    .option('--docker-host <url>', 'Docker engine the agents run container steps on (default: DOCKER_HOST, then the default socket)')
    .option('--detach', 'start in the background; return once every agent is ready, printing the pid to stop it with')
    .action(async (flags: DevFlags, cmd: Command) => {
      try {
        if (flags.detach) {
          await detach(flags);
          return;
        }
        const agents = Number(flags.agents);
        const logLevel = globals(cmd).logLevel ?? 'warn';
        const logger = loggerFor(cmd, 'scheduler', 'warn');
        exitOnCrash(logger);
        if (flags.secure && !flags.data) throw new ClusterError('INVALID_ARGUMENT', '--secure keeps certificates and tokens under --data DIR: give one');
        if (flags.data) mkdirSync(flags.data, { recursive: true });
        const tlsDir = flags.secure ? await ensureCertificates(path.resolve(flags.data!, 'tls'), flags.host) : undefined;
        const { startScheduler } = await import('../start-scheduler.js');
        const scheduler = await startScheduler({
          listen: `${flags.host}:${flags.port}`,
          agentTtl: flags.agentTtl,
          heartbeat: '1s',
          etcdPrefix: '',
          leaseTtl: '3s',
          gcGrace: flags.gcGrace,
          compactAfter: '10m',
          maxForeachItems: flags.maxForeachItems,
          prefetchWindow: flags.prefetchWindow,
          ...(flags.data ? { state: path.join(flags.data, 'state.log'), store: path.join(flags.data, 'store') } : {}),
          ...(tlsDir ? { tlsDir, auth: 'tokens' } : {}),
        }, logger);
        const addr = scheduler.daemon.addr;
        const credentials = tlsDir ? await adminCredentials([addr], tlsDir, path.resolve(flags.data!, 'client.env')) : ClusterCredentials.plaintext;
        const children = Array.from({ length: agents }, (_, i) => spawnAgent(addr, `dev-agent-${i + 1}`, logLevel, flags, tlsDir));
        await waitForAgents(addr, agents, credentials);
        process.stdout.write(`clusterd dev: scheduler listening on ${addr}, ${agents} agent(s) ready (pids ${children.map((c) => c.pid).join(' ')})\n`);
        if (tlsDir) {
          process.stdout.write(`  TLS and tokens: certificates in ${tlsDir}; an admin's address, certificates and token in ${path.resolve(flags.data!, 'client.env')}\n`);
          process.stdout.write(`  try: source ${path.resolve(flags.data!, 'client.env')} && clusterctl submit examples/hello/job.yaml --wait\n`);
        } else {
          process.stdout.write(`  try: clusterctl --addr ${addr} submit examples/hello/job.yaml --wait\n`);
        }
        untilSignal(async () => {
          await Promise.all(children.map(stopChild));
          await scheduler.close();
        });
      } catch (err) {
        fail(err);
      }
    });
}

function spawnAgent(addr: string, id: string, logLevel: string, flags: DevFlags, tlsDir: string | undefined): ChildProcess {
  const args = [cliEntry, '--log-level', logLevel, 'agent', '--scheduler', addr, '--id', id];
  if (tlsDir) args.push('--tls-dir', tlsDir); // the agent certificate: no join token needed
  if (flags.agentCpu) args.push('--cpu', flags.agentCpu);
  if (flags.agentMemory) args.push('--memory', flags.agentMemory);
  if (flags.data) args.push('--data', path.join(flags.data, 'agents', id));
  if (flags.dockerHost) args.push('--docker-host', flags.dockerHost);
  return spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/**
 * `dev --detach`: the same command without --detach as a background process logging to a file;
 * returns once it says every agent is ready, or fails with the end of its log if it stops first.
 */
async function detach(flags: DevFlags): Promise<void> {
  const log = path.resolve(flags.data ?? os.tmpdir(), flags.data ? 'dev.log' : `clusterd-dev-${process.pid}.log`);
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  const start = statSync(log).size; // an earlier start's lines are not this one's
  const child = spawn(process.execPath, [cliEntry, ...process.argv.slice(2).filter((a) => a !== '--detach')], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const said = readFileSync(log, 'utf8').slice(start);
    const ready = /clusterd dev: scheduler listening on .*\n(?: {2}.*\n)*? {2}try: .*\n/.exec(said);
    if (ready) {
      process.stdout.write(ready[0]);
      process.stdout.write(`  in the background as pid ${child.pid} (log ${log}); stop it with: kill ${child.pid}\n`);
      return;
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGTERM');
      throw new ClusterError('UNAVAILABLE', `clusterctl dev ${child.exitCode === null ? 'was not ready within 120 s' : `exited (${child.exitCode ?? child.signalCode})`}; the end of ${log}:\n${said.split('\n').slice(-15).join('\n')}`);
    }
    await sleep(100);
  }
}

async function waitForAgents(addr: string, n: number, credentials: ClusterCredentials): Promise<void> {
  const client = new ClusterClient([addr], { credentials });
  try {
    for (let i = 0; i < 600; i++) {
      const { agents } = await client.call('ListAgents', {});
      if (agents.length >= n) return;
      await sleep(50);
    }
    throw new ClusterError('UNAVAILABLE', `only some of the ${n} agents registered within 30s`);
  } finally {
    client.close();
  }
}

/** SIGTERM by pid, then SIGKILL if it has not exited in time. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
