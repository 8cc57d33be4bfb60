/**
 * A gate file for gated test tasks (`sleepy` in test/fixtures/jobs/tasks.mjs, `work` in
 * test/fixtures/ha/tasks.mjs): they sleep until the file exists, so a test keeps tasks running for
 * as long as it needs on any machine, then opens the gate and they end at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Gate {
  /** The file's path: pass it to the job as `-p gate=PATH`. */
  path: string;
  open(): void;
  remove(): void;
}

export function gate(): Gate {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-gate-'));
  const file = path.join(dir, 'gate');
  return { path: file, open: () => writeFileSync(file, ''), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
