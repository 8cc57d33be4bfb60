import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleExports } from '../../client/module-exports.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('moduleExports (read, not run)', () => {
  let tmp: TempDir;
  const file = (name: string, text: string) => {
    const f = path.join(tmp.path, name);
    writeFileSync(f, text);
    return f;
  };
  beforeAll(async () => {
    tmp = await tempDir('module-exports');
  });
  afterAll(async () => {
    await tmp.remove();
  });

  it('lists an ES module\'s exports: functions, consts, renamed, re-exported by name, default', () => {
    const f = file('m.mjs', "import x from './x.mjs';\nexport async function train(ctx) {}\nexport const score = () => 1;\nconst a = 1;\nexport { a as alias };\nexport { pick } from './p.mjs';\nexport default function () {}\nprocess.exit(1);\n");
    expect(moduleExports(f)!.sort()).toEqual(['alias', 'default', 'pick', 'score', 'train']);
  });

  it('cannot know, and says so, for CommonJS, star re-exports and what it cannot parse', () => {
    expect(moduleExports(file('c.cjs', 'module.exports.train = async () => 1;\n'))).toBeUndefined();
    expect(moduleExports(file('s.mjs', "export * from './other.mjs';\nexport const own = 1;\n"))).toBeUndefined();
    expect(moduleExports(file('b.mjs', 'export function (\n'))).toBeUndefined();
  });
});
