// clusterctl tls init: the CA and certificates a cluster on TLS needs (client/tls-init.ts).
import type { Command } from 'commander';
import { fail } from '../context.js';

export function tlsCommand(program: Command): void {
  const tls = program.command('tls').description('certificates for a cluster that talks TLS with mutual authentication');
  tls
    .command('init')
    .description('make a CA and the scheduler, agent and client certificates in DIR (refuses a folder that has a CA)')
    .argument('<dir>', 'folder to write ca.crt, ca.key, scheduler.*, agent.* and client.* into')
    .option('--host <name>', 'a host name or IP address clients reach a scheduler replica by (repeatable; localhost and 127.0.0.1 are always included)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .action(async (dir: string, flags: { host: string[] }) => {
      try {
        const { initTls } = await import('../../client/tls-init.js');
        const made = await initTls(dir, flags.host);
        process.stdout.write(`made ${made.files.join(', ')} in ${made.dir}\n`);
        process.stdout.write(`  the scheduler certificate names: ${made.hosts.join(', ')}\n`);
        process.stdout.write(`  schedulers: --tls-dir ${made.dir}   agents: ca.crt + agent.crt/.key   clusterctl: CLUSTERCTL_TLS_DIR=${made.dir}\n`);
        process.stdout.write(`  keep ca.key off the cluster's machines: it signs certificates every part trusts\n`);
      } catch (err) {
        fail(err);
      }
    });
}
