/**
 * Reads a job file (YAML or JSON) and checks it completely before anything is submitted:
 * syntax with line and column, the schema and step graph with field paths, and that every
 * function step's module exists and exports what the step names (read, not run).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ClusterError } from '../core/errors.js';
import { compileJob, specError, type JobSpec } from '../core/job-spec.js';
import { moduleExports } from './module-exports.js';
import { parseYaml } from './yaml.js';

export interface LoadedJob {
  /** The document as written, sent to the scheduler (which validates it again). */
  doc: unknown;
  spec: JobSpec;
  file: string;
  /** The job file's folder: the code package. */
  dir: string;
}

/** The scheduler takes jobs of at most 1 MiB (as JSON); a job file is refused before that. */
const maxJobFileBytes = 1 << 20;

export function loadJobFile(file: string): LoadedJob {
  const abs = path.resolve(file);
  let text: string;
  try {
    const size = statSync(abs).size;
    if (size > maxJobFileBytes) throw new ClusterError('INVALID_ARGUMENT', `${file}: ${size} bytes; a job file may have at most ${maxJobFileBytes} (put data in params files or the code package)`);
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    if ((err as ClusterError).code === 'INVALID_ARGUMENT') throw err; // too big, said above
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClusterError('INVALID_ARGUMENT', `${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const doc = abs.endsWith('.json') ? parseJson(text, file) : parseYaml(text, file);
  const spec = compileJob(doc, file);
  const dir = path.dirname(abs);
  for (const step of Object.values(spec.steps)) {
    if (!step.run) continue;
    const modulePath = path.resolve(dir, step.run.module);
    const where = ['steps', step.name, 'run', 'module'];
    // The job's folder is its code package: agents only have what is inside it.
    const inside = path.relative(dir, modulePath);
    if (inside.startsWith('..') || path.isAbsolute(inside)) throw specError(file, where, `"${step.run.module}" is outside the job's folder ${dir}, which is all that is shipped to agents`);
    if (!existsSync(modulePath)) throw specError(file, where, `"${step.run.module}" not found (looked for ${modulePath})`);
    const exported = moduleExports(modulePath);
    if (exported && !exported.includes(step.run.export)) {
      const has = exported.length ? `it exports ${exported.filter((n) => n !== 'default').join(', ') || 'only a default'}${exported.includes('default') && exported.length > 1 ? ' and a default' : ''}` : 'it exports nothing';
      throw specError(file, ['steps', step.name, 'run', 'export'], `"${step.run.export}" is not exported by ${step.run.module} (${has})`);
    }
  }
  return { doc, spec, file, dir };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ClusterError('INVALID_ARGUMENT', `${file}: not valid JSON: ${(err as Error).message}`);
  }
}

