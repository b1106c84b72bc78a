#!/usr/bin/env node
/**
 * The `meterwall` command (Node-only): `meterwall inspect` explains a meter cookie for support
 * staff. Secrets come from the environment and are never printed.
 */
import { parseArgs } from 'node:util';
import { formatInspection, inspectToken } from './inspect.js';

const USAGE = `Usage:
  meterwall inspect <cookie value> [--article <id>]... [--limit <meter>=<n>]... [--secret-env <NAME>]... [--json]

  The secrets are read from the environment: METERWALL_SECRET, or each --secret-env in order
  (the first is the one that signs; list old ones after it). They are never printed.`;

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      article: { type: 'string', multiple: true },
      limit: { type: 'string', multiple: true },
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
  for (const pair of values.limit ?? []) {
    const [meter = '', n = ''] = pair.split('=');
    if (!/^\d+$/.test(n)) {
      console.error(`meterwall inspect: --limit takes <meter>=<number>, e.g. default=3 (got ${pair})`);
      return 2;
    }
    limits[meter] = Number(n);
  }
  const report = await inspectToken({
    token,
    secrets,
    articles: values.article ?? [],
    limits,
    ...(values.issuer ? { issuer: values.issuer } : {}),
    ...(values.audience ? { audience: values.audience } : {}),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatInspection(report));
  return report.valid ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'inspect') return await inspect(rest);
  } catch (error) {
    console.error(`meterwall ${command}: ${(error as Error).message}`);
    return 2;
  }
  console.error(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
