/**
 * The fenced shell blocks (sh or bash) of a Markdown text, each command on one line (continuation
 * lines joined, blank and comment lines dropped), with the `<!-- docs-test: skip: REASON -->`
 * that may stand above a block. Read by the docs tests: one runs the README's blocks, one checks
 * every clusterctl command of the docs against the CLI.
 */
export interface ShellBlock {
  line: number;
  commands: string[];
  skip?: string;
}

export function shellBlocks(text: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const skip = /^<!-- docs-test: skip: (.+) -->$/.exec(lines[j] ?? '')?.[1];
    const commands = body.join('\n').replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    blocks.push({ line: start + 1, commands, ...(skip ? { skip } : {}) });
  }
  return blocks;
}
