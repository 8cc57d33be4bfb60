// clusterctl up / down: a production-shaped cluster (etcd, 3 replicas, agents) on this machine.
import type { Command } from 'commander';
import { parseDurationMs } from '../../core/units.js';
import { fail, globals } from '../context.js';
import { downLocalCluster, upLocalCluster } from '../../client/local-cluster.js';
import { cpuArg, durationArg, sizeArg, wholeNumberArg } from '../option-args.js';
import { parseFormat, printJson } from '../output.js';

interface UpFlags {
  agents: string;
  replicas: string;
  dir: string;
  host: string;
  leaseTtl: string;
  agentTtl: string;
  agentCpu?: string;
  agentMemory?: string;
  timeout: string;
  output?: string;
  insecure?: boolean;
}

export function upCommand(program: Command): void {
  program
    .command('up')
    .description('start etcd, scheduler replicas on it and agents as background processes, all in one folder')
    .option('--agents <n>', 'agents to start', wholeNumberArg(0, 64), '2')
    .option('--replicas <n>', 'scheduler replicas', wholeNumberArg(1, 64), '3')
    .option('--dir <dir>', 'folder for the cluster: cluster.json, logs/, etcd/, store/, agents/', 'clusterd-local')
    .option('--host <host>', 'address every process listens on', '127.0.0.1')
    .option('--lease-ttl <duration>', 'leader lease TTL', durationArg, '2s')
    .option('--agent-ttl <duration>', 'an agent silent this long is lost', durationArg, '5s')
    .option('--agent-cpu <cores>', 'CPU each agent offers (default: detected)', cpuArg)
    .option('--agent-memory <size>', 'memory each agent offers (default: detected)', sizeArg)
    .option('--timeout <duration>', 'how long to wait for every process to be ready', durationArg, '60s')
    .option('--insecure', 'plaintext and no tokens (default: TLS between every part with certificates in DIR/tls, and tokens)')
    .option('-o, --output <format>', 'json: print the cluster manifest')
    .action(async (flags: UpFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const m = await upLocalCluster({
          dir: flags.dir,
          agents: Number(flags.agents),
          replicas: Number(flags.replicas),
          host: flags.host,
          leaseTtl: flags.leaseTtl,
          agentTtl: flags.agentTtl,
          agentArgs: [...(flags.agentCpu ? ['--cpu', flags.agentCpu] : []), ...(flags.agentMemory ? ['--memory', flags.agentMemory] : [])],
          logLevel: globals(cmd).logLevel ?? 'info',
          readyTimeoutMs: parseDurationMs(flags.timeout),
          insecure: flags.insecure === true,
        });
        if (format === 'json') return printJson(m);
        const agents = m.processes.filter((p) => p.role === 'agent').length;
        process.stdout.write(`clusterd up in ${m.dir}: etcd at ${m.etcd}, ${m.schedulers.length} scheduler replica(s), ${agents} agent(s)\n`);
        if (m.clientEnv) process.stdout.write(`  TLS and tokens: source ${m.clientEnv}   (an admin's address, certificates and token)\n`);
        else process.stdout.write(`  export CLUSTERCTL_ADDR=${m.schedulers.join(',')}\n`);
        process.stdout.write(`  logs in ${m.dir}/logs; stop with: clusterctl down --dir ${flags.dir}\n`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('down')
    .description('stop the processes `clusterctl up` started in a folder (by pid; data and logs are kept)')
    .option('--dir <dir>', 'the folder given to clusterctl up', 'clusterd-local')
    .option('--grace <duration>', 'how long each process gets after SIGTERM before SIGKILL', durationArg, '15s')
    .action(async (flags: { dir: string; grace: string }) => {
      try {
        const report = await downLocalCluster(flags.dir, parseDurationMs(flags.grace));
        process.stdout.write(`stopped: ${report.stopped.join(' ') || 'nothing'}${report.gone.length ? `; already gone: ${report.gone.join(' ')}` : ''}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
