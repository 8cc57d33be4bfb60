/** Runs a program to completion and collects its output, for tests that drive shell tools. */
import { execFile } from 'node:child_process';

export interface CommandOutput {
  /** The exit status; -1 when the program could not start or was killed (timeout). */
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(file: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 2 ** 20, ...(opts.cwd ? { cwd: opts.cwd } : {}) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
