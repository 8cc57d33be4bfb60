// What every command shares: the cluster address list, the log level, and how to exit.
import type { Command } from 'commander';
import { ClusterError, errorCode, errorMessage } from '../core/errors.js';
import { createLogger, logLevels, type LogLevel, type Logger } from '../core/logger.js';
import { StoreClient, storeTarget } from '../store/client.js';
import { ClusterClient } from '../client/client.js';
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

export function addrList(value: string | undefined): string[] {
  const addrs = (value ?? process.env.CLUSTERCTL_ADDR ?? defaultAddr).split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of addrs) {
    if (!/^[^:]+:\d+$/.test(a) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(a)) throw new ClusterError('INVALID_ARGUMENT', `"${a}" is not host:port`);
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

export function fail(err: unknown): never {
  process.stderr.write(`clusterctl: ${errorMessage(err)}\n`);
  process.exit(exitCodeOf(err));
}

/**
 * A daemon that meets an error nothing handled (a rejected promise no one awaited, an exception
 * out of a callback) stops at once, saying so, with status 70: its state is unknown from there,
 * and its supervisor (systemd, compose, `clusterctl up` on the next start) runs a fresh one.
 * Returns a function that removes the handlers (for tests).
 */
export function exitOnCrash(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
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

/** Runs until SIGINT/SIGTERM (or the parent's IPC channel closes), then calls `stop` once. */
export function untilSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(() => process.exit(0), (err) => {
      process.stderr.write(`clusterctl: shutdown failed: ${errorMessage(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  if (process.send) process.on('disconnect', handler);
}
