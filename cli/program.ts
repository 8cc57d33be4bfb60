// clusterctl's commands and options, built without running anything: main.ts parses argv with
// it, and the docs test reads what each command takes.
import { Command } from 'commander';
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

export function buildProgram(): Command {
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
  return program;
}
