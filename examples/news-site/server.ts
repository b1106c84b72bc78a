/**
 * Starts the example news site: `npm run example`. No setup needed: in-memory accounts and
 * meters, and generated development secrets (with a loud warning) unless METERWALL_SECRET and
 * SESSION_SECRET are set. Port 3000 unless PORT is set; HOST defaults to 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { MeterStore } from 'meterwall';
import { createDnsVerifier } from 'meterwall/dns';
import { createRedisStore } from 'meterwall/redis';
import { createClient } from 'redis';
import { createNewsSite, FRESH_METERS_PER_HOUR } from './app.js';

function secret(name: string): Uint8Array {
  const value = process.env[name];
  if (value) {
    const bytes = new TextEncoder().encode(value);
    if (bytes.byteLength < 32) {
      console.error(`${name} must be at least 32 bytes long.`);
      process.exit(1);
    }
    return bytes;
  }
  return randomBytes(32);
}

const missing = ['METERWALL_SECRET', 'SESSION_SECRET'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!! DEVELOPMENT SECRETS: ${missing.join(' and ')} not set.\n` +
      '!! Random secrets were generated for this run: every meter and session ends when the server stops.\n' +
      '!! Never run a real site like this. Set both to 32+ random bytes, e.g.  openssl rand -base64 32\n' +
      `${bar}\n`,
  );
}

// Meters in Redis with --redis <url> (or REDIS_URL); in this process's memory otherwise.
const flag = process.argv.indexOf('--redis');
const redisUrl = flag === -1 ? process.env['REDIS_URL'] : process.argv[flag + 1];
let store: MeterStore | undefined;
if (redisUrl) {
  // No offline queue: while Redis is down a command fails at once and meterwall's failure
  // policy answers, instead of the command running late. The error listener keeps a refused
  // connection from ending the process, and connect() is not awaited: with Redis down at start it
  // would never settle. The site serves from the first request and the client reconnects on its
  // own when Redis comes.
  const client = createClient({ url: redisUrl, disableOfflineQueue: true });
  client.on('error', (error: Error) => console.error(`[redis] ${error.message}`));
  client.connect().catch((error: Error) => console.error(`[redis] gave up connecting: ${error.message}`));
  store = createRedisStore(client);
  console.log(`Meters are kept in Redis at ${redisUrl}`);
}

// `--access-log <file>`: one JSON line per request, with what meterwall decided (for `meterwall simulate`).
const logFlag = process.argv.indexOf('--access-log');
const accessLog = logFlag === -1 ? null : createWriteStream(process.argv[logFlag + 1] ?? 'access.log', { flags: 'a' });

const port = Number(process.env['PORT'] ?? 3000);
const host = process.env['HOST'] ?? '127.0.0.1';
// The site's own origin for the links it makes (gift links, confirmation links, canonical URLs):
// SITE_ORIGIN on a real deployment; never a request's Host header.
const origin = process.env['SITE_ORIGIN'] ?? `http://localhost:${port}`;

const site = createNewsSite({
  origin,
  development: missing.length > 0,
  // The site's mail (a registration's confirmation link) is printed here: a real site sends it.
  mail: (message) => console.log(`\n[mail] To: ${message.to}\n[mail] ${message.subject}\n[mail] ${message.text}\n`),
  ...(accessLog ? { accessLog: (entry) => accessLog.write(`${JSON.stringify(entry)}\n`) } : {}),
  meterSecret: secret('METERWALL_SECRET'),
  sessionSecret: secret('SESSION_SECRET'),
  ...(store ? { store } : {}),
  // `--store-failure closed`: while the store fails, the prompt instead of the cookie's meter.
  ...(process.argv.includes('--store-failure')
    ? { storeFailure: process.argv[process.argv.indexOf('--store-failure') + 1] === 'closed' ? 'closed' : 'open' }
    : {}),
  // Googlebot and friends are confirmed by reverse and forward DNS before they see a full text.
  crawlerVerifiers: [createDnsVerifier()],
  // A browser that clears its cookies on every visit gets the register prompt sooner.
  freshMetersPerHour: FRESH_METERS_PER_HOUR,
  // `npm run example -- --experiment`: the A/B test of the anonymous limit (three or four free).
  experiment: process.argv.includes('--experiment'),
  // `--cdn`: behind a shared cache (`npm run example:cdn` puts Varnish in front): article pages by signed variant.
  cdn: process.argv.includes('--cdn'),
  // `--agent-directory URL`: a demo AI operator's Web Bot Auth key directory (agents.ts).
  ...(process.argv.includes('--agent-directory')
    ? { agentDirectory: process.argv[process.argv.indexOf('--agent-directory') + 1] as string }
    : {}),
  ...(process.env['DEBUG']?.includes('meterwall') ? { onEvent: (event) => console.log('[meterwall]', JSON.stringify(event)) } : {}),
});

// 32 KB of headers (Node's default is 16 KB): large cookie jars reach meterwall, which ignores
// oversized meter cookies rather than the server refusing the request.
const server = createServer({ maxHeaderSize: 32 * 1024 }, (req, res) => void site.handle(req, res));
server.listen(port, host, () => {
  const shown = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;
  console.log(`The Riverside Courier is running at http://${shown}:${port}/`);
  console.log('Open an article, read three, and meet the wall. Add ?debug=1 to any article to see the decision.');
  if (process.argv.includes('--agent-directory'))
    console.log(
      `AI agents signed from the key directory at ${process.argv[process.argv.indexOf('--agent-directory') + 1]} read under the site's licence; its DemoBot pays (402). Policy: /robots.txt`,
    );
  if (process.argv.includes('--experiment')) console.log('A/B test on: half of new readers get four free articles (?debug=1 says which).');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
