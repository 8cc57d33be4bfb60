/**
 * Free ports for processes started by clusterd itself (clusterctl up) and by tests. A port is
 * free when we ask and may be taken before the process binds it; callers that can bind port 0
 * themselves should. etcd, dockerd and replicas that must know each other's addresses in
 * advance cannot, so they use these.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/** `count` distinct free ports on `host`, all held open at once so none repeats. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      server.listen(0, host);
      await once(server, 'listening');
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
