// clusterctl: the one command-line entry point. The only module that reads argv and env.
import { CommanderError } from 'commander';
import { fail, installCliCrashHandler } from './context.js';
import { buildProgram } from './program.js';

// `clusterctl status RUN | head`: the reader has all it wants; that is not an error. A command
// that stops on a signal (a daemon, a benchmark with clusters to stop) stops the same way.
let outputClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.exit(1);
    if (process.listenerCount('SIGTERM') === 0) process.exit(0);
    if (!outputClosed) process.emit('SIGTERM', 'SIGTERM');
    outputClosed = true;
  });
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
