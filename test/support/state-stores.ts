/**
 * The StateStore implementations the conformance suites run against: the memory store plain and
 * logged to a file, and the etcd store on a real etcd started for the suite. Each `make()` gives
 * a fresh, empty store (a new file, or a new etcd prefix).
 */
import { join } from 'node:path';
import { EtcdStateStore } from '../../scheduler/state/etcd-store.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import type { StateStore } from '../../scheduler/state/state-store.js';
import { startEtcd, type EtcdServer } from './etcd.js';
import { requireProgram } from './processes.js';
import { tempDir, type TempDir } from './temp.js';

export interface StoreSubject {
  name: string;
  /** False when etcd is not installed outside CI (under CI=true a missing etcd throws). */
  available: boolean;
  make(): Promise<StateStore>;
}

export interface StoreSubjects {
  subjects: StoreSubject[];
  /** Starts etcd and makes the temp dir; call from beforeAll. */
  setup(): Promise<void>;
  /** Closes every store made and stops etcd; call from afterAll. */
  teardown(): Promise<void>;
  etcd(): EtcdServer;
}

export function storeSubjects(): StoreSubjects {
  const etcdAvailable = requireProgram('etcd') !== undefined;
  let etcd: EtcdServer | undefined;
  let dir: TempDir | undefined;
  const made: StateStore[] = [];
  let counter = 0;
  const track = <T extends StateStore>(store: T): T => {
    made.push(store);
    return store;
  };
  return {
    subjects: [
      { name: 'memory', available: true, make: async () => track(new MemoryStateStore()) },
      { name: 'memory+log', available: true, make: async () => track(await MemoryStateStore.open(join(dir!.path, `state-${++counter}.log`))) },
      {
        name: 'etcd',
        available: etcdAvailable,
        make: async () => track(new EtcdStateStore({ prefix: `/clusterd-test/${++counter}/`, connection: { endpoints: etcd!.endpoints } })),
      },
    ],
    async setup() {
      dir = await tempDir('clusterd-state');
      if (etcdAvailable) etcd = await startEtcd();
    },
    async teardown() {
      await Promise.all(made.map((s) => s.close()));
      await etcd?.stop();
      await dir?.remove();
    },
    etcd: () => {
      if (!etcd) throw new Error('etcd is not running');
      return etcd;
    },
  };
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

/** A store's entries under `prefix` as `{ key: text }`, for compact assertions. */
export async function snapshot(store: StateStore, prefix = ''): Promise<Record<string, string>> {
  return Object.fromEntries((await store.list(prefix)).map(([k, v]) => [k, text(v)!]));
}
