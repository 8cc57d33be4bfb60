// What every command shares: the cluster address list, the log level, and how to exit.
import type { Command } from 'commander';
import { ClusterError, errorCode, errorMessage } from '../core/errors.js';
import { createLogger, logLevels, type LogLevel, type Logger } from '../core/logger.js';
import { StoreClient, storeTarget } from '../store/client.js';
import { ClusterClient, unreachable } from '../client/client.js';
import { ClusterCredentials, loadTlsFiles } from '../proto/credentials.js';

export const defaultAddr = '127.0.0.1:7700';

export interface GlobalOptions {
  addr?: string;
  logLevel: string;
  tlsDir?: string;
  token?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** host:port addresses, comma-separated; `minPort` 0 for an address to listen on (0: any free port). */
export function addrList(value: string | undefined, minPort = 1): string[] {
  const addrs = (value ?? process.env.CLUSTERCTL_ADDR ?? defaultAddr).split(',').map((a) => a.trim()).filter(Boolean);
  if (addrs.length === 0) throw new ClusterError('INVALID_ARGUMENT', `no scheduler address given: give host:port[,host:port…] (e.g. ${defaultAddr}) with --addr or CLUSTERCTL_ADDR`);
  for (const a of addrs) {
    const port = /^(?:[^:[\]]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(a)?.[1];
    if (port === undefined || Number(port) < minPort || Number(port) > 65_535) {
      throw new ClusterError('INVALID_ARGUMENT', `"${a}" is not host:port (a host name or IP address, a colon, a port from ${minPort} to 65535)`);
    }
  }
  return addrs;
}

export function clientFor(cmd: Command): ClusterClient {
  return new ClusterClient(addrList(globals(cmd).addr), { credentials: credentialsFor(cmd) });
}

/** The chunk store, served by the same replicas as the cluster. */
export function storeFor(cmd: Command): StoreClient {
  return new StoreClient(storeTarget(addrList(globals(cmd).addr)), { credentials: credentialsFor(cmd) });
}

/** --tls-dir (CLUSTERCTL_TLS_DIR) and --token (CLUSTERCTL_TOKEN): how clusterctl proves who it is. */
export function credentialsFor(cmd: Command): ClusterCredentials {
  const { tlsDir, token } = globals(cmd);
  const dir = tlsDir ?? (process.env.CLUSTERCTL_TLS_DIR || undefined);
  return new ClusterCredentials(dir ? loadTlsFiles(dir, 'client') : undefined, token ?? (process.env.CLUSTERCTL_TOKEN || undefined));
}

export function loggerFor(cmd: Command, name: string, fallback: LogLevel = 'info'): Logger {
  const level = (globals(cmd).logLevel ?? fallback) as LogLevel;
  if (!logLevels.includes(level)) throw new ClusterError('INVALID_ARGUMENT', `--log-level ${level}: use one of ${logLevels.join(', ')}`);
  return createLogger({ level, name });
}

/**
 * Exit status of the contract: 0 ok, 1 failed, 2 bad usage or input, 3 cannot reach the cluster,
 * 4 refused (token or role), 5 a wait's --timeout passed (the run goes on).
 */
export function exitCodeOf(err: unknown): number {
  switch (errorCode(err)) {
    case 'INVALID_ARGUMENT':
    case 'UNSCHEDULABLE':
      return 2;
    case 'UNAVAILABLE':
    case 'NOT_LEADER':
      return 3;
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
      return 4;
    case 'TIMEOUT':
      return 5;
    default:
      return 1;
  }
}

/**
 * Ends the command with `err`: one line on stderr (and its stack with --log-level debug) and its
 * exit status. With `cmd`, a connection refused anywhere (the chunk store's upload too) says
 * there is no cluster at the addresses given, and what to do.
 */
export function fail(err: unknown, cmd?: Command): never {
  let shown = err;
  if (cmd && errorCode(err) === 'UNAVAILABLE' && /No connection established|ECONNREFUSED/.test(errorMessage(err))) {
    try {
      shown = unreachable(addrList(globals(cmd).addr), credentialsFor(cmd), err);
    } catch {
      // the addresses or credentials are what is wrong: say the error as it is
    }
  }
  process.stderr.write(`clusterctl: ${errorMessage(shown)}\n`);
  if (debugRequested() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(exitCodeOf(shown));
}

/** --log-level debug (or trace) on the command line: stacks are shown. */
export function debugRequested(argv: readonly string[] = process.argv): boolean {
  const i = argv.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  const level = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  return level === 'debug' || level === 'trace';
}

let cliCrash: ((err: unknown) => void) | undefined;

/**
 * Anything that escapes a command is a fault of clusterctl: one line and exit 70, the stack only
 * with --log-level debug. Daemons replace it with exitOnCrash, which logs the fault first.
 */
export function installCliCrashHandler(): void {
  cliCrash = (err: unknown) => {
    const where = debugRequested() ? `\n${err instanceof Error ? err.stack : ''}` : ' (--log-level debug shows where)';
    process.stderr.write(`clusterctl: internal error: ${errorMessage(err)}${where}\n`);
    process.exit(crashExitCode);
  };
  process.on('uncaughtException', cliCrash);
  process.on('unhandledRejection', cliCrash);
}

/**
 * A daemon that meets an error nothing handled (a rejected promise no one awaited, an exception
 * out of a callback) stops at once, saying so, with status 70: its state is unknown from there,
 * and its supervisor (systemd, compose, `clusterctl up` on the next start) runs a fresh one.
 * Returns a function that removes the handlers (for tests).
 */
export function exitOnCrash(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  // clusterctl's own one-line handler gives way: a daemon logs its fault first.
  if (cliCrash) {
    process.off('uncaughtException', cliCrash);
    process.off('unhandledRejection', cliCrash);
    cliCrash = undefined;
  }
  const handlers = {
    unhandledRejection: crashWith('unhandled rejection'),
    uncaughtException: crashWith('uncaught exception'),
  };
  function crashWith(kind: string) {
    return (err: unknown) => {
      logger.fatal({ err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, `${kind}: stopping`);
      process.stderr.write(`clusterctl: ${kind}: ${errorMessage(err)}; stopping\n`);
      exit(crashExitCode);
    };
  }
  process.on('unhandledRejection', handlers.unhandledRejection);
  process.on('uncaughtException', handlers.uncaughtException);
  return () => {
    process.off('unhandledRejection', handlers.unhandledRejection);
    process.off('uncaughtException', handlers.uncaughtException);
  };
}

/** EX_SOFTWARE: an internal error, not bad input (2) or an unreachable cluster (3). */
export const crashExitCode = 70;

/**
 * Runs until SIGINT/SIGTERM (or the parent's IPC channel closes), then calls `stop` once and
 * exits with `exitCode` (a daemon asked to stop has done its job: 0; a command cut short: 130).
 */
export function untilSignal(stop: () => Promise<void>, exitCode = 0): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(() => process.exit(exitCode), (err) => {
      process.stderr.write(`clusterctl: shutdown failed: ${errorMessage(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  if (process.send) process.on('disconnect', handler);
}
