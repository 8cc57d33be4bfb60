// A progress bar on stderr for anything longer than a few seconds; silent when stderr is not a TTY.

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastDrawMs = 0;

  constructor(private readonly label: string, private readonly total: number) {}

  update(done: number): void {
    const now = Date.now();
    if (!this.tty || (now - this.lastDrawMs < 100 && done < this.total)) return;
    this.lastDrawMs = now;
    const width = 30;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

/** A line of what the benchmark is doing, on stderr. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
