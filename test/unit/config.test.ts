// Config files and CLUSTERD_* variables: checked through each option's own parser, with the
// precedence flag > environment > file > default; and the example configs in deploy/config
// document every option of the command they configure, each value valid.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentCommand } from '../../cli/commands/agent.js';
import { schedulerCommand } from '../../cli/commands/scheduler.js';
import { heartbeatIntervalMs } from '../../cli/start-scheduler.js';
import { configKeyOf, configurableOptions, envVarOf, loadConfigFile, withConfigFile } from '../../cli/config.js';
import { durationArg, hostPortArg, keyValueListArg, wholeNumberArg } from '../../cli/option-args.js';
import { withTempDir } from '../support/temp.js';

const deployConfig = (role: string) => fileURLToPath(new URL(`../../deploy/config/${role}.yaml`, import.meta.url));

/** A command shaped like the daemons': a duration, an address, a count, a list and a switch. */
function testCommand(): { cmd: Command; seen: () => Record<string, unknown> } {
  let seen: Record<string, unknown> = {};
  const cmd = new Command('daemon')
    .exitOverride()
    .option('--agent-ttl <duration>', 'silence before an agent is lost', durationArg, '5s')
    .option('--listen <host:port>', 'address', hostPortArg, '127.0.0.1:7700')
    .option('--threads <n>', 'threads', wholeNumberArg(1))
    .option('--label <k=v>', 'labels', keyValueListArg, [])
    .option('--no-color', 'plain output');
  withConfigFile(cmd).action((flags: Record<string, unknown>) => {
    seen = flags;
  });
  return { cmd, seen: () => seen };
}

async function runWith(args: string[], file?: string): Promise<Record<string, unknown>> {
  const { cmd, seen } = testCommand();
  await cmd.parseAsync([...(file ? ['--config', file] : []), ...args], { from: 'user' });
  return seen();
}

const withFile = <T>(text: string, fn: (file: string) => Promise<T>) =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'daemon.yaml');
    await writeFile(file, text);
    return fn(file);
  });

afterEach(() => vi.unstubAllEnvs());

