// How clusterctl prints: one JSON document with -o json, aligned tables for people.
import { invalid } from '../core/errors.js';
import { formatDuration } from '../core/units.js';

export type OutputFormat = 'text' | 'json';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) || v?.type === 'Buffer' ? undefined : v), 2)}\n`);
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function age(fromMs: number, toMs = Date.now()): string {
  return fromMs ? formatDuration(Math.max(0, toMs - fromMs)) : '-';
}

export function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw invalid(`-o ${value}: the only output format is json`);
}
