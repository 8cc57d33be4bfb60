// clusterctl: the one command-line entry point. The only module that reads argv and env.
import { CommanderError } from 'commander';
import { fail, installCliCrashHandler } from './context.js';
import { buildProgram } from './program.js';

// `clusterctl status RUN | head`: the reader has all it wants; that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
}

installCliCrashHandler();

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not failures; everything else commander rejects is bad usage.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  fail(err);
}
