/**
 * The simulator's temporary folders (spilled partitions, decisions written per thread): made in
 * the `--tmp` folder, removed when the run ends, and also when the command is interrupted (Ctrl-C,
 * SIGTERM), where a `finally` never runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const open = new Set<string>();

/** A new folder of this run's in `parent` (the system's temporary folder by default). */
export function scratchDir(parent: string = tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'meterwall-simulate-'));
  open.add(dir);
  return dir;
}

/** Removes a folder `scratchDir` made. */
export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  open.delete(dir);
}

/** For the command: on SIGINT or SIGTERM, remove every folder still open, then exit as interrupted (130, 143). */
export function removeScratchOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    process.once(signal, () => {
      for (const dir of open) rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`\nmeterwall simulate: interrupted; its temporary files are removed.\n`);
      process.exit(code);
    });
}
