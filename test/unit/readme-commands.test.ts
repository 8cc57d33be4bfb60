// The docs cannot drift from the CLI: every clusterctl command in a shell block of the README, the
// benchmark README and docs/ names a command that exists, with options that command has.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.js';
import { shellBlocks } from '../support/shell-blocks.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const docs = ['README.md', 'bench/README.md', ...readdirSync(path.join(repoRoot, 'docs')).map((f) => `docs/${f}`)];

/** Each `clusterctl …` command of the fenced shell blocks of `text` (continuation lines joined), as its words. */
function commandsIn(text: string): string[][] {
  const out: string[][] = [];
  for (const line of shellBlocks(text).flatMap((b) => b.commands)) {
    for (const m of line.replace(/#.*$/, '').matchAll(/(?:^|[\s;&|(])(?:npx )?clusterctl ([^;&|)]*)/g)) out.push(m[1]!.trim().split(/\s+/));
  }
  return out;
}

/** The command the words name (global options skipped), and the flags used with it. */
function resolve(program: Command, words: string[]): { command: Command; path: string; flags: string[] } {
  let command = program;
  const names: string[] = [];
  const flags: string[] = [];
  let positional = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^--?[a-zA-Z]/.test(w)) {
      const flag = w.split('=')[0]!;
      flags.push(flag);
      // An option that takes a value takes the next word, unless given as --flag=value.
      const option = [...command.options, ...program.options].find((o) => o.long === flag || o.short === flag);
      if (option && (option.required || option.optional) && !w.includes('=')) i++;
      continue;
    }
    const sub = positional ? undefined : command.commands.find((c) => c.name() === w);
    if (sub) {
      command = sub;
      names.push(w);
    } else if (command === program) {
      return { command, path: w, flags }; // an unknown command: reported by the caller
    } else {
      positional = true; // an argument: later words are not subcommands
    }
  }
  return { command, path: names.join(' '), flags };
}

describe('clusterctl commands in the docs', () => {
  it('finds the commands of a shell block, continuation lines joined', () => {
    expect(commandsIn('```sh\nnpx clusterctl submit a.yaml \\\n    -p n=1 --wait   # run it\nx && clusterctl runs --limit 3\n```\n'))
      .toEqual([['submit', 'a.yaml', '-p', 'n=1', '--wait'], ['runs', '--limit', '3']]);
  });

  it('exist, with the options they use', () => {
    const program = buildProgram();
    const globalFlags = program.options.flatMap((o) => [o.long, o.short]).filter(Boolean);
    let seen = 0;
    for (const file of docs) {
      for (const words of commandsIn(readFileSync(path.join(repoRoot, file), 'utf8'))) {
        const { command, path: name, flags } = resolve(program, words);
        expect(command, `${file}: clusterctl ${words.join(' ')}: no command "${name}"`).not.toBe(program);
        const known = new Set([...globalFlags, ...command.options.flatMap((o) => [o.long, o.short]), '--help', '-h']);
        for (const flag of flags) expect(known.has(flag), `${file}: clusterctl ${words.join(' ')}: ${flag} is not an option of clusterctl ${name}`).toBe(true);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(40);
  });
});
