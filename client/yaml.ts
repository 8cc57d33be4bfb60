/** YAML as clusterctl reads it (job files, config files): duplicate keys refused, errors located. */
import { parseDocument } from 'yaml';
import { ClusterError, errorMessage } from '../core/errors.js';

/** `file` names the source in the error: `FILE:LINE:COL: YAML error: …`. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new ClusterError('INVALID_ARGUMENT', `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML error: ${err.message.split('\n')[0]}`);
  }
  try {
    // Aliases are resolved here: one never defined, or too many (an alias bomb), is refused.
    return doc.toJS({ maxAliasCount: 1_000 });
  } catch (cause) {
    throw new ClusterError('INVALID_ARGUMENT', `${file}: YAML error: ${errorMessage(cause)}`);
  }
}
