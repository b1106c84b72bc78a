/**
 * `npm run example:cdn`: the example news site behind Varnish. The site runs as the origin
 * (`--cdn`: article pages by signed variant) on 127.0.0.1:ORIGIN_PORT (3001), Varnish with
 * default.vcl in front on PORT (8080); open the URL it prints. Every article response says
 * `X-Cache: HIT` or `MISS`. Other arguments go to the site (`--redis URL`, `--experiment`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startVarnish, varnishdPath } from './varnish.js';

const binary = varnishdPath();
if (binary === null) {
  console.error(
    'npm run example:cdn needs varnishd (Varnish 7), which is not installed. Install it (Debian/Ubuntu: sudo apt-get install varnish; macOS: brew install varnish), or set VARNISHD to its path.',
  );
  process.exit(1);
}

const port = Number(process.env['PORT'] ?? 8080);
const originPort = Number(process.env['ORIGIN_PORT'] ?? 3001);
const site = fileURLToPath(new URL('../news-site/server.ts', import.meta.url));
const origin = spawn(process.execPath, ['--import', 'tsx', site, '--cdn', ...process.argv.slice(2)], {
  env: {
    ...process.env,
    PORT: String(originPort),
    HOST: '127.0.0.1',
    SITE_ORIGIN: process.env['SITE_ORIGIN'] ?? `http://localhost:${port}`,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const started = new Promise<void>((resolve, reject) => {
  let output = '';
  origin.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    // The site's own lines, except its URL: readers go through Varnish.
    process.stdout.write(text.replace(/^The Riverside Courier is running at .*\n/m, ''));
    if (output.includes('is running at')) resolve();
  });
  origin.once('exit', (code) => reject(new Error(`the site exited (${code})`)));
});

try {
  await started;
  const varnish = await startVarnish({ originPort, port, binary });
  console.log(`The Riverside Courier behind Varnish is running at http://localhost:${port}/`);
  console.log(`(origin on 127.0.0.1:${originPort}; article pages say X-Cache: HIT or MISS)`);
  const stop = async () => {
    await varnish.stop();
    origin.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  varnish.child.once('exit', (code) => {
    console.error(`varnishd exited (${code})`);
    origin.kill('SIGTERM');
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  origin.kill('SIGTERM');
  process.exit(1);
}
