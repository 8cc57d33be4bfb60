/**
 * One pino root per process; components take child loggers bound with their ids. Daemons log
 * JSON lines to stdout; the level comes from --log-level.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export function createLogger(opts: { level?: LogLevel; name?: string; destination?: number } = {}): Logger {
  return pino(
    { level: opts.level ?? 'info', base: opts.name ? { name: opts.name } : {}, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: opts.destination ?? 1, sync: false }),
  );
}

/** A logger that drops everything, for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
