/**
 * CodeCache: code packages fetched from the chunk store, unpacked once per agent under
 * DATA/packages/ID. A package id names its content, so a cached copy never goes stale and a
 * changed folder (a fix before resume) is a new id, a new folder and a fresh module URL.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { extractPackage } from '../store/code-package.js';
import type { StoreClient } from '../store/client.js';

export class CodeCache {
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(private readonly store: StoreClient, private readonly dir: string) {}

  /** The folder holding package `id`, fetching and unpacking it the first time. */
  folder(id: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(id)) return Promise.reject(new Error(`"${id}" is not a code package id`));
    let folder = this.fetching.get(id);
    if (!folder) {
      folder = this.fetch(id);
      this.fetching.set(id, folder);
      folder.catch(() => this.fetching.delete(id)); // a failed fetch is tried again by the next task
    }
    return folder;
  }

  private async fetch(id: string): Promise<string> {
    const dest = path.join(this.dir, id);
    if (!existsSync(dest)) await extractPackage(this.store.getObjectStream(id), dest);
    return dest;
  }
}
