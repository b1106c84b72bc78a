import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS } from '../../scripts/budgets.mjs';
import { snippetsOf } from '../docs/snippets.js';

const run = promisify(execFile);
const root = process.cwd();
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
/** The package's entry points, as package.json's exports declare them (`meterwall`, `meterwall/node`…). */
const ENTRY_POINTS = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports,
)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'meterwall' : `meterwall/${key.slice(2)}`));
let scratch: string;
let tarball: string;

/** Runs a command in the repository and returns its output; a failure fails the test with it. */
async function sh(command: string, args: string[], cwd = root): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

beforeAll(async () => {
  // The packed package is what users install: build it, then pack it.
  await sh(bin('tsup'), ['--silent']);
  scratch = mkdtempSync(join(tmpdir(), 'meterwall-pack-'));
  const packed = await sh('npm', ['pack', '--pack-destination', scratch, '--silent', '--ignore-scripts']);
  tarball = join(scratch, packed.trim().split('\n').at(-1) as string);
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the published package', () => {
  it('passes publint --strict', async () => {
    expect(await sh(bin('publint'), ['--strict'])).toContain('All good');
  }, 60_000);

  it('passes @arethetypeswrong/cli (node16 ESM and CJS, bundler) for every entry point', async () => {
    const out = await sh(bin('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped']);
    // attw exits non-zero on a problem; node10 (no exports maps) is ignored by the node16 profile.
    expect(out).not.toMatch(/❌|⚠️|Masquerad|FalseCJS|FalseESM/);
    expect(out.match(/🟢/g)?.length).toBeGreaterThanOrEqual(12 * 3);
    for (const entry of ENTRY_POINTS) {
      expect(out).toContain(`"${entry}"`);
    }
  }, 120_000);

  it(`keeps what an edge function ships within budget: deciding ${BUDGETS.decideKB} KB, rendering ${BUDGETS.renderKB} KB (esbuild, minified, gzipped)`, async () => {
    const { measureBundles } = await import('../../scripts/bundle-size.mjs');
    const sizes = await measureBundles();
    // 30 and 40 KB until lru-cache and cookie (issue 24, item 1), which the issue allowed up to 40
    // KB for deciding.
    expect(sizes.decide.gzip).toBeLessThanOrEqual(BUDGETS.decideKB * 1024);
    expect(sizes.render.gzip).toBeLessThanOrEqual(BUDGETS.renderKB * 1024);
    // Deciding carries no part of the renderer (no HTML entities, no tokenizer), and without a
    // session (defineSession) no jose.
    expect(Object.keys(sizes.decide.inputs).sort()).toEqual(['cookie', 'isbot', 'lru-cache', 'meterwall']);
  }, 60_000);

  // 200 KiB until gift links (issue 17) took it to 217 kB, and the `meterwall` command (simulate,
  // inspect; issue 18) to 239 kB: the ESM and the CommonJS builds each carry every library feature,
  // readable and unminified (minifying saved only 22 kB), and the README documents all of it.
  // 280 KiB since the command carries uPlot's script inlined for its HTML report (issue 24: 23 kB
  // packed, where the uplot package was 560 kB installed for every site). 300 KiB since issue 25:
  // the access log fields a replay needs (core) and the simulator's inputs and formats (the
  // command), 8 kB packed. 310 KiB since issue 26's stores at the edge (`meterwall/upstash`,
  // `meterwall/durable-objects` and `meterwall/deno-kv`, each its own entry in both builds) and
  // issue 25's single pass of the simulator (chunks, shards): 301.5 kB packed before them, 315.4 kB
  // after. 340 KiB since issue 28's `meterwall/agents` (Web Bot Auth, the key directories, the
  // policy: 24 kB in each build) and agents in the access log and the simulator's replay: 332.1
  // KiB packed in all); a paywall without agents ships none of
  // it to an edge function (the deciding bundle grew 0.6 KB for the contract's hooks). Growth past
  // this budget is a decision, not a drift.
  it(`ships no source maps, and the tarball stays small (under ${BUDGETS.tarballKiB} KiB packed)`, async () => {
    const [pack] = JSON.parse(await sh('npm', ['pack', '--dry-run', '--json', '--silent', '--ignore-scripts'])) as Array<{
      size: number;
      unpackedSize: number;
      files: Array<{ path: string }>;
    }>;
    expect(pack?.files.filter((f) => f.path.endsWith('.map'))).toEqual([]);
    expect(pack?.size).toBeLessThanOrEqual(BUDGETS.tarballKiB * 1024);
  }, 60_000);

  it('compiles the core with no Node types (types: [], lib: ES2022 + DOM)', async () => {
    await sh(bin('tsc'), ['--noEmit', '-p', 'tsconfig.core.json']);
  }, 60_000);

  describe('installed from the tarball', () => {
    let app: string;

    beforeAll(async () => {
      app = join(scratch, 'app');
      const modules = join(app, 'node_modules');
      mkdirSync(join(modules, 'meterwall'), { recursive: true });
      await sh('tar', ['-xzf', tarball, '-C', join(modules, 'meterwall'), '--strip-components=1']);
      // Its dependencies (and the optional framework peers) come from this repository's install;
      // not uPlot, which the command carries inlined (issue 24, item 1): its report must work
      // without it.
      for (const name of readdirSync(join(root, 'node_modules'))) {
        if (name === 'meterwall' || name === '.bin' || name === 'uplot') continue;
        symlinkSync(join(root, 'node_modules', name), join(modules, name));
      }
    }, 60_000);

    const script = `
      const paywall = mw.createPaywall({ secret: 'package-test-secret-0123456789-abcdef' });
      const d = await paywall.decide({ method: 'GET', url: '/a', headers: new Headers() }, { id: 'a' });
      const teaser = mw.cutTeaser('<p>a</p><p>b</p><p>c</p>');
      const names = [node.decideNode, redis.createRedisStore, upstash.createUpstashStore, durableObjects.createDurableObjectStore, denoKv.createDenoKvStore, dns.createDnsVerifier, express.meterwall, fastify.meterwall, hono.meterwall, next.meterwall, mw.isMeterwallError].map((f) => typeof f);
      const aliases = fastify.meterwallPlugin === fastify.meterwall && next.paywallMiddleware === next.meterwall;
      console.log(JSON.stringify({ access: d.access, reason: d.reason, cookie: d.headers.get('set-cookie') !== null, teaser, names, aliases }));`;
    const expected = {
      access: 'full',
      reason: 'metered',
      cookie: true,
      teaser: '<p>a</p><p>b</p>',
      names: Array(11).fill('function'),
      aliases: true,
    };
    /** A subpath as a variable name (`durable-objects` → `durableObjects`). */
    const name = (subpath: string) => subpath.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const subpaths = ENTRY_POINTS.filter((entry) => entry !== 'meterwall').map((entry) => entry.slice('meterwall/'.length));

    it('imports as ESM', async () => {
      const imports = `import * as mw from 'meterwall'; ${subpaths.map((s) => `import * as ${name(s)} from 'meterwall/${s}';`).join(' ')}`;
      const out = await sh(process.execPath, ['--input-type=module', '-e', `${imports} ${script}`], app);
      expect(JSON.parse(out.trim().split('\n').at(-1) as string)).toEqual(expected);
    }, 60_000);

    it('requires as CommonJS', async () => {
      const requires = `const mw = require('meterwall'); ${subpaths.map((s) => `const ${name(s)} = require('meterwall/${s}');`).join(' ')}`;
      const out = await sh(process.execPath, ['-e', `${requires} (async () => { ${script} })()`], app);
      expect(JSON.parse(out.trim().split('\n').at(-1) as string)).toEqual(expected);
    }, 60_000);

    // Issue 24, item 2: a Bun.serve app with strict tsc and no DOM failed on meterwall's own .d.ts.
    it.each([
      [
        'strict, skipLibCheck false, lib ES2022 and @types/node only (no DOM)',
        { lib: ['ES2022'], types: ['node'] },
        // Every entry point but Next's (its types take the DOM's).
        ENTRY_POINTS.filter((entry) => entry !== 'meterwall/next'),
      ],
      [
        'strict, skipLibCheck false, lib ES2022 and DOM, no @types/node',
        { lib: ['ES2022', 'DOM'], types: [] },
        // The stores on Web APIs compile without Node's types too (issue 26).
        [
          'meterwall',
          'meterwall/hono',
          'meterwall/redis',
          'meterwall/upstash',
          'meterwall/durable-objects',
          'meterwall/deno-kv',
          'meterwall/agents',
        ],
      ],
    ])(
      'its declarations compile in a consumer: %s',
      async (name, options, entries) => {
        const slug = options.types.length === 0 ? 'dom' : 'node';
        const file = `consumer-${slug}.ts`;
        writeFileSync(
          join(app, file),
          `${entries.map((entry, i) => `import * as m${i} from '${entry}';`).join('\n')}
import type { Decision, PaywallOptions, SessionKey } from 'meterwall';
export const modules = [${entries.map((_, i) => `m${i}`).join(', ')}];
export const key: SessionKey = { publicKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } };
export type Checked = [Decision, PaywallOptions];
`,
        );
        writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
        const compilerOptions = {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          exactOptionalPropertyTypes: true,
          ...options,
        };
        writeFileSync(join(app, `tsconfig.${slug}.json`), JSON.stringify({ compilerOptions, files: [file] }));
        await sh(bin('tsc'), ['-p', join(app, `tsconfig.${slug}.json`)], app).catch((error: Error) => {
          throw new Error(`${name}: ${error.message}`);
        });
      },
      120_000,
    );

    // Issue 24, item 8: the block, saved as a vitest file, once failed with "No test suite found".
    it('runs the README’s "Testing your integration" block as a vitest file', async () => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Testing your integration'));
      const [block] = snippetsOf('README.md', section.slice(0, section.indexOf('\n## ', 3)));
      writeFileSync(join(app, 'meter.test.ts'), block?.code ?? '');
      // A clean environment: no variable of the vitest running this test leaks into the child.
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|TEST$|NODE_OPTIONS$)/.test(name)));
      const { stdout } = await run(bin('vitest'), ['run', 'meter.test.ts', '--root', app, '--reporter', 'verbose', '--no-color'], {
        cwd: app,
        env,
      });
      expect(stdout).toMatch(/✓ meter\.test\.ts > gives three free articles a month, then asks the reader to register/);
      expect(stdout).toMatch(/Tests\s+1 passed \(1\)/);
    }, 120_000);

    it('runs its command (package.json bin): simulate with an HTML report, and inspect', async () => {
      const pkg = JSON.parse(readFileSync(join(app, 'node_modules/meterwall/package.json'), 'utf8')) as { bin: Record<string, string> };
      const command = join(app, 'node_modules/meterwall', pkg.bin['meterwall'] as string);
      writeFileSync(
        join(app, 'log.jsonl'),
        '{"time":"2026-11-02T10:00:00Z","reader":"r1","url":"/a/1"}\n{"time":"2026-11-02T10:01:00Z","reader":"r1","url":"/a/2"}\n',
      );
      writeFileSync(
        join(app, 'config.mjs'),
        'export default { options: { meters: { anonymous: { limit: 1 } } }, article: (url) => ({ id: url.pathname }) };\n',
      );
      const out = await sh(process.execPath, [command, 'simulate', 'log.jsonl', '--config', 'config.mjs', '--html', 'report.html'], app);
      expect(out).toMatch(/article views\s+2/);
      expect(readFileSync(join(app, 'report.html'), 'utf8')).toContain('uPlot');
      const usage = await sh(process.execPath, [command, '--help'], app);
      expect(usage).toContain('meterwall simulate <access log>');
    }, 60_000);
  });
});
