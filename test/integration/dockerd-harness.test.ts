// The dockerd harness itself: a private engine starts, a busybox image is built without a
// registry, a container prints through the docker CLI, and stop() leaves nothing running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { pidAlive, requireProgram } from '../support/processes.js';

const available = ['dockerd', 'docker', 'busybox'].every((p) => requireProgram(p) !== undefined);

describe.skipIf(!available)('dockerd harness', () => {
  let engine: Dockerd;

  beforeAll(async () => {
    engine = await startDockerd();
    await engine.buildBusyboxImage('clusterd-test/busybox:1');
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it('runs a busybox container that prints, with the usual applets on PATH', async () => {
    const res = await engine.docker([
      'run', '--rm', '--network', 'none', 'clusterd-test/busybox:1',
      'sh', '-c', 'echo "hello $(echo from | cat) busybox"; ls / | head -n 3; mkdir /tmp/x && env | grep -c PATH',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')).toEqual(['hello from busybox', 'bin', 'cluster', 'dev', '1', '']);
  });

  it('reports a container exit status', async () => {
    const res = await engine.docker(['run', '--rm', '--network', 'none', 'clusterd-test/busybox:1', 'sh', '-c', 'exit 7']);
    expect(res.code).toBe(7);
  });

  it('stops by pid: dockerd and its containerd are gone, twice is harmless', async () => {
    const detached = await engine.docker(['run', '-d', '--network', 'none', 'clusterd-test/busybox:1', 'sleep', '300']);
    expect(detached.code).toBe(0);
    const pids = [engine.pid, engine.containerdPid ?? engine.pid];
    await engine.stop();
    await engine.stop();
    expect(pids.filter(pidAlive)).toEqual([]);
    expect(engine.process.alive).toBe(false);
  });
});
