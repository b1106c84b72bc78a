/**
 * `meterwall inspect <cookie>`: the command line of inspect.ts (a cookie explained) and
 * inspect-account.ts (a registered reader's meter, read from the store). Secrets come from the
 * environment and are never printed.
 */
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../options/defaults.js';
import { createRedisStore } from '../stores/redis.js';
import { formatAccount, formatInspection, inspectToken } from './inspect.js';
import { type AccountInput, type AccountReport, inspectAccount } from './inspect-account.js';
import { printable } from './printable.js';
import { loadConfig } from './simulate/config-module.js';

/** Runs `meterwall inspect`; resolves to its exit code. */
export async function inspectCommand(args: string[], usage: string): Promise<number> {
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
      account: { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
    },
  });
  const token = positionals[0];
  if (token === undefined) {
    console.error(usage);
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
  let account: AccountReport | null = null;
  if (values.account !== undefined) {
    if (values.redis === undefined) {
      console.error('meterwall inspect: --account reads the store: give --redis <url> too');
      return 2;
    }
    account = await readAccount(values.redis, values['redis-prefix'] ?? 'meterwall:', {
      account: values.account,
      secrets,
      options: options ?? {},
      articles: values.article ?? [],
      now: Date.now(),
    });
  }
  const text = `${formatInspection(report)}${account === null ? '' : `\n${formatAccount(account, values['redis-prefix'] ?? 'meterwall:')}`}`;
  console.log(values.json ? JSON.stringify(account === null ? report : { ...report, account }, null, 2) : text);
  return report.valid ? 0 : 1;
}

/** Reads an account's meters from Redis (the `redis` package, as the site's store uses it). */
async function readAccount(url: string, prefix: string, input: Omit<AccountInput, 'store'>): Promise<AccountReport> {
  let redis: typeof import('redis');
  try {
    redis = await import('redis');
  } catch {
    throw new Error("--redis needs the redis package (npm install redis), as the site's Redis store does");
  }
  const client = redis.createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  try {
    return await inspectAccount({ ...input, store: createRedisStore(client, { prefix }) });
  } finally {
    await client.close();
  }
}
