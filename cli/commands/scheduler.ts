// clusterctl scheduler: one scheduler replica in the foreground. This module only defines the
// command: what it runs (the daemon, etcd, the stores) is imported when it runs, so every other
// clusterctl command starts without loading it (~0.3 s of module loading).
import type { Command } from 'commander';
import {
  defaultMaxActiveRuns, defaultMaxFinishedTasks, defaultMaxForeachItems, defaultMaxLostAttempts, defaultPrefetchWindowMs, defaultSubmitRatePerSecond,
} from '../../scheduler/defaults.js';
import { exitOnCrash, fail, globals, loggerFor, untilSignal } from '../context.js';
import { withConfigFile } from '../config.js';
import { authModeArg, durationArg, hostPortArg, wholeNumberArg } from '../option-args.js';

export interface SchedulerFlags {
  listen: string;
  advertise?: string;
  etcd?: string;
  etcdPrefix: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  leaseTtl: string;
  state?: string;
  agentTtl: string;
  heartbeat: string;
  healthListen?: string;
  /** Chunk store folder; without it (clusterctl dev without --data) the store is in memory. */
  store?: string;
  gcGrace: string;
  compactAfter: string;
  retain?: string;
  maxFinishedTasks?: string;
  maxForeachItems?: string;
  maxLostAttempts?: string;
  maxActiveRuns?: string;
  prefetchWindow?: string;
  tlsDir?: string;
  auth?: string;
  submitRate?: string;
  isolateProject?: string[];
}

export function schedulerCommand(program: Command): void {
  const command = program
    .command('scheduler')
    .description('run one scheduler replica')
    .option('--listen <host:port>', 'address to serve gRPC on', hostPortArg, '127.0.0.1:7700')
    .option('--advertise <host:port>', 'address agents and clients reach this replica at (default: the listen address)', hostPortArg)
    .option('--etcd <urls>', 'etcd endpoints for replicated state and leader election (comma-separated)')
    .option('--etcd-prefix <prefix>', 'key prefix in etcd, so several clusters can share one etcd', '/clusterd/')
    .option('--etcd-ca <file>', 'TLS to etcd: the CA certificate etcd\'s certificate is checked against (default with https:// endpoints: the system\'s roots); endpoints without a scheme become https://')
    .option('--etcd-cert <file>', 'TLS to etcd: this replica\'s client certificate, for an etcd started with --client-cert-auth (with --etcd-key)')
    .option('--etcd-key <file>', 'TLS to etcd: the key of --etcd-cert')
    .option('--lease-ttl <duration>', 'leader lease TTL: how soon a replica takes over from a dead leader', durationArg, '2s')
    .option('--store <dir>', 'chunk store folder for results, artifacts, logs and code packages; replicas share one (e.g. a shared mount); default: clusterd-store with --etcd or --state, else in memory')
    .option('--gc-grace <duration>', 'store garbage collection spares unreferenced chunks younger than this (uploads in progress)', durationArg, '6h')
    .option('--compact-after <duration>', 'a run finished this long ago has its task records moved from the state store into the chunk store', durationArg, '10m')
    .option('--max-finished-tasks <n>', 'tasks of finished runs the leader keeps in memory; past it the oldest finished runs are compacted before --compact-after', wholeNumberArg(0), String(defaultMaxFinishedTasks))
    .option('--max-foreach-items <n>', 'the most items one foreach may have, listed in the job file or computed by a step; a run over it fails saying so', wholeNumberArg(1), String(defaultMaxForeachItems))
    .option('--max-lost-attempts <n>', 'attempts of a task that may end with their agent lost before the task fails as LOST_AGENTS (a task that kills its agent must not take down every agent in turn)', wholeNumberArg(1), String(defaultMaxLostAttempts))
    .option('--max-active-runs <n>', 'runs of one project under way at once; a submit over it is refused until some end', wholeNumberArg(1), String(defaultMaxActiveRuns))
    .option('--prefetch-window <duration>', 'expected work an agent may hold waiting beyond what it runs, per task it runs at once, so no slot waits on the scheduler between tasks (0: off)', durationArg, `${defaultPrefetchWindowMs}ms`)
    .option('--retain <duration>', 'a run finished this long ago is deleted, and store gc then collects its results, artifacts and logs (default: runs are kept)', durationArg)
    .option('--state <file>', 'without --etcd: keep state in this log file so it survives a restart')
    .option('--agent-ttl <duration>', 'an agent silent this long is lost and its tasks re-queued', durationArg, '5s')
    .option('--heartbeat <duration>', 'how often agents send a heartbeat (at most a third of --agent-ttl)', durationArg, '1s')
    .option('--health-listen <host:port>', 'serve /healthz and /readyz (ready = leader known and state loaded) over HTTP', hostPortArg)
    .option('--tls-dir <dir>', 'serve TLS with ca.crt and scheduler.crt/.key of this folder, requiring client certificates the same CA signed (see clusterctl tls init)')
    .option('--submit-rate <n>', 'runs per second each token may submit (ten seconds\' worth at once); 0: no limit; not applied without --auth tokens', wholeNumberArg(0), String(defaultSubmitRatePerSecond))
    .option('--isolate-project <name>', 'run every function step of this project in an isolated process (as isolation: process); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--auth <mode>', 'tokens: every call needs a token (or an agent certificate); none: anyone who connects may do anything (default: tokens with --tls-dir, else none)', authModeArg);
  withConfigFile(command)
    .action(async (flags: SchedulerFlags, cmd: Command) => {
      try {
        const logger = loggerFor(cmd, 'scheduler');
        exitOnCrash(logger);
        const { startScheduler } = await import('../start-scheduler.js');
        const { startHealthServer } = await import('../health-server.js');
        const { schedulerMetricsRegistry } = await import('../../scheduler/metrics.js');
        // clusterctl's own --tls-dir takes the flag wherever it is written: a value there came from
        // the command line and wins over the config file and CLUSTERD_TLS_DIR.
        const scheduler = await startScheduler({ ...flags, tlsDir: globals(cmd).tlsDir ?? flags.tlsDir }, logger);
        if (flags.healthListen) await startHealthServer(flags.healthListen, scheduler.daemon, schedulerMetricsRegistry());
        process.stdout.write(`${JSON.stringify({ level: 30, msg: 'scheduler listening', addr: scheduler.daemon.addr, id: scheduler.daemon.id })}\n`);
        untilSignal(() => scheduler.close());
      } catch (err) {
        fail(err);
      }
    });
}
