// A node:http server serving a fixed 6 KB article: bare (its own Cache-Control and Vary), and
// with decideNode() per request, the article id taken from the path (/articles/<id>). Started as
// a child process so the server and autocannon do not share a thread; listens on 127.0.0.1 only.
// Usage: node bench/server.mjs <bare|bare-cookie|meterwall> → prints "ready <port> <cookie>", the
// cookie of a reader who has read /articles/tram. `bare-cookie` is the bare server answering every
// request with a Set-Cookie as long as meterwall's for a reader midway through a counted run (ten
// articles read): the bare server for the traffic where meterwall sets a cookie, so the load
// generator does the same work against both and the difference is decideNode() alone.
import { createServer } from 'node:http';
import { createPaywall } from '../dist/index.js';
import { decideNode } from '../dist/adapters/node.js';

const mode = process.argv[2];
const paragraph =
  '<p>The council voted on Tuesday to extend the tram line across the river, ending a decade of ' +
  'argument over the route. Supporters said the line would cut journey times for commuters by a ' +
  'third, while opponents warned of disruption to the market square during construction.</p>\n';
const ARTICLE = `<article><h1>Tram line to cross the river</h1>\n${paragraph.repeat(24)}</article>`.slice(0, 6144);
const TEASER = ARTICLE.slice(0, 800);

// A limit high enough that a counted-view run never runs a reader out (see http.mjs).
const paywall = createPaywall({
  secret: 'bench-secret-0123456789-abcdefghijk',
  meters: { anonymous: { limit: 50 }, registered: { limit: 50 } },
});
// A returning reader: one read article, re-opened on every request. Both servers receive the
// same request, cookie included, so the difference is decideNode() alone.
const first = await paywall.decide({ method: 'GET', url: '/articles/tram', headers: new Headers() }, { id: 'tram' });
const cookie = first.headers.get('set-cookie').split(';')[0];
let midway = first;
for (let i = 0; i < 10; i++) {
  const headers = new Headers({ cookie: midway.headers.get('set-cookie').split(';')[0] });
  midway = await paywall.decide({ method: 'GET', url: `/articles/m${i}`, headers }, { id: `m${i}` });
}
const SET_COOKIE = midway.headers.get('set-cookie');

const server = createServer(
  mode === 'bare' || mode === 'bare-cookie'
    ? (_req, res) => {
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('Vary', 'Cookie');
        if (mode === 'bare-cookie') res.setHeader('Set-Cookie', SET_COOKIE);
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(ARTICLE);
      }
    : async (req, res) => {
        const decision = await decideNode(paywall, req, res, { id: req.url.slice(10) });
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(decision.access === 'full' ? ARTICLE : TEASER);
      },
);
server.listen(0, '127.0.0.1', () => {
  console.log(`ready ${server.address().port} ${cookie}`);
});
process.on('message', (m) => {
  if (m === 'cpu') return process.send(process.cpuUsage());
  if (m === 'stop') server.close(() => process.exit(0));
});
