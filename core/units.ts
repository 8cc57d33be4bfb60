// Human units in, plain numbers with the unit in their name out.
import { invalid } from './errors.js';

const byteUnits: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 2 ** 10, kib: 2 ** 10, mi: 2 ** 20, mib: 2 ** 20, gi: 2 ** 30, gib: 2 ** 30, ti: 2 ** 40, tib: 2 ** 40,
};

/** "512Mi", "2G", "1.5GiB", 1048576 → bytes. */
export function parseBytes(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid(`"${value}" is not a size: give bytes or a unit such as 512Mi or 2G`);
    return Math.floor(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = m ? byteUnits[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw invalid(`"${value}" is not a size: use a number with a unit such as 512Mi, 2Gi or 1G`);
  return Math.floor(Number(m[1]) * factor);
}

/** 1 → 1000, 0.5 → 500, "250m" → 250, "2" → 2000 (CPU cores to millicores). */
export function parseCpuMilli(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid(`"${value}" is not a CPU amount: give cores (0.5) or millicores (500m)`);
    return Math.round(value * 1000);
  }
  const m = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(value);
  if (!m) throw invalid(`"${value}" is not a CPU amount: give cores (0.5) or millicores (500m)`);
  return m[2] === 'm' ? Math.round(Number(m[1])) : Math.round(Number(m[1]) * 1000);
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1s", "1m30s", "250ms", 60 (seconds) → milliseconds. */
export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid(`"${value}" is not a duration: use seconds or a unit such as 30s, 5m, 1h`);
    return Math.round(value * 1000);
  }
  const text = value.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(part)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * durationUnits[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
    throw invalid(`"${value}" is not a duration: use a unit such as 500ms, 30s, 5m or 1h30m`);
  }
  return Math.round(total);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v >= 10 ? 0 : 1)}${units[i]}`;
}

export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return m < 60 ? `${m}m${s}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
