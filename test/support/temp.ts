/**
 * Temporary directories for tests, removed afterwards. Each suite makes its own under the OS temp
 * dir so parallel runs never share one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

export async function tempDir(label = 'clusterd-test'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `${label}-`));
  let removed: Promise<void> | undefined;
  return {
    path,
    remove: () => (removed ??= rm(path, { recursive: true, force: true, maxRetries: 3 })),
  };
}

/** Runs `fn` with a fresh temp dir that is removed whether `fn` succeeds or throws. */
export async function withTempDir<T>(fn: (path: string) => Promise<T>, label?: string): Promise<T> {
  const dir = await tempDir(label);
  try {
    return await fn(dir.path);
  } finally {
    await dir.remove();
  }
}
