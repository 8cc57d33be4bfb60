/**
 * A gRPC server hosting only the ChunkStore service: for the store benchmark, tests and tools.
 * In the cluster the scheduler hosts the service on its own server (addChunkStoreService).
 */
import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { serverOptions } from '../proto/load.js';
import { addChunkStoreService, type ChunkStoreServiceOptions } from './service.js';

export interface StandaloneServer {
  /** `host:port` the server listens on. */
  readonly addr: string;
  /** Graceful shutdown within `graceMs` (default 5 s), then forced, then the backend's close; idempotent. */
  close(graceMs?: number): Promise<void>;
}

export async function startStoreServer(opts: ChunkStoreServiceOptions & { host?: string; port?: number }): Promise<StandaloneServer> {
  const server = new grpc.Server(serverOptions);
  addChunkStoreService(server, opts);
  const host = opts.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  const log = opts.logger ?? silentLogger;
  let closing: Promise<void> | undefined;
  return {
    addr: `${host}:${port}`,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn({ graceMs }, 'chunk store server did not drain in time; forcing shutdown');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown((err) => {
          if (err) log.warn({ err: errorMessage(err) }, 'chunk store server shutdown');
          clearTimeout(timer);
          resolve();
        });
      }).then(() => opts.backend.close());
      return closing;
    },
  };
}
