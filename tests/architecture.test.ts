/**
 * The house rules, checked on the source: layers import only downwards (or within their own
 * layer), and no module imports itself back through a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** From the ground floor up; a module may import its own layer or any below it. */
const LAYERS: ReadonlyArray<readonly [name: string, test: (file: string) => boolean]> = [
  ['util, runtime primitives, errors', (f) => f.startsWith('util/') || f.startsWith('runtime/') || f === 'errors.ts'],
  ['types', (f) => f === 'types.ts'],
  ['options', (f) => f.startsWith('options/')],
  ['contracts (what features plug in through)', (f) => f.startsWith('contracts/')],
  ['content, stores, agents (Web Bot Auth)', (f) => f.startsWith('content/') || f.startsWith('stores/') || f.startsWith('agents/')],
  ['core model and tokens', (f) => f.startsWith('core/') && !f.startsWith('core/decide/') && f !== 'core/paywall.ts'],
  ['core/decide (the stages)', (f) => f.startsWith('core/decide/')],
  ['features (rules, experiments, sessions, gifts)', (f) => f.startsWith('features/')],
  ['core/paywall, crawlers', (f) => f === 'core/paywall.ts' || f.startsWith('crawlers/')],
  ['adapters, entry', (f) => f.startsWith('adapters/') || f === 'index.ts'],
  ['cli', (f) => f.startsWith('cli/')],
];

function layerOf(file: string): number {
  const index = LAYERS.findIndex(([, test]) => test(file));
  if (index === -1) throw new Error(`${file} belongs to no layer`);
  return index;
}

const all = files('.').map((f) => f.split('\\').join('/'));
const imports = new Map(
  all.map((file) => {
    const source = readFileSync(join(root, file), 'utf8');
    const targets = [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)\.js'/g)].map((m) =>
      relative(root, normalize(join(root, dirname(file), `${m[1]}.ts`)))
        .split('\\')
        .join('/'),
    );
    return [file, targets] as const;
  }),
);

describe('the architecture', () => {
  it('every module lies in a layer, and every relative import resolves to a module', () => {
    for (const file of all) layerOf(file);
    const missing = [...imports].flatMap(([file, targets]) => targets.filter((t) => !all.includes(t)).map((t) => `${file} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('layers import only downwards', () => {
    const upwards = [...imports].flatMap(([file, targets]) =>
      targets
        .filter((t) => layerOf(t) > layerOf(file))
        .map((t) => `${file} (${LAYERS[layerOf(file)]?.[0]}) imports ${t} (${LAYERS[layerOf(t)]?.[0]})`),
    );
    expect(upwards).toEqual([]);
  });

  it('no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of all) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('the engine reaches features only through their contracts: nothing in core imports features/', () => {
    const reaching = [...imports].flatMap(([file, targets]) =>
      file.startsWith('core/') || file.startsWith('contracts/')
        ? targets.filter((t) => t.startsWith('features/')).map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(reaching).toEqual([]);
  });

  it('no cast through unknown in core, contracts or features (features plug in through typed contracts)', () => {
    const casts = all.filter(
      (file) => /^(core|contracts|features)\//.test(file) && /as unknown as/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(casts).toEqual([]);
  });

  it('each promise has one enforcement point: the meter cookie is signed, the policy asked and the origin headers read in one module each', () => {
    const callers = (pattern: RegExp) => all.filter((file) => pattern.test(readFileSync(join(root, file), 'utf8'))).sort();
    // Every meter the server writes passes the fresh-meter cap in the one writer.
    expect(callers(/\bctx\.tokens\.sign\(/)).toEqual(['core/decide/meter-cookie.ts']);
    // Every grant is the policy's, asked by the stages (and by the policy itself for a gift's giver).
    expect(callers(/\bevaluatePolicy\(/)).toEqual(['core/decide/policy.ts', 'core/decide/stages.ts']);
    // Where a request comes from is read through the one trusted-hop reader.
    expect(callers(/headers\.get\((?:proxy\.|header\)|'x-forwarded-for'|'forwarded'|'cf-ipcountry')/)).toEqual([
      'core/decide/client-address.ts',
    ]);
  });

  it('no source file over 300 lines unless its header says why', () => {
    const long = all.filter((file) => {
      const source = readFileSync(join(root, file), 'utf8');
      return source.split('\n').length > 300 && !/^\/\*\*[\s\S]*?Over 300 lines:/.test(source);
    });
    expect(long).toEqual([]);
  });

  // Issue 24, item 10: three files of src/content were over 400 lines, and cutter.ts redefined
  // the parser's element sets with other members.
  it('src/content: no file over 400 lines, and the parser’s element categories defined once (html/elements.ts)', () => {
    const content = all.filter((file) => file.startsWith('content/'));
    expect(content.filter((file) => readFileSync(join(root, file), 'utf8').split('\n').length > 400)).toEqual([]);
    const redefined = content.filter(
      (file) =>
        file !== 'content/html/elements.ts' &&
        /\bconst (?:CLOSES_P|ENDS_P|HEADINGS?|IMPLIED_END|VOID|SCOPE|P_SCOPE|SPECIAL|WRITTEN_SPECIAL|FORMATTING)\b/.test(
          readFileSync(join(root, file), 'utf8'),
        ),
    );
    expect(redefined).toEqual([]);
  });
});
