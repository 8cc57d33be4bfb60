/**
 * How far a run is while clusterctl waits for it: on a terminal, a live line per step (done of
 * total, running, waiting, failed, rate, time left), redrawn in place; elsewhere (a log, a pipe)
 * a plain line per step at most every 10 s, and only when something moved. On stderr: stdout
 * keeps the command's own output (the final status).
 */
import type { RunStatus__Output } from '../proto/types.js';
import { formatDuration } from '../core/units.js';

/** How far back the rate looks. */
const rateWindowMs = 5_000;
const plainEveryMs = 10_000;

interface Sample {
  atMs: number;
  ended: number;
}

export class RunProgress {
  private drawn = 0;
  private lastPlainMs = 0;
  private lastPlain = '';
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, private readonly live = out.isTTY === true) {}

  /** A status of the run (a summary while it runs, the final one at its end). */
  update(status: RunStatus__Output, nowMs = Date.now()): void {
    const lines = status.steps.map((step) => this.line(status.run_id, step, nowMs));
    if (this.live) {
      // Back to the first line drawn, each line cleared and written again.
      this.out.write(`${this.drawn ? `\x1b[${this.drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
      this.drawn = lines.length;
      return;
    }
    const text = lines.join('\n');
    if (text === this.lastPlain || nowMs - this.lastPlainMs < plainEveryMs) return;
    this.out.write(`${lines.map((l) => `progress: ${l.trim()}`).join('\n')}\n`);
    this.lastPlain = text;
    this.lastPlainMs = nowMs;
  }

  private line(runId: string, step: RunStatus__Output['steps'][number], nowMs: number): string {
    const ended = step.succeeded + step.failed;
    const key = `${runId}/${step.name}`;
    const history = this.samples.get(key) ?? [];
    history.push({ atMs: nowMs, ended });
    while (history.length > 1 && nowMs - history[0]!.atMs > rateWindowMs) history.shift();
    this.samples.set(key, history);
    const first = history[0]!;
    const seconds = (nowMs - first.atMs) / 1000;
    const rate = seconds > 0 ? (ended - first.ended) / seconds : 0;
    const left = step.total - ended;
    const parts = [
      `${step.name.padEnd(12)} ${step.state.padEnd(9)} ${String(ended).padStart(7)}/${step.total} done`,
      `${step.running} running`, `${step.waiting} waiting`, `${step.failed} failed`,
    ];
    if (step.reused) parts.push(`${step.reused} reused`);
    if (rate > 0 && step.state === 'running') parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`, `~${formatDuration(Math.ceil(left / rate) * 1000)} left`);
    return `  ${parts.join(', ')}`;
  }
}
