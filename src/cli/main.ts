#!/usr/bin/env node
/**
 * The `meterwall` command (Node-only): `meterwall simulate` replays an access log through
 * candidate configurations; `meterwall inspect` explains a meter cookie for support staff
 * (secrets come from the environment and are never printed).
 */
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../options/defaults.js';
import { formatInspection, inspectToken } from './inspect.js';
import { printable } from './printable.js';
import { logCounts, readLog, skipLine } from './simulate/log.js';
import { formatCsv, formatJson, formatSkipped, formatTable } from './simulate/report.js';
import { configurationsFromSet, type SimulationConfig, simulate } from './simulate/simulate.js';

const USAGE = `Usage:
  meterwall simulate <access log> --config <module> [--set <option path>=<v1>,<v2>…] [--json <file>] [--csv <file>] [--html <file>]

  The log: nginx/Apache combined format or JSON lines, plain or gzip. The config module's default
  export: { options, article(url, entry), reader?(entry), configurations? }.

  meterwall inspect <cookie value> [--article <id>]... [--config <module> | --limit <meter>=<n>...] [--secret-env <NAME>]... [--json]

  The secrets are read from the environment: METERWALL_SECRET, or each --secret-env in order
  (the first is the one that signs; list old ones after it). They are never printed.`;

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      article: { type: 'string', multiple: true },
      limit: { type: 'string', multiple: true },
      config: { type: 'string' },
      'secret-env': { type: 'string', multiple: true },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const token = positionals[0];
  if (token === undefined) {
    console.error(USAGE);
    return 2;
  }
  const names = values['secret-env'] ?? ['METERWALL_SECRET'];
  const secrets: string[] = [];
  for (const name of names) {
    const value = process.env[name];
    if (!value) {
      console.error(`meterwall inspect: ${name} is not set in the environment`);
      return 2;
    }
    secrets.push(value);
  }
  const limits: Record<string, number> = {};
  // The site's limits from the simulate config module, when given: a cookie holds anonymous meters.
  const options = values.config ? (await loadConfig(values.config)).options : undefined;
  if (options !== undefined) {
    limits['default'] = options.meters?.anonymous?.limit ?? DEFAULTS.meters.anonymous.limit;
    for (const [name, meter] of Object.entries(options.meters?.named ?? {})) limits[name] = meter.anonymous.limit ?? 0;
  }
  for (const pair of values.limit ?? []) {
    const [meter = '', n = ''] = pair.split('=');
    if (!/^\d+$/.test(n)) {
      console.error(`meterwall inspect: --limit takes <meter>=<number>, e.g. default=3 (got ${printable(pair)})`);
      return 2;
    }
    limits[meter] = Number(n);
  }
  const report = await inspectToken({
    token,
    ...(options?.cookie?.name ? { cookieName: options.cookie.name } : {}),
    secrets,
    articles: values.article ?? [],
    limits,
    ...((values.issuer ?? options?.issuer) ? { issuer: (values.issuer ?? options?.issuer) as string } : {}),
    ...((values.audience ?? options?.audience) ? { audience: (values.audience ?? options?.audience) as string } : {}),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatInspection(report));
  return report.valid ? 0 : 1;
}

/** The config module's default export, checked. */
async function loadConfig(path: string): Promise<SimulationConfig> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: SimulationConfig };
  const loaded = module.default;
  if (!loaded || typeof loaded.article !== 'function' || typeof loaded.options !== 'object')
    throw new TypeError(`${path} must export default { options, article(url, entry) }`);
  return loaded;
}

async function simulateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      set: { type: 'string' },
      json: { type: 'string' },
      csv: { type: 'string' },
      html: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  const log = positionals[0];
  if (log === undefined || values.config === undefined) {
    console.error(USAGE);
    return 2;
  }
  const loaded = await loadConfig(values.config);
  const config: SimulationConfig = values.set ? { ...loaded, configurations: configurationsFromSet(values.set, loaded.options) } : loaded;
  const size = statSync(log).size;
  const counts = logCounts();
  const progress = process.stderr.isTTY && !values.quiet;
  const started = performance.now();
  let seen = 0;
  const result = await simulate(
    readLog(log, counts),
    config,
    () => {
      if (progress && ++seen % 50_000 === 0) {
        const share = Math.min(1, counts.bytes / size);
        process.stderr.write(
          `\r[${'#'.repeat(Math.round(share * 30)).padEnd(30)}] ${(share * 100).toFixed(0)}%  ${seen.toLocaleString('en-GB')} lines`,
        );
      }
    },
    (entry, reason) => skipLine(counts, entry.line ?? 0, reason, `${entry.method} ${entry.url}`),
  );
  if (progress) process.stderr.write(`${'\r'.padEnd(70)}\r`);
  const seconds = (performance.now() - started) / 1000;
  console.log(formatTable(result));
  console.log(
    `\n${counts.lines.toLocaleString('en-GB')} lines (${counts.skipped} not replayed), ${result.articleRequests.toLocaleString('en-GB')} article requests, in ${seconds.toFixed(1)} s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
  const unreadable = formatSkipped(counts);
  if (unreadable !== '') console.log(unreadable);
  if (values.json) writeFileSync(values.json, formatJson(result));
  if (values.csv) writeFileSync(values.csv, formatCsv(result));
  if (values.html) {
    const { formatHtml } = await import('./simulate/html.js');
    writeFileSync(values.html, formatHtml(result));
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'inspect') return await inspect(rest);
    if (command === 'simulate') return await simulateCommand(rest);
  } catch (error) {
    console.error(`meterwall ${printable(String(command))}: ${printable(error instanceof Error ? error.message : String(error))}`);
    return 2;
  }
  console.error(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
