#!/usr/bin/env node
/**
 * The `meterwall` command (Node-only): `meterwall simulate` replays an access log through
 * candidate configurations; `meterwall inspect` explains a meter cookie for support staff
 * (secrets come from the environment and are never printed).
 */
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../options/defaults.js';
import { formatInspection, inspectToken } from './inspect.js';
import { printable } from './printable.js';
import { CommandError, loadConfig, simulateCommand } from './simulate/command.js';

const USAGE = `Usage:
  meterwall simulate <access log>… --config <module> [--set <option path>=<v1>,<v2>…]… [--json <file>] [--csv <file>] [--html <file>] [--decisions <file>]

  The logs (several are merged in time order; - is standard input): the JSON lines meterwall's
  paywall.accessLogFields() makes, nginx/Apache combined (with a visitor-id cookie, behind a CDN),
  Cloudflare Logpush or Fastly JSON, JSON lines with a field map; plain or gzip. The config
  module's default export: { options, article(url, entry), reader?(entry), configurations?, log? }.
  --decisions writes one JSON line per article request: its line, URL and each configuration's
  access and reason. Repeated --set options combine (every combination, at most 12).

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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'inspect') return await inspect(rest);
    if (command === 'simulate') return await simulateCommand(rest, USAGE);
  } catch (error) {
    console.error(`meterwall ${printable(String(command))}: ${printable(error instanceof Error ? error.message : String(error))}`);
    return error instanceof CommandError && error.code === 'ERR_INPUT' ? 1 : 2;
  }
  console.error(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
