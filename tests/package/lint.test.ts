/** The repository is formatted and linted with Biome: `npx biome check --write .` fixes what it can. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('biome ci: formatting and lint rules hold on every file', async () => {
  const run = promisify(execFile);
  const result = await run(join(root, 'node_modules', '.bin', 'biome'), ['ci', '--colors=off', '.'], { cwd: root }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  expect(result.ok, result.output.slice(0, 4000)).toBe(true);
}, 60_000);
