/**
 * The size figures README and docs quote come from what measures them (issue 24, item 8): the
 * budgets from scripts/budgets.mjs (which the package test enforces), the sizes and each
 * dependency's weight from bench/README.md (which `npm run bench` writes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS } from '../../scripts/budgets.mjs';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const readme = read('README.md');
/** Prose with its line breaks as spaces. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');
const frameworks = flat(read('docs/frameworks.md'));
const bench = read('bench/README.md');

/** bench/README.md's row for this build's bundle: its gzipped size and each dependency's weight. */
function measured(bundle: 'deciding' | 'rendering'): { total: string; dependencies: Map<string, string> } {
  const row = bench.split('\n').find((line) => line.startsWith(`| ${bundle}:`) && line.includes('| this build |'));
  if (row === undefined) throw new Error(`bench/README.md has no row for this build's ${bundle} bundle`);
  const cells = row.split('|').map((cell) => cell.trim());
  const total = /\*\*([\d.]+) KB\*\*/.exec(row)?.[1] as string;
  const dependencies = new Map(
    [...(cells.at(-2) as string).matchAll(/([a-z][\w-]*) ([\d.]+) KB/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  return { total, dependencies };
}

describe('the size figures in README and docs', () => {
  it('quote the budgets the package test enforces', () => {
    expect(flat(readme)).toContain(`(budget ${BUDGETS.decideKB} KB)`);
    expect(flat(readme)).toContain(`(budget ${BUDGETS.renderKB} KB)`);
    expect(frameworks).toContain(`**at most ${BUDGETS.decideKB} KB**`);
    expect(frameworks).toContain(`**at most ${BUDGETS.renderKB} KB**`);
    expect(frameworks).toContain(`**at most ${BUDGETS.tarballKiB} KiB**`);
    expect(bench).toContain(`Budgets: deciding ${BUDGETS.decideKB} KB, rendering ${BUDGETS.renderKB} KB`);
  });

  it('quote the sizes and dependency weights bench/README.md measured', () => {
    const deciding = measured('deciding');
    const rendering = measured('rendering');
    expect(flat(readme)).toContain(`The deciding bundle is ${deciding.total} KB gzipped in all`);
    expect(flat(readme)).toContain(`the rendering one ${rendering.total} KB`);
    const table = readme.slice(readme.indexOf('## Dependencies'), readme.indexOf('## License'));
    const rows = table.split('\n').filter((line) => /^\| `[\w-]+` \|/.test(line));
    expect(rows.map((row) => /^\| `([\w-]+)`/.exec(row)?.[1]).sort()).toEqual(
      Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies).sort(),
    );
    for (const row of rows) {
      const cells = row.split('|').map((cell) => cell.trim());
      const name = (cells[1] as string).replaceAll('`', '');
      for (const [cell, bundle] of [
        [cells[4] as string, deciding],
        [cells[5] as string, rendering],
      ] as const) {
        const weight = bundle.dependencies.get(name);
        if (weight === undefined) expect(cell, `${name}: not in the bundle`).toMatch(/^none/);
        else expect(cell, name).toBe(`${weight} KB`);
      }
    }
  });

  it("quote the cache's figures bench/README.md measured (npm run bench:cdn)", () => {
    const block = bench.slice(bench.indexOf('<!-- cdn:start -->'), bench.indexOf('<!-- cdn:end -->'));
    const renders = /\| behind Varnish[^|]*\| \d+ \| ([\d.]+) \|/.exec(block)?.[1] as string;
    const ratio = /\*\*([\d.]+)×\*\*/.exec(block)?.[1] as string;
    const network = flat(read('docs/network.md'));
    expect(network).toContain(`**${Number(renders)} pages per 1,000 article views**`);
    expect(network).toContain(`was ${ratio}× the origin alone`);
  });

  it("quote the agents' figures bench/README.md measured (npm run bench:agents)", () => {
    const block = bench.slice(bench.indexOf('<!-- agents:start -->'), bench.indexOf('<!-- agents:end -->'));
    const person = /with `agents` \| [\d.]+ µs \| \*\*([\d.]+)×\*\*/.exec(block)?.[1] as string;
    const cached = /directory cached[^|]*\| ([\d.]+) µs/.exec(block)?.[1] as string;
    const cold = /directory cold[^|]*\| ([\d.]+) µs/.exec(block)?.[1] as string;
    const agents = flat(read('docs/agents.md'));
    expect(agents).toContain(`takes **${person}×** the time`);
    expect(agents).toContain(`took **${cached} µs** with the key directory cached`);
    expect(agents).toContain(`and **${cold} µs** cold`);
  });
});
