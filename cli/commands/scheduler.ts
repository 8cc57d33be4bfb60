// clusterctl scheduler: one scheduler replica in the foreground.
import type { Command } from 'commander';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseDurationMs } from '../../core/units.js';
import { SchedulerDaemon } from '../../scheduler/daemon.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { fail, loggerFor, untilSignal } from '../context.js';
import { startHealthServer } from '../health-server.js';

export interface SchedulerFlags {
  listen: string;
  advertise?: string;
  etcd?: string;
  agentTtl: string;
  heartbeat: string;
  healthListen?: string;
}

export async function startScheduler(flags: SchedulerFlags, logger: Logger): Promise<SchedulerDaemon> {
  if (flags.etcd) throw new ClusterError('INVALID_ARGUMENT', '--etcd: the etcd state store is not wired into this build yet; run without --etcd for the embedded store');
  const agentTtlMs = parseDurationMs(flags.agentTtl);
  const daemon = new SchedulerDaemon({
    listen: flags.listen,
    ...(flags.advertise ? { advertise: flags.advertise } : {}),
    store: new MemoryStateStore(),
    logger,
    agentTtlMs,
    heartbeatIntervalMs: parseDurationMs(flags.heartbeat),
    recoveryWindowMs: agentTtlMs,
  });
  await daemon.start();
  return daemon;
}

export function schedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('run one scheduler replica')
    .option('--listen <host:port>', 'address to serve gRPC on', '127.0.0.1:7700')
    .option('--advertise <host:port>', 'address agents and clients reach this replica at (default: the listen address)')
    .option('--etcd <urls>', 'etcd endpoints for replicated state (comma-separated)')
    .option('--agent-ttl <duration>', 'an agent silent this long is lost and its tasks re-queued', '5s')
    .option('--heartbeat <duration>', 'how often agents send a heartbeat', '1s')
    .option('--health-listen <host:port>', 'serve /healthz and /readyz (ready = leader known and state loaded) over HTTP')
    .action(async (flags: SchedulerFlags, cmd: Command) => {
      try {
        const logger = loggerFor(cmd, 'scheduler');
        const daemon = await startScheduler(flags, logger);
        if (flags.healthListen) await startHealthServer(flags.healthListen, daemon);
        process.stdout.write(`${JSON.stringify({ level: 30, msg: 'scheduler listening', addr: daemon.addr })}\n`);
        untilSignal(() => daemon.close());
      } catch (err) {
        fail(err);
      }
    });
}
