/** Prometheus's text format read back the way a Prometheus server reads it (parse-prometheus-text-format). */
import parse from 'parse-prometheus-text-format';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> }>;
}

export interface Scrape {
  /** The sample of `name` whose labels include `labels` (a histogram's count), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  types: Map<string, string>;
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  const families = (parse as (text: string) => Family[])(await res.text());
  const byName = new Map(families.map((f) => [f.name, f]));
  return {
    types: new Map(families.map((f) => [f.name, f.type])),
    value(name, labels = {}) {
      const sample = byName.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      const text = sample?.value ?? sample?.count;
      return text === undefined ? undefined : Number(text);
    },
  };
}
