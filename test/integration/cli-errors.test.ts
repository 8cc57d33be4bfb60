// What a user sees when something is wrong: every verb against no cluster, bad flags and bad
// addresses exit with the contract's status and one or two lines that say what to do, never a
// stack trace; a reader that stops early (`| head`) ends the command quietly.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, cliEntry, freePort, startDev, type CliResult, type DevCluster } from '../support/cli-cluster.js';

const hello = 'examples/hello/job.yaml';
const stackLine = /^\s+at /m;

function saysOnly(res: CliResult, lines = 2): void {
  expect(res.stderr).not.toMatch(stackLine);
  expect(res.stderr.trim().split('\n').length, res.stderr).toBeLessThanOrEqual(lines);
}

describe('clusterctl errors', () => {
  it('every verb against no cluster: exit 3, one line saying there is no cluster there and what to do', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const verbs = [
      ['submit', hello], ['submit', hello, '--wait'], ['status'], ['status', 'r-1'], ['logs', 'r-1'], ['result', 'r-1', 'start'],
      ['cancel', 'r-1'], ['resume', 'r-1'], ['artifacts', 'ls', 'r-1', 'start'], ['artifacts', 'get', 'r-1', 'start', 'x'],
      ['store', 'stats'], ['store', 'gc'], ['agents'], ['drain', 'a'], ['schedule', 'add', 'n', '--cron', '* * * * *', hello],
      ['schedule', 'ls'], ['schedule', 'rm', 'n'], ['token', 'create', '--role', 'read'], ['token', 'ls'], ['token', 'revoke', 'x'],
      ['token', 'bootstrap'], ['audit'],
    ];
    for (let i = 0; i < verbs.length; i += 4) {
      const batch = verbs.slice(i, i + 4);
      const results = await Promise.all(batch.map((args) => clusterctl(args, { addr })));
      results.forEach((res, j) => {
        const args = batch[j]!.join(' ');
        expect(res.code, `${args}: ${res.stderr}`).toBe(3);
        expect(res.stderr, args).toContain(`no cluster at ${addr}: start one with \`clusterctl dev\`, or set --addr / CLUSTERCTL_ADDR`);
        saysOnly(res, 1);
      });
    }
    const waited = await clusterctl(['wait', 'r-1', '--patience', '1s'], { addr });
    expect(waited.code).toBe(3);
    saysOnly(waited, 1);
    const servers = await clusterctl(['servers'], { addr });
    expect(servers.code).toBe(3);
    expect(servers.stderr).toContain(`no cluster at ${addr}: start one with`);
    saysOnly(servers, 1);
  }, 180_000);

  it('bad flags and addresses: exit 2, the error and a hint, no stack', async () => {
    const cases: Array<[string[], string]> = [
      [['--addr', 'localhost:99999', 'status'], '"localhost:99999" is not host:port (a host name or IP address, a colon, a port from 1 to 65535)'],
      [['--addr', '', 'status'], 'no scheduler address given: give host:port'],
      [['--addr', 'a b', 'status'], '"a b" is not host:port'],
      [['status', '--nope'], "unknown option '--nope'"],
      [['wait'], "missing required argument 'run'"],
      [['wait', 'r-1', '--timeout', 'soon'], '"soon" is not a duration'],
      [['status', 'r-1', '--tasks', 'x'], '--tasks x: give a whole number or all'],
      [['submit', 'no-such-job.yaml'], 'no-such-job.yaml: no such file'],
      [['nosuchverb'], "unknown command 'nosuchverb'"],
      [['submit', 'examples/computed-sweep/job.yaml', '-p', 'items=-5'], '-p items=-5: -5 is below the minimum 0 (params.items of examples/computed-sweep/job.yaml)'],
      [['submit', 'examples/computed-sweep/job.yaml', '-p', 'items=2.5'], '-p items=2.5: 2.5 is not a whole number'],
    ];
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const results = await Promise.all(batch.map(([args]) => clusterctl(args)));
      results.forEach((res, j) => {
        const [args, said] = batch[j]!;
        expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
        expect(res.stderr).toContain(said);
        saysOnly(res);
      });
    }
  }, 120_000);

  describe('on a cluster', () => {
    let dev: DevCluster;
    beforeAll(async () => {
      dev = await startDev(1);
    }, 60_000);
    afterAll(async () => {
      await dev?.stop();
    });

    it('a reader that stops early (| head) ends the command quietly with status 0', async () => {
      const sweep = await clusterctl(['submit', 'examples/computed-sweep/job.yaml', '-p', 'items=1500', '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 120_000 });
      expect(sweep.code, sweep.stderr).toBe(0);
      const runId = (JSON.parse(sweep.stdout) as { run_id: string }).run_id;
      for (const args of [['status', runId, '--tasks', 'all'], ['status', runId, '--tasks', 'all', '-o', 'json']]) {
        // More than a pipe holds, read 10 bytes of: the writes after that meet EPIPE.
        const piped = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cliEntry}" --addr ${dev.addr} ${args.join(' ')} | head -c 10 >/dev/null`], { encoding: 'utf8' });
        expect(piped.status, piped.stderr).toBe(0);
        expect(piped.stderr).toBe('');
      }
    }, 180_000);
  });
});
