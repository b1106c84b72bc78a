#!/usr/bin/env node
/**
 * The `meterwall` command (Node-only): `meterwall simulate` replays an access log through
 * candidate configurations; `meterwall inspect` explains a meter cookie for support staff
 * (secrets come from the environment and are never printed).
 */
import { printable } from './printable.js';
import { inspectCommand } from './inspect-command.js';
import { CommandError } from './errors.js';
import { simulateCommand } from './simulate/command.js';

const USAGE = `Usage:
  meterwall simulate <access log>… --config <module> [--set <option path>=<v1>,<v2>…]… [--json <file>] [--csv <file>] [--html <file>] [--decisions <file>]
                     [--memory <MB>] [--workers <n>] [--tmp <dir>]

  The logs (several are merged in time order; - is standard input): the JSON lines meterwall's
  paywall.accessLogFields() makes, nginx/Apache combined (with a visitor-id cookie, behind a CDN),
  Cloudflare Logpush or Fastly JSON, JSON lines with a field map; plain or gzip. The config
  module's default export: { options, article(url, entry), reader?(entry), configurations?, log? }.
  --decisions writes one JSON line per article request: its line, URL and each configuration's
  access and reason. Repeated --set options combine (every combination, at most 12).
  --memory <MB> bounds the run (1024 by default): records are spilled to partitions on disk
  (--tmp <dir>) and replayed on --workers <n> threads (the cores by default).

  meterwall inspect <cookie value> [--article <id>]... [--config <module> | --limit <meter>=<n>...] [--secret-env <NAME>]...
                    [--account <id> --redis <url> [--redis-prefix <prefix>]] [--json]

  A registered reader's meter lives in the store under their account: --account and --redis read
  it (with --config for the limits and period).

  The secrets are read from the environment: METERWALL_SECRET, or each --secret-env in order
  (the first is the one that signs; list old ones after it). They are never printed.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'inspect') return await inspectCommand(rest, USAGE);
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
