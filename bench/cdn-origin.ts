// The example site as an origin for bench/cdn.ts, in its own process (the bench pins it to a
// core): `--cdn` for the origin behind Varnish, plain for the origin alone. It prints its URL, and
// `GET /__bench/renders` (on this process only, not through the cache) answers how many article
// pages it rendered since the last ask.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNewsSite } from '../examples/news-site/app.js';

const cdn = process.argv.includes('--cdn');
let renders = 0;
let site: ReturnType<typeof createNewsSite> | undefined;
const server = createServer((req, res) => {
  if (req.url === '/__bench/renders') {
    res.end(String(renders));
    renders = 0;
    return;
  }
  if (/^\/articles\/[a-z0-9-]+(\?|$)/.test(req.url ?? '')) renders++;
  void site?.handle(req, res);
});
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site = createNewsSite({
    meterSecret: 'bench-cdn-meter-secret-0123456789-abcdef',
    sessionSecret: new TextEncoder().encode('bench-cdn-session-secret-0123456789-ab'),
    origin: url,
    mail: () => {},
    cdn,
  });
  console.log(`listening on ${url}`);
});
