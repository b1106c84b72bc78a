/**
 * The Next.js example as a real app: the library built on its own (so no other test's build can
 * race it), the example copied beside it, `next build`, then `next start` on 127.0.0.1. The app
 * resolves `meterwall` through the package's `exports`, as an installed package.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();
const NEXT_BIN = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Packages the app resolves from this repository's install. */
const LINKED = ['next', 'react', 'react-dom', 'typescript', '@types/react', '@types/react-dom', '@types/node', '@upstash/redis'];

async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A built copy of examples/next, ready for `next start`. */
export interface BuiltNextApp {
  /** The app's directory. */
  readonly dir: string;
  /** What `next build` printed. */
  readonly output: string;
  /** Removes the copy. */
  remove(): void;
}

/** How to build the example: as Next 16's `proxy.ts` (as written) or as the older `middleware.ts`. */
export interface NextBuildOptions {
  /** @default 'proxy' */
  readonly entry?: 'proxy' | 'middleware';
  /** Drop the matcher's `missing` conditions, as a site merging into its own proxy.ts may (issue 24, item 6). */
  readonly withoutMissing?: boolean;
}

/**
 * Builds the library and the Next example into a scratch directory under `.tmp/`. `env` is the
 * build's environment on top of this process's (give a secret as `''` to build without it).
 */
export async function buildNextExample(env: Record<string, string>, options: NextBuildOptions = {}): Promise<BuiltNextApp> {
  const scratch = join(root, '.tmp', `next-${process.pid}-${Date.now().toString(36)}`);
  const modules = join(scratch, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  mkdirSync(join(modules, '@upstash'), { recursive: true });
  // A package scope of its own: without it, the repository's package.json (named `meterwall`,
  // with `exports`) would be the app's scope, and TypeScript would resolve `meterwall` to this
  // checkout's dist/ by self-reference instead of to the build installed below.
  writeFileSync(join(scratch, 'package.json'), '{ "private": true }\n');
  // The library, built on its own, laid out as npm would install it.
  const library = join(modules, 'meterwall');
  await sh(join(root, 'node_modules', '.bin', 'tsup'), ['--silent', '--out-dir', join(library, 'dist')], root);
  cpSync(join(root, 'package.json'), join(library, 'package.json'));
  for (const name of LINKED) symlinkSync(join(root, 'node_modules', name), join(modules, name));
  // The example with its shared stories, in the same relative layout as in the repository.
  cpSync(join(root, 'examples', 'next'), join(scratch, 'examples', 'next'), { recursive: true });
  cpSync(join(root, 'examples', 'shared'), join(scratch, 'examples', 'shared'), { recursive: true });
  const dir = join(scratch, 'examples', 'next');
  if (options.withoutMissing) {
    const proxy = readFileSync(join(dir, 'proxy.ts'), 'utf8');
    const bare = proxy.replace(/\n\s*\/\/[^\n]*\n(\s*\/\/[^\n]*\n)*\s*missing: \[[\s\S]*?\],\n/, '\n');
    if (bare === proxy || bare.includes('missing')) throw new Error('examples/next/proxy.ts: no `missing` conditions to drop');
    writeFileSync(join(dir, 'proxy.ts'), bare);
  }
  if (options.entry === 'middleware') {
    // The same file as Next 15 and earlier name it: middleware.ts exporting `middleware`.
    const proxy = readFileSync(join(dir, 'proxy.ts'), 'utf8');
    const middleware = proxy.replace('export const proxy = ', 'export const middleware = ');
    if (middleware === proxy) throw new Error('examples/next/proxy.ts no longer exports `proxy`');
    writeFileSync(join(dir, 'middleware.ts'), middleware);
    rmSync(join(dir, 'proxy.ts'));
  }
  // Turbopack reads files only under its root: the linked packages live in this repository.
  writeFileSync(
    join(dir, 'next.config.mjs'),
    `export default { turbopack: { root: ${JSON.stringify(root)} }, outputFileTracingRoot: ${JSON.stringify(root)} };\n`,
  );
  const output = await sh(process.execPath, [NEXT_BIN, 'build'], dir, { NEXT_TELEMETRY_DISABLED: '1', ...env });
  return { dir, output, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

/** A running `next start`. */
export interface NextServer {
  readonly url: string;
  /** Everything the server printed so far. */
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Starts `next start` for a built app on a free 127.0.0.1 port. */
export async function startNext(app: BuiltNextApp, env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app.dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next start did not start: ${output}`)), 30_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`next start exited (${code}): ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
