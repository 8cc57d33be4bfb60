// The README's commands, run: every shell block of README.md is executed in order, line by line,
// as a user would type it after `npm ci` in a clone (the suite runs in that clone, so `npm ci`
// itself is not run again). A block preceded by `<!-- docs-test: skip: REASON -->` is not run
// (the reason is required); test/unit/readme-commands.test.ts still checks its commands' options.
//
// What a reader fills in, the runner fills in the same way:
//   RUN   the run id the last submit printed;
//   PID   the pid the last command printed: `dev --detach`'s, or the leader's in `servers`;
//   /tmp/ a temp folder of this test.
// Each block is a shell of its own: `source FILE` and `export K=V` set the variables of the
// commands after them in that block. One `clusterctl
// dev` runs at a time, as on a user's machine where a second would find its port taken: the
// runner stops the one it started before the next starts, and everything it started at the end.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli-cluster.js';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { requireProgram } from '../support/processes.js';
import { shellBlocks } from '../support/shell-blocks.js';
import { tempDir, type TempDir } from '../support/temp.js';

interface Output { code: number; stdout: string; stderr: string }

const cli = path.join(repoRoot, 'bin/clusterctl.js');
/** `npx clusterctl` as npm runs it in the clone, `clusterctl` as installed, `npm ci` already done. */
const shims = [
  `npx() { if [ "$1" = clusterctl ]; then shift; node ${cli} "$@"; else command npx "$@"; fi; }`,
  `clusterctl() { node ${cli} "$@"; }`,
  'npm() { if [ "$1" = ci ]; then return 0; fi; command npm "$@"; }',
].join('\n');

const stack = ['etcd', 'dockerd', 'docker', 'busybox'].every((p) => requireProgram(p) !== undefined);

describe.skipIf(!stack && process.env.CI !== 'true')('the README, run', () => {
  let dir: TempDir;
  let dockerd: Dockerd;
  const env: Record<string, string> = {};
  const devPids: number[] = [];
  const upDirs: string[] = [];

  beforeAll(async () => {
    dir = await tempDir('clusterd-readme');
    // The commands name examples/ as a clone has it; what they write lands in the temp folder.
    symlinkSync(path.join(repoRoot, 'examples'), path.join(dir.path, 'examples'));
    dockerd = await startDockerd();
    Object.assign(env, process.env, { DOCKER_HOST: dockerd.host, CLUSTERCTL_LOG_LEVEL: 'warn' });
    // A reader's fresh shell: no cluster of the developer's (address, certificates, token, config).
    for (const name of Object.keys(env)) if (/^CLUSTER(CTL|D)_/.test(name) && name !== 'CLUSTERCTL_LOG_LEVEL') delete env[name];
  }, 120_000);

  afterAll(async () => {
    for (const pid of devPids) await stopProcess(pid);
    for (const upDir of upDirs) if (existsSync(path.join(upDir, 'cluster.json'))) await sh(`clusterctl down --dir ${upDir}`, 60_000);
    await dockerd?.stop();
    await dir?.remove();
  }, 180_000);

  function sh(command: string, timeoutMs: number, vars = env): Promise<Output> {
    return new Promise((resolve) => {
      execFile('bash', ['-c', `${shims}\n${command}`], { cwd: dir.path, env: vars, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it('runs every command of every shell block that is not marked skip, each exiting 0', async () => {
    const blocks = shellBlocks(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
    let run: string | undefined;
    let pid: number | undefined;
    let ran = 0;
    for (const block of blocks) {
      if (block.skip) continue;
      const blockEnv = { ...env };
      for (const written of block.commands) {
        const where = `README.md:${block.line}: ${written}`;
        const command = written.replace(/\s+#\s.*$/, '').replaceAll('/tmp/', `${dir.path}/`)
          .replace(/\bRUN\b/g, () => run ?? expect.fail(`${where}: RUN before any run was submitted`))
          .replace(/\bPID\b/g, () => String(pid ?? expect.fail(`${where}: PID before any command printed one`)));
        const sourced = /^(?:source|\.) (\S+)/.exec(command);
        if (sourced) {
          for (const m of readFileSync(sourced[1]!, 'utf8').matchAll(/^export (\w+)=(.*)$/gm)) blockEnv[m[1]!] = m[2]!;
          continue;
        }
        const exported = /^export (\w+)=(\S+)/.exec(command);
        if (exported) {
          blockEnv[exported[1]!] = exported[2]!;
          continue;
        }
        if (/clusterctl dev\b/.test(command)) while (devPids.length) await stopProcess(devPids.pop()!);
        const upDir = /clusterctl up\b.*--dir (\S+)/.exec(command)?.[1];
        if (upDir && !upDirs.includes(upDir)) upDirs.push(upDir);
        const out = await sh(command, 300_000, blockEnv);
        // Recorded before the exit status is checked: a detached dev is stopped however this ends.
        const detached = /in the background as pid (\d+)/.exec(out.stdout);
        if (detached) {
          pid = Number(detached[1]);
          devPids.push(pid);
        }
        if (/clusterctl servers\b/.test(command)) pid = leaderPid(out.stdout);
        expect(out.code, `${where}\n${out.stdout}\n${out.stderr}`).toBe(0);
        ran++;
        const runId = /^run (\S+) {2}/m.exec(out.stdout)?.[1] ?? (/\bsubmit\b/.test(command) ? out.stdout.trim().split('\n').at(-1) : undefined);
        if (runId) run = runId;
      }
    }
    // The blocks the README has today: a skip that swallowed them all would pass vacuously.
    expect(ran).toBeGreaterThanOrEqual(25);
  }, 900_000);
});

/** The leader's pid in a `clusterctl servers` table, if `stdout` is one. */
function leaderPid(stdout: string): number | undefined {
  const [header, ...rows] = stdout.split('\n');
  if (!header?.startsWith('ID ') || !header.includes('PID')) return undefined;
  const at = header.indexOf('PID');
  const row = rows.find((r) => / leader /.test(r));
  return row ? Number(row.slice(at).trim().split(/\s+/)[0]) : undefined;
}

/** SIGTERM to a process this test started, and its end. */
async function stopProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
}
