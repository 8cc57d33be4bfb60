/**
 * One pino root per process; components take child loggers bound with their ids. Daemons log
 * JSON lines to stdout; the level comes from --log-level.
 */
import { fstatSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export function createLogger(opts: { level?: LogLevel; name?: string; destination?: number } = {}): Logger {
  const fd = opts.destination ?? 1;
  return pino(
    { level: opts.level ?? 'info', base: opts.name ? { name: opts.name } : {}, timestamp: pino.stdTimeFunctions.isoTime },
    new TurnBatchedLines(pino.destination({ fd, sync: isRegularFile(fd) })),
  );
}

/**
 * Lines logged during one event-loop turn are written together, in one write, once the turn
 * is over (in a setImmediate, so after the socket writes of that turn: http2 sends what a turn
 * wrote from the same check phase, ahead of JS immediates). A scheduler logs two lines per run,
 * one as it is submitted and one as it ends, both on the way to a message the client or agent
 * waits for; written one by one they cost ~20 µs each there (a write(2) to a file is ~12 µs on
 * the development VM). Lines still waiting when the process exits are written by the exit hook.
 */
class TurnBatchedLines implements DestinationStream {
  private pending: string[] = [];

  constructor(private readonly out: ReturnType<typeof pino.destination>) {
    process.on('exit', () => {
      this.flush();
      this.out.flushSync();
    });
  }

  write(line: string): void {
    if (this.pending.push(line) === 1) setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.out.write(lines.length === 1 ? lines[0]! : lines.join(''));
  };
}

/**
 * A regular file takes lines with one write(2) that never waits on a reader, so lines to a file
 * are written at once. A pipe or socket (journald, a container's log driver, a terminal) can
 * stall when its reader does, so lines to those are written asynchronously, from libuv's thread
 * pool. That hand-off costs a thread wake-up and a completion callback per write: 2 lines per
 * run cost the scheduler ~70 µs of CPU per single-task run when it logged to a file that way.
 */
function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/** A logger that drops everything, for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
