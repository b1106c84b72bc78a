/**
 * Starts `varnishd` in the foreground with the shipped VCL (default.vcl), its backend pointed at
 * an origin on 127.0.0.1, listening on 127.0.0.1:`port`; for `npm run example:cdn` and the tests.
 * Its working folder and the VCL copy live in a temporary folder removed by `stop()`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VCL = new URL('./default.vcl', import.meta.url);

/** Where `varnishd` is (`VARNISHD` when set, else PATH, then Debian's /usr/sbin), or `null`. */
export function varnishdPath(): string | null {
  const candidates = process.env['VARNISHD'] ? [process.env['VARNISHD']] : ['varnishd', '/usr/sbin/varnishd'];
  for (const candidate of candidates) {
    try {
      return execFileSync('/bin/sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).trim() || null;
    } catch {}
  }
  return null;
}

export interface RunningVarnish {
  readonly url: string;
  /** Its working folder (`-n`), which names its processes. */
  readonly workdir: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** The shipped VCL with its backend at `originPort`. */
export function vclFor(originPort: number): string {
  const vcl = readFileSync(VCL, 'utf8');
  const pointed = vcl.replace(/(\.port = ")\d+(";)/, `$1${originPort}$2`);
  if (pointed === vcl && !vcl.includes(`.port = "${originPort}"`)) throw new Error('default.vcl has no backend port to set');
  return pointed;
}

export async function startVarnish(options: {
  readonly originPort: number;
  readonly port: number;
  readonly binary?: string;
  /** Cache storage, MB (64 by default). */
  readonly storageMb?: number;
}): Promise<RunningVarnish> {
  const binary = options.binary ?? varnishdPath();
  if (binary === null) throw new Error('varnishd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'meterwall-varnish-'));
  chmodSync(dir, 0o755); // varnishd drops to its own user when started as root
  const vcl = join(dir, 'default.vcl');
  writeFileSync(vcl, vclFor(options.originPort), { mode: 0o644 });
  const child = spawn(
    binary,
    [
      '-F',
      '-n',
      join(dir, 'work'),
      '-a',
      `127.0.0.1:${options.port}`,
      '-f',
      vcl,
      '-s',
      `malloc,${options.storageMb ?? 64}m`,
      '-T',
      'none',
      '-p',
      'default_grace=0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`varnishd exited (${child.exitCode}): ${output}`);
    }
    if (await listening(options.port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`varnishd did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${options.port}`, workdir: join(dir, 'work'), child, stop };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
