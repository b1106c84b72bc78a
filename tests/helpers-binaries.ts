import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** Where a command is on PATH, or `null` when it is not installed (tests that need it are then skipped, with the reason). */
export function commandPath(name: string): string | null {
  try {
    const path = execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return path === '' ? null : path;
  } catch {
    return null;
  }
}

/**
 * Starts an example server (`binary args…` in `cwd`, with `env` over this process's) and resolves
 * with the child and the URL it prints as `listening on http://127.0.0.1:<port>` (30 s at most).
 */
export function startListening(
  binary: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): { readonly child: ChildProcess; readonly url: Promise<string> } {
  const child = spawn(binary, [...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${output}`)));
  });
  return { child, url };
}
