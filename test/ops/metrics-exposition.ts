import { createRequire } from 'node:module';

/** One metric family as parse-prometheus-text-format returns it (values are the exposition's text). */
export interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: ReadonlyArray<{
    readonly labels?: Readonly<Record<string, string>>;
    readonly value?: string;
    readonly count?: string;
    readonly sum?: string;
    readonly buckets?: Readonly<Record<string, string>>;
  }>;
}

const parsePrometheusText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

/** One sample line: its metric name (suffix included), labels and value. */
export interface RawSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape read two ways: families from the independent parser, and every sample line as written. */
export interface Scrape {
  readonly families: Map<string, ParsedFamily>;
  /** The parser keeps only one series of a histogram, so histogram counts are read from here. */
  readonly raw: readonly RawSample[];
}

/** Parses a scrape (throws when parse-prometheus-text-format rejects a line). */
export function parseExposition(text: string): Scrape {
  const raw = text.split('\n').flatMap((line): RawSample[] => {
    const m = SAMPLE.exec(line);
    if (!m || line.startsWith('#')) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ name: m[1]!, labels, value: Number(m[3]!.replace(/^([+-]?)inf$/i, '$1Infinity')) }];
  });
  return { families: new Map(parsePrometheusText(text).map((f) => [f.name, f])), raw };
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)( -?\d+)?$/;
/** Prometheus reads values with Go's ParseFloat, which ignores case in NaN and Inf (prom-client writes `Nan`). */
const VALUE = /^(?:[+-]?Inf|NaN|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;

/**
 * Problems that make `text` invalid Prometheus text exposition (0.0.4): a sample outside a family declared with
 * HELP and TYPE just before it, a family declared twice, a bad sample line or value, or a missing trailing newline.
 */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('the text does not end with a newline');
  const declared = new Set<string>();
  let family: { name: string; help: boolean; type: string | undefined } | undefined;
  text.split('\n').forEach((line, i) => {
    const at = `line ${i + 1} "${line.slice(0, 80)}"`;
    if (line === '') return;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (family?.name !== name) {
        if (declared.has(name)) problems.push(`${at}: family ${name} declared twice`);
        declared.add(name);
        family = { name, help: false, type: undefined };
      }
      if (kind === 'HELP') family.help = true;
      else if (!(rest in SUFFIXES)) problems.push(`${at}: unknown type ${rest}`);
      else family.type = rest;
      return;
    }
    if (line.startsWith('#')) return;
    const sample = SAMPLE.exec(line);
    if (!sample) return void problems.push(`${at}: not a sample line`);
    if (!VALUE.test(sample[3]!)) problems.push(`${at}: bad value ${sample[3]}`);
    if (!family?.help || !family.type) return void problems.push(`${at}: sample before its HELP and TYPE`);
    const suffix = sample[1]!.slice(family.name.length);
    if (!sample[1]!.startsWith(family.name) || !SUFFIXES[family.type]!.includes(suffix)) {
      problems.push(`${at}: sample ${sample[1]} does not belong to the ${family.type} family ${family.name}`);
    }
  });
  return problems;
}

const matches = (labels: Readonly<Record<string, string>> | undefined, want: Readonly<Record<string, string>>): boolean =>
  Object.entries(want).every(([k, v]) => labels?.[k] === v);

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue({ families }: Scrape, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = families.get(name)?.metrics.filter((m) => matches(m.labels, labels)) ?? [];
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value === undefined ? undefined : Number(found[0].value);
}

/** Every sample of `name` as (labels, value), for families a test wants to see whole. */
export function samples({ families }: Scrape, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return (families.get(name)?.metrics ?? []).map((m) => ({ labels: { ...m.labels }, value: Number(m.value) }));
}

/** The observation count of the histogram series of `name` whose labels include `labels` (0 when it has none yet). */
export function histogramCount({ raw }: Scrape, name: string, labels: Readonly<Record<string, string>>): number {
  return raw.filter((r) => r.name === `${name}_count` && matches(r.labels, labels)).reduce((sum, r) => sum + r.value, 0);
}