describe('config file', () => {
  it('sets options by their long names, each value through the option parser', async () => {
    const flags = await withFile('agent-ttl: 10s\nlisten: 0.0.0.0:7701\nthreads: 4\nlabel: [zone=a, gpu=a100]\nno-color: true\n', (file) => runWith([], file));
    expect(flags).toMatchObject({ agentTtl: '10s', listen: '0.0.0.0:7701', threads: '4', label: ['zone=a', 'gpu=a100'], color: false });
  });

  it('leaves what it does not name at the default; a file of comments only sets nothing', async () => {
    const flags = await withFile('# nothing here\n', (file) => runWith([], file));
    expect(flags).toMatchObject({ agentTtl: '5s', listen: '127.0.0.1:7700', label: [] });
  });

  it('a flag wins over the environment, which wins over the file', async () => {
    await withFile('agent-ttl: 10s\nlisten: 0.0.0.0:7701\nthreads: 4\n', async (file) => {
      vi.stubEnv('CLUSTERD_LISTEN', '0.0.0.0:7702');
      vi.stubEnv('CLUSTERD_THREADS', '6');
      const flags = await runWith(['--threads', '8'], file);
      expect(flags).toMatchObject({ agentTtl: '10s', listen: '0.0.0.0:7702', threads: '8' });
    });
  });

  it('refuses every wrong key at once, naming the file, the key and what is wrong', async () => {
    await withFile('agent-ttl: soon\nlisten: nowhere\nthreads: 0\nlabel: [zone=a, bad]\ncolour: true\n', async (file) => {
      const err = await runWith([], file).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const lines = (err as Error).message.split('\n');
      expect(lines).toContain(`${file}: colour: not an option of daemon (see daemon --help)`);
      expect(lines).toContain(`${file}: agent-ttl: "soon" is not a duration: use a unit such as 500ms, 30s, 5m or 1h30m`);
      expect(lines).toContain(`${file}: threads: "0" is not a whole number >= 1`);
      expect(lines).toContain(`${file}: label.1: "bad" is not key=value`);
      expect(lines.some((line) => line.startsWith(`${file}: listen: `))).toBe(true);
    });
  });

  it('says what type it wanted where the YAML holds another', async () => {
    await withFile('agent-ttl: [1, 2]\nlabel: zone=a\nno-color: yes please\n', async (file) => {
      const message = await runWith([], file).then(() => '', (e: Error) => e.message);
      expect(message).toContain(`${file}: agent-ttl: give a string or a number, not a list`);
      expect(message).toContain(`${file}: label: give a list, e.g. [a, b], not string "zone=a"`);
      expect(message).toContain(`${file}: no-color: give true or false, not string "yes please"`);
    });
  });

  it('reports YAML syntax errors with line and column, and a missing file by name', async () => {
    await withFile('agent-ttl: 5s\n  listen: [\n', async (file) => {
      expect(await runWith([], file).then(() => '', (e: Error) => e.message)).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML error: `));
    });
    await withFile('agent-ttl: 1s\nagent-ttl: 2s\n', async (file) => {
      expect(await runWith([], file).then(() => '', (e: Error) => e.message)).toContain('YAML error');
    });
    expect(await runWith([], '/nonexistent/daemon.yaml').then(() => '', (e: Error) => e.message)).toBe('/nonexistent/daemon.yaml: no such file');
    await withFile('- agent-ttl: 5s\n', async (file) => {
      expect(await runWith([], file).then(() => '', (e: Error) => e.message)).toBe(`${file}: (top level): give a mapping of option names to values, not a list`);
    });
  });
});

describe('CLUSTERD_* variables', () => {
  it('set options through their parsers; a list takes comma-separated items; a switch true or false', async () => {
    vi.stubEnv('CLUSTERD_AGENT_TTL', '750ms');
    vi.stubEnv('CLUSTERD_LABEL', 'zone=a, gpu=a100');
    vi.stubEnv('CLUSTERD_NO_COLOR', 'true');
    expect(await runWith([])).toMatchObject({ agentTtl: '750ms', label: ['zone=a', 'gpu=a100'], color: false });
  });

  it('refuses bad values together, each naming its variable', async () => {
    vi.stubEnv('CLUSTERD_AGENT_TTL', 'xx');
    vi.stubEnv('CLUSTERD_THREADS', 'many');
    const message = await runWith([]).then(() => '', (e: Error) => e.message);
    expect(message.split('\n')).toEqual([
      'CLUSTERD_AGENT_TTL: "xx" is not a duration: use a unit such as 500ms, 30s, 5m or 1h30m',
      'CLUSTERD_THREADS: "many" is not a whole number >= 1',
    ]);
  });

  it('a variable no flag overrides is not checked against the flag', async () => {
    vi.stubEnv('CLUSTERD_AGENT_TTL', 'xx');
    expect(await runWith(['--agent-ttl', '3s'])).toMatchObject({ agentTtl: '3s' });
  });

  it('are named after the option', () => {
    const { cmd } = testCommand();
    expect(configurableOptions(cmd).map(envVarOf)).toEqual(['CLUSTERD_AGENT_TTL', 'CLUSTERD_LISTEN', 'CLUSTERD_THREADS', 'CLUSTERD_LABEL', 'CLUSTERD_NO_COLOR']);
  });
});

describe.each([
  ['scheduler', schedulerCommand],
  ['agent', agentCommand],
] as const)('deploy/config/%s.yaml', (role, register) => {
  const program = new Command('clusterctl');
  vi.stubEnv('CLUSTERCTL_ADDR', undefined); // the agent's --scheduler default follows it
  register(program);
  vi.unstubAllEnvs();
  const cmd = program.commands.find((c) => c.name() === role)!;
  const text = readFileSync(deployConfig(role), 'utf8');
  const lines = text.split('\n');
  /** The line that sets KEY, or shows it commented out: `key: value` or `# key: value`. */
  const keyLine = (key: string) => lines.findIndex((line) => line.replace(/^# /, '').startsWith(`${key}: `));

  it('loads as it is', () => {
    expect(() => loadConfigFile(cmd, deployConfig(role))).not.toThrow();
  });

  it('documents every option, with its default, next to its key', () => {
    for (const option of configurableOptions(cmd)) {
      const key = configKeyOf(option);
      const at = keyLine(key);
      expect(at, `${key} is missing`).toBeGreaterThan(0);
      let start = at;
      while (start > 0 && lines[start - 1]!.startsWith('# ') && !/^# [a-z-]+: /.test(lines[start - 1]!)) start -= 1;
      const comment = lines.slice(start, at).join(' ');
      expect(comment, `${key}: no description`).not.toBe('');
      const defaultValue = option.defaultValue as unknown;
      const documented = typeof defaultValue === 'string' ? `Default: ${defaultValue}` : 'Default: ';
      expect(comment, `${key}: default`).toContain(documented);
      // A key set in the file holds its default, so the example changes nothing by itself.
      if (!lines[at]!.startsWith('#') && typeof defaultValue === 'string') expect(lines[at]).toBe(`${key}: ${defaultValue}`);
    }
  });

  it('every commented-out example value is valid too', async () => {
    const uncommented = lines.map((line) => {
      const m = /^# ([a-z-]+): /.exec(line);
      return m && configurableOptions(cmd).some((o) => configKeyOf(o) === m[1]) ? line.slice(2) : line;
    });
    await withFile(uncommented.join('\n'), async (file) => {
      const values = loadConfigFile(cmd, file);
      expect(values.size).toBe(configurableOptions(cmd).length);
    });
  });
});

describe('the heartbeat agents are asked for', () => {
  it('is the configured one, at most a third of the agent TTL', () => {
    // --heartbeat 1s with --agent-ttl 5s: 1000 <= 5000 / 3, as configured.
    expect(heartbeatIntervalMs(1_000, 5_000)).toBe(1_000);
    // --agent-ttl 1s: a 1 s heartbeat would make every slightly late one a lost agent; 1000 / 3.
    expect(heartbeatIntervalMs(1_000, 1_000)).toBe(333);
    // Never below 50 ms, however short the TTL.
    expect(heartbeatIntervalMs(1_000, 90)).toBe(50);
  });
});
