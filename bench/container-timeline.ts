/**
 * Watches container tasks from outside the agent, so measuring does not change the path it
 * measures:
 * - the Docker engine's event stream: create, start and die of each container with its labels,
 *   timed by the engine (ns). `start` is logged once the container's process runs (the engine
 *   sets State.StartedAt just before it);
 * - a folder's new entries (inotify): the container executor's first act on an assignment is to
 *   create the task's folder under <data>/tasks, so its appearance marks the assignment.
 * Times are wall-clock milliseconds with fractions, comparable across processes on one machine.
 */
import { EventEmitter, once } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

/** Now, on the wall clock, with sub-millisecond resolution. */
export const wallNowMs = (): number => performance.timeOrigin + performance.now();
/** The machine's monotonic clock in fractional ms: the same for every process of one machine. */
export const monotonicNowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** First-seen times by key, and waiting for one that has not been seen yet. */
class Sightings {
  private readonly at = new Map<string, number>();
  private readonly arrived = new EventEmitter();

  record(key: string, atMs: number): void {
    if (this.at.has(key)) return;
    this.at.set(key, atMs);
    this.arrived.emit(key);
  }

  async waitFor(key: string, what: string, timeoutMs: number): Promise<number> {
    const seen = this.at.get(key);
    if (seen !== undefined) return seen;
    try {
      await once(this.arrived, key, { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      throw new Error(`container latency: no ${what} within ${timeoutMs} ms`);
    }
    return this.at.get(key)!;
  }
}

interface EngineEvent {
  Action: string;
  timeNano: number;
  Actor: { Attributes: Record<string, string> };
}

/** Container events of one engine, keyed by the value of the first of `labels` a container has. */
export class EngineEvents {
  private readonly seen = new Sightings();

  private constructor(private readonly stream: Readable, private readonly labels: string[]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim()) this.onEvent(JSON.parse(line) as EngineEvent);
    });
  }

  static async open(docker: Docker, labels: string[]): Promise<EngineEvents> {
    const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['create', 'start', 'die'] } })) as Readable;
    return new EngineEvents(stream, labels);
  }

  /** When the engine logged `action` for the container labelled `key`. */
  at(key: string, action: 'create' | 'start' | 'die', timeoutMs = 5_000): Promise<number> {
    return this.seen.waitFor(`${key} ${action}`, `${action} event for ${key}`, timeoutMs);
  }

  close(): void {
    this.stream.destroy();
  }

  private onEvent(e: EngineEvent): void {
    const label = this.labels.find((l) => e.Actor.Attributes[l] !== undefined);
    if (label) this.seen.record(`${e.Actor.Attributes[label]} ${e.Action}`, e.timeNano / 1e6);
  }
}

/** When each new entry of a folder appeared. */
export class FolderEntries {
  private readonly seen = new Sightings();
  private readonly watcher: FSWatcher;

  constructor(readonly dir: string) {
    this.watcher = watch(dir, (_event, name) => {
      if (name) this.seen.record(name, wallNowMs());
    });
  }

  at(name: string, timeoutMs = 5_000): Promise<number> {
    return this.seen.waitFor(name, `entry ${name} in ${this.dir}`, timeoutMs);
  }

  close(): void {
    this.watcher.close();
  }
}
