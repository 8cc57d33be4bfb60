/**
 * What a step's module exports, read without running it (es-module-lexer, the parser Node's own
 * tooling uses), so a misspelt export is refused at submit instead of failing the step after the
 * steps before it ran.
 */
import { readFileSync } from 'node:fs';
import { initSync, parse } from 'es-module-lexer';

let ready = false;

/**
 * The names `file` exports, or undefined when they cannot be known without running it: a
 * CommonJS module, a module the lexer cannot parse (the agent will say why), or one that
 * re-exports another's names with `export * from`.
 */
export function moduleExports(file: string): string[] | undefined {
  if (!ready) {
    initSync();
    ready = true;
  }
  const source = readFileSync(file, 'utf8');
  let imports: ReturnType<typeof parse>[0];
  let exports: ReturnType<typeof parse>[1];
  let esm: boolean;
  try {
    [imports, exports, , esm] = parse(source, file);
  } catch {
    return undefined;
  }
  if (!esm) return undefined;
  const starReexport = imports.some((i) => /^export\s*\*/.test(source.slice(i.ss, i.se)));
  return starReexport ? undefined : exports.map((e) => e.n);
}
