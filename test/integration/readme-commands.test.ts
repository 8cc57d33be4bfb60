// The docs cannot drift from the CLI: every clusterctl command in a shell block of the README and
// docs/ names a command that exists, with options that command has (its --help lists them).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterctl, repoRoot } from '../support/cli-cluster.js';

const docs = ['README.md', 'bench/README.md', ...readdirSync(path.join(repoRoot, 'docs')).map((f) => `docs/${f}`)];

/** Each `clusterctl …` command line of the fenced shell blocks of `file`, continuation lines joined. */
function commandsOf(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const out: string[] = [];
  for (const block of text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      for (const m of line.replace(/#.*$/, '').matchAll(/(?:^|[\s;&|(])(?:npx )?clusterctl ((?:--?[\w-]+(?:[ =](?!-)\S+)? )*)([a-z][\w-]*)((?: [a-z][\w-]*)?)([^;&|)]*)/g)) {
        out.push(`${m[2]}${m[3]}\u0000${m[1]} ${m[4]}`);
      }
    }
  }
  return out;
}

describe('clusterctl commands in the docs', () => {
  it('exist, with the options they use', async () => {
    const commands = new Map<string, Set<string>>();
    for (const file of docs) {
      for (const entry of commandsOf(file)) {
        const [verb, rest] = entry.split('\u0000') as [string, string];
        const flags = commands.get(verb) ?? new Set<string>();
        for (const f of rest.matchAll(/(?:^|\s)(--[a-z][\w-]*|-[a-zp])\b/g)) flags.add(f[1]!);
        commands.set(verb, flags);
      }
    }
    expect(commands.size).toBeGreaterThan(15);
    const global = (await clusterctl(['--help'])).stdout;
    const helpOf = async (verb: string) => {
      const words = verb.split(' ');
      const help = await clusterctl([...words, '--help']);
      // "clusterctl status RUN": the second word was an argument, not a subcommand.
      return help.code !== 0 && words.length > 1 ? clusterctl([words[0]!, '--help']) : help;
    };
    const verbs = [...commands.keys()];
    for (let i = 0; i < verbs.length; i += 4) {
      const helps = await Promise.all(verbs.slice(i, i + 4).map(helpOf));
      verbs.slice(i, i + 4).forEach((verb, j) => {
        const help = helps[j]!;
        expect(help.code, `clusterctl ${verb}: ${help.stderr}`).toBe(0);
        for (const flag of commands.get(verb)!) {
          expect(`${help.stdout}\n${global}`, `clusterctl ${verb} ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}([\\s,]|$)`, 'm'));
        }
      });
    }
  }, 120_000);
});
