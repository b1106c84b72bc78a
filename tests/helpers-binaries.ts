import { execFileSync } from 'node:child_process';

/** Where a command is on PATH, or `null` when it is not installed (tests that need it are then skipped, with the reason). */
export function commandPath(name: string): string | null {
  try {
    const path = execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return path === '' ? null : path;
  } catch {
    return null;
  }
}
