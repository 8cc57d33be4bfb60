// clusterctl: the one command-line entry point. The only module that reads argv and env.
import { Command, CommanderError } from 'commander';
import { agentCommand } from './commands/agent.js';
import { agentsCommand } from './commands/agents.js';
import { benchCommand } from './commands/bench.js';
import { devCommand } from './commands/dev.js';
import { resumeCommand } from './commands/resume.js';
import { scheduleCommand } from './commands/schedule.js';
import { schedulerCommand } from './commands/scheduler.js';
import { runsCommand, statusCommand } from './commands/status.js';
import { artifactsCommand, storeCommand } from './commands/store.js';
import { submitCommand } from './commands/submit.js';
import { tlsCommand } from './commands/tls.js';
import { tokenCommand } from './commands/tokens.js';
import { cancelCommand, logsCommand, resultCommand } from './commands/tasks.js';
import { upCommand } from './commands/up.js';
import { waitCommand } from './commands/wait.js';
import { fail, installCliCrashHandler } from './context.js';

// `clusterctl status RUN | head`: the reader has all it wants; that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
}

installCliCrashHandler();

const program = new Command('clusterctl')
  .description('clusterd: a worker cluster with its own scheduler')
  .option('--addr <host:port,...>', 'scheduler addresses (env CLUSTERCTL_ADDR; default 127.0.0.1:7700)')
  .option('--log-level <level>', 'daemon log level: trace, debug, info, warn, error, silent')
  .option('--tls-dir <dir>', 'connect over TLS with ca.crt and client.crt/.key of this folder (env CLUSTERCTL_TLS_DIR; see clusterctl tls init)')
  .option('--token <token>', 'the token calls are made with (env CLUSTERCTL_TOKEN; see clusterctl token create)')
  .showHelpAfterError('(clusterctl COMMAND --help for usage)')
  .exitOverride();

for (const register of [devCommand, upCommand, schedulerCommand, agentCommand, submitCommand, waitCommand, statusCommand, runsCommand, logsCommand, resultCommand, cancelCommand, resumeCommand, artifactsCommand, storeCommand, agentsCommand, scheduleCommand, tlsCommand, tokenCommand, benchCommand]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not failures; everything else commander rejects is bad usage.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  fail(err);
}
