/**
 * The simulation's results as people and notebooks read them: a table in the terminal with the
 * configurations side by side, JSON, and CSV in long form (configuration, dimension, key, metric,
 * value).
 */
import { printable } from '../printable.js';
import type { FormatName } from './formats.js';
import type { LogCounts, SkipReason } from './log.js';
import type { KeyedBy } from './records.js';
import type { SimulationResult } from './run.js';
import { type CandidateStats, type Tally, VIEW_BUCKETS } from './stats.js';

const pct = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
const num = (n: number): string => n.toLocaleString('en-GB');

/** The terminal table: one column per configuration. */
export function formatTable(result: SimulationResult): string {
  const configs = result.configurations;
  const rows: Array<[string, ...string[]]> = [];
  const row = (label: string, value: (c: CandidateStats) => string) => rows.push([label, ...configs.map(value)]);
  row('readers', (c) => num(c.readers));
  row('article views', (c) => num(c.total.views));
  row('  full', (c) => `${num(c.total.full)} (${pct(c.total.full, c.total.views)})`);
  row('  teaser', (c) => `${num(c.total.teaser)} (${pct(c.total.teaser, c.total.views)})`);
  row('  prompt', (c) => `${num(c.total.prompt)} (${pct(c.total.prompt, c.total.views)})`);
  row('readers who met the prompt', (c) => `${num(c.metPrompt)} (${pct(c.metPrompt, c.readers)})`);
  row('readers who met the teaser', (c) => `${num(c.metTeaser)} (${pct(c.metTeaser, c.readers)})`);
  row('not page views (apart)', (c) => num(c.notPageViews));
  rows.push(['views per reader']);
  for (const bucket of VIEW_BUCKETS) row(`  ${bucket}`, (c) => num(c.viewsPerReader[bucket] ?? 0));
  const sections = [...new Set(configs.flatMap((c) => [...c.bySection.keys()]))].sort();
  if (sections.length > 1) {
    rows.push(['by section (views: full / teaser / prompt)']);
    for (const s of sections) row(`  ${printable(s)}`, (c) => tallyCell(c.bySection.get(s)));
  }
  const days = [...new Set(configs.flatMap((c) => [...c.byDay.keys()]))].sort();
  rows.push(['by day (views: full / teaser / prompt)']);
  for (const d of days) row(`  ${printable(d)}`, (c) => tallyCell(c.byDay.get(d)));
  const header: [string, ...string[]] = ['', ...configs.map((c) => c.name)];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function tallyCell(t: Tally | undefined): string {
  return t === undefined ? '–' : `${num(t.views)}: ${num(t.full)} / ${num(t.teaser)} / ${num(t.prompt)}`;
}

/** CSV in long form, one value per row. */
export function formatCsv(result: SimulationResult): string {
  const out = ['configuration,dimension,key,metric,value'];
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const c of result.configurations) {
    const put = (dimension: string, key: string, metric: string, value: number) =>
      out.push([c.name, dimension, key, metric, String(value)].map(cell).join(','));
    put('total', '', 'readers', c.readers);
    put('total', '', 'met prompt', c.metPrompt);
    put('total', '', 'met teaser', c.metTeaser);
    put('total', '', 'not page views', c.notPageViews);
    for (const [metric, value] of Object.entries(c.total)) put('total', '', metric, value);
    for (const [reason, value] of c.reasons) put('reason', reason, 'decisions', value);
    for (const [bucket, value] of Object.entries(c.viewsPerReader)) put('views per reader', bucket, 'readers', value);
    for (const [section, t] of c.bySection) for (const [metric, value] of Object.entries(t)) put('section', section, metric, value);
    for (const [day, t] of c.byDay) for (const [metric, value] of Object.entries(t)) put('day', day, metric, value);
  }
  return `${out.join('\n')}\n`;
}

/** JSON for notebooks: the tables as objects (`Object.fromEntries` makes own properties, so a key `__proto__` is data). */
export function formatJson(result: SimulationResult): string {
  // Keys in order (reasons, sections, days): the same counts give the same file, however the run was split.
  const sorted = (map: Map<unknown, unknown>) => Object.fromEntries([...map].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)));
  return `${JSON.stringify(result, (_key, value: unknown) => (value instanceof Map ? sorted(value) : value), 2)}\n`;
}

const KEYED: Readonly<Record<KeyedBy, string>> = {
  browser: 'by the browser key meterwall logged',
  'visitor-id': 'by the visitor id in the log',
  account: 'by their account',
  'address-and-agent': 'by address and user agent only (no visitor id: readers sharing both merge, a reader changing either splits)',
  config: "by the config module's reader()",
};

const FORMATS: Readonly<Record<FormatName, string>> = {
  meterwall: "meterwall's access log fields",
  combined: 'nginx/Apache combined',
  cloudflare: 'Cloudflare Logpush JSON',
  fastly: "Fastly's JSON",
  json: 'JSON lines',
};

/** Which formats the lines were read as. */
export function formatFormats(formats: ReadonlyMap<FormatName, number>): string {
  const total = [...formats.values()].reduce((a, b) => a + b, 0);
  return `Read as: ${[...formats]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${FORMATS[name]} (${pct(n, total)})`)
    .join(', ')}`;
}

/** How readers were told apart, in shares of the article requests. */
export function formatKeying(keying: ReadonlyMap<KeyedBy, number>, addresses = 0): string {
  const total = [...keying.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return 'No article requests: no readers to tell apart.';
  const out = ['Readers were told apart:'];
  for (const [by, n] of [...keying].sort((a, b) => b[1] - a[1]))
    out.push(`  ${pct(n, total).padStart(6)} of article requests ${KEYED[by]}`);
  const blind = keying.get('address-and-agent') ?? 0;
  if (blind > 0 && addresses > 0 && blind / addresses > 100)
    out.push(
      `  Warning: ${num(addresses)} address(es) made ${num(blind)} article requests (${num(Math.round(blind / addresses))} each): is the site behind a CDN or a proxy? Log X-Forwarded-For and give the proxies' ranges (log.trustedProxies, docs/simulate.md).`,
    );
  if (blind > total * 0.1)
    out.push(
      `  Warning: ${pct(blind, total)} of article requests had no visitor id. Behind a CDN or a NAT, many readers share an address: counts per reader are unreliable (docs/simulate.md).`,
    );
  return out.join('\n');
}

const SKIPPED: Readonly<Record<SkipReason, string>> = {
  'unknown-format': 'in no format the simulator reads (combined, JSON lines)',
  'no-time-or-url': 'JSON without a time or a URL',
  'too-long': 'longer than 64 KiB',
  'bad-url': 'a request target that is not a URL',
  'config-error': 'the config module threw on it, or gave an article without a string id',
};

/** What was not replayed, and why, with a few examples (escaped: a log is written by clients); empty when everything was. */
export function formatSkipped(counts: LogCounts): string {
  const out: string[] = [];
  if (counts.skipped > 0) {
    out.push(`${num(counts.skipped)} line(s) not replayed:`);
    for (const [reason, count] of counts.reasons) out.push(`  ${num(count)} ${SKIPPED[reason]}`);
    for (const example of counts.examples) out.push(`  e.g. line ${example.line} (${example.reason}): ${printable(example.text)}`);
  }
  if (counts.truncated !== null) out.push(`The log ends early (${printable(counts.truncated)}): what came before it was replayed.`);
  return out.join('\n');
}
