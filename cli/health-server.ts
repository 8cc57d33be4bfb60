/**
 * /healthz, /readyz and /metrics over HTTP for a daemon, used by systemd units, compose health
 * checks, load balancers and Prometheus. healthz: the process answers. readyz: the daemon says
 * it is ready (a scheduler that knows the leader and has loaded its state; an agent that is
 * registered). metrics: the daemon's registry in Prometheus's text format.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { ClusterError } from '../core/errors.js';

export interface Readiness {
  ready(): { ready: boolean; detail: string };
}

export async function startHealthServer(listen: string, daemon: Readiness, metrics?: Registry): Promise<Server> {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) throw new ClusterError('INVALID_ARGUMENT', `--health-listen ${listen}: give host:port`);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') return reply(res, 200, { ok: true });
    if (path === '/readyz') {
      const { ready, detail } = daemon.ready();
      return reply(res, ready ? 200 : 503, { ready, detail });
    }
    if (path === '/metrics' && metrics) {
      metrics.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      }, (err: Error) => reply(res, 500, { error: err.message }));
      return;
    }
    reply(res, 404, { error: `try /healthz, /readyz${metrics ? ' or /metrics' : ''}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ClusterError('UNAVAILABLE', `cannot serve health on ${listen}: ${err.message}`)));
    server.listen(port, host, resolve);
  });
  server.unref();
  return server;
}

function reply(res: import('node:http').ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}
