// The example news site for the load bench: in-memory store, listening on 127.0.0.1 only.
// Run by bench/load.mjs as a child process (node --import tsx --expose-gc). Answers IPC:
// 'readers' → prepares returning readers; { simulate: n } → n more readers decided in-process,
// replying with memory use; 'stop'.
import { createServer } from 'node:http';
import { createNewsSite } from '../examples/news-site/app.js';
import { ARTICLES } from '../examples/news-site/articles.js';

const site = createNewsSite({
  meterSecret: 'load-bench-meter-secret-0123456789-abcd',
  sessionSecret: new TextEncoder().encode('load-bench-session-secret-0123456789-ab'),
  freshMetersPerHour: 1_000_000,
});
const slugs = ARTICLES.filter((a) => a.access !== 'subscribers').map((a) => a.slug);
const server = createServer((req, res) => void site.handle(req, res));
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));

let simulated = 0;
function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { readers: simulated, rssMb: Math.round(m.rss / 1048576), heapUsedMb: Math.round(m.heapUsed / 1048576) };
}

process.on('message', async (message: unknown) => {
  if (message === 'stop') return server.close(() => process.exit(0));
  if (message === 'memory') return process.send?.(memory());
  const { simulate } = message as { simulate: number };
  // Simulated new readers, decided in-process (HTTP would only add parsing): each gets a fresh
  // meter, is counted, signed, cached, and leaves a fresh-meter count in
  // the store. Their addresses spread over many networks.
  for (let i = 0; i < simulate; i++, simulated++) {
    const ip = `10.${(simulated >> 16) & 255}.${(simulated >> 8) & 255}.${simulated & 255}`;
    await site.paywall.decide(
      { method: 'GET', url: '/', headers: { get: () => null } },
      { id: slugs[simulated % slugs.length] as string },
      { ip },
    );
  }
  process.send?.(memory());
});
