#!/usr/bin/env node
// Container health check for a clusterd daemon: GETs PATH (default /healthz; compose asks
// /readyz) from the daemon's health server at CLUSTERD_HEALTH_LISTEN, and exits 0 only on a
// 2xx answer. A script rather than curl because the images carry node and nothing else.
//   clusterd-healthcheck [/healthz|/readyz]
const [path = '/healthz'] = process.argv.slice(2);
const listen = process.env.CLUSTERD_HEALTH_LISTEN ?? '127.0.0.1:7780';
const colon = listen.lastIndexOf(':');
// A daemon listening on every interface is reached on loopback.
const host = ['', '0.0.0.0', '[::]'].includes(listen.slice(0, colon)) ? '127.0.0.1' : listen.slice(0, colon);
const url = `http://${host}:${listen.slice(colon + 1)}${path}`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  process.stdout.write(`${url}: ${res.status} ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stdout.write(`${url}: ${err.cause?.message ?? err.message}\n`);
  process.exit(1);
}
