import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandPath } from './helpers-binaries.js';

/** The redis-server binary on PATH, or `null`. */
export function redisServerPath(): string | null {
  return commandPath('redis-server');
}

/** A free port on 127.0.0.1 (closed again: the caller binds it). */
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

/** Starts redis-server with `args` and resolves once it accepts connections (10 s at most). */
function spawnRedisServer(binary: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise<ChildProcess>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${output}`));
    });
  });
}

/** A redis-server of the test's own on a free 127.0.0.1 port, persisting every write (AOF, fsync always). */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

export async function startRedis(binary: string): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'meterwall-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = await spawnRedisServer(binary, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--protected-mode',
      'yes',
    ]);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    // Gone already: exited, or killed by a signal (then `exitCode` stays null and `exit` has fired).
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of the test's own: three masters on free 127.0.0.1 ports, joined by redis-cli. */
export interface TestRedisCluster {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(binary: string, cli: string): Promise<TestRedisCluster> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'meterwall-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      ports.map(async (port) => {
        children.push(
          await spawnRedisServer(binary, [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
          ]),
        );
      }),
    );
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`redis-cli ${args.join(' ')}: ${output}`))));
      });
    await run(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    // Wait until every node sees the whole cluster (all 16384 slots served).
    for (let attempt = 0; ; attempt++) {
      const states = await Promise.all(ports.map((p) => run(['-p', String(p), 'cluster', 'info'])));
      if (states.every((s) => s.includes('cluster_state:ok'))) break;
      if (attempt > 100) throw new Error(`the cluster did not settle: ${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}
