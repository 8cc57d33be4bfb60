/**
 * A loopback TCP proxy that a test can freeze: while paused, bytes in either direction are held
 * (not dropped, not refused), as if the network or the peer stalled; cut, the connections it
 * carries break. Used to cut one client off from etcd, or one agent from its scheduler, without
 * touching the others.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:PORT`, for etcd client endpoints. */
  readonly endpoint: string;
  /** `127.0.0.1:PORT`, for clusterd addresses. */
  readonly addr: string;
  pause(): void;
  resume(): void;
  /** Breaks every connection it carries now, dropping what they held; new ones are made as before. */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      // After pipe(), which resumes its source: a connection made while paused stalls too.
      if (paused) s.pause();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    addr: `127.0.0.1:${port}`,
    cut() {
      for (const s of sockets) s.destroy();
    },
    pause() {
      paused = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      paused = false;
      for (const s of sockets) s.resume();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
