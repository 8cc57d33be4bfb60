/**
 * Benchmark results: a JSON file and a self-contained HTML report (inline SVG charts) under
 * bench/results/, and a short table on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchReport {
  machine: { cpus: number; memoryGiB: number; node: string; host: string };
  startedAt: string;
  results: Record<string, unknown>;
}

export function newReport(): BenchReport {
  return {
    machine: { cpus: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, host: os.hostname() },
    startedAt: new Date().toISOString(),
    results: {},
  };
}

/** Writes `<dir>/<stamp>.json` and `.html`; returns their paths. */
export function writeReport(report: BenchReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = path.join(dir, `bench-${stamp}.json`);
  const html = path.join(dir, `bench-${stamp}.html`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtml(report));
  return { json, html };
}

export interface BarSeries {
  title: string;
  unit: string;
  bars: Array<{ label: string; value: number }>;
}

/** A horizontal bar chart as inline SVG. */
export function barChart(series: BarSeries): string {
  const rowHeight = 26;
  const labelWidth = 220;
  const width = 640;
  const max = Math.max(1e-9, ...series.bars.map((b) => b.value));
  const rows = series.bars.map((b, i) => {
    const w = Math.max(1, ((width - labelWidth - 90) * b.value) / max);
    const y = 30 + i * rowHeight;
    return `<text x="0" y="${y + 16}" font-size="13">${escape(b.label)}</text>`
      + `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="16" fill="#4477aa"/>`
      + `<text x="${labelWidth + w + 6}" y="${y + 16}" font-size="12">${formatValue(b.value)} ${escape(series.unit)}</text>`;
  });
  const height = 40 + series.bars.length * rowHeight;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`
    + `<text x="0" y="16" font-size="15" font-weight="bold">${escape(series.title)}</text>${rows.join('')}</svg>`;
}

function renderHtml(report: BenchReport): string {
  const charts = (report.results.charts as BarSeries[] | undefined) ?? [];
  const { charts: _omit, ...rest } = report.results;
  return `<!doctype html><html><head><meta charset="utf-8"><title>clusterd benchmark ${report.startedAt}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style></head><body>
<h1>clusterd benchmark</h1>
<p>${escape(report.startedAt)} on ${report.machine.cpus} cores, ${report.machine.memoryGiB} GiB, Node ${escape(report.machine.node)} (${escape(report.machine.host)})</p>
${charts.map((c) => `<figure>${barChart(c)}</figure>`).join('\n')}
<h2>Figures</h2><pre>${escape(JSON.stringify(rest, null, 2))}</pre>
</body></html>
`;
}

function formatValue(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(v >= 10 ? 1 : 3);
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
