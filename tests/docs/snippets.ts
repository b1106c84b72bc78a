/**
 * The TypeScript code blocks of the README and of docs/, as files to compile: each block becomes
 * a module of its own. A block may be preceded by an HTML comment that gives it context the
 * reader does not need to see (the way rustdoc hides lines), e.g.
 * `<!-- ts-context: import type { NextRequest } from 'next/server'; declare const request: NextRequest; -->`;
 * everything else a block uses is in `snippet-globals.d.ts` or must be in the block itself.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

export interface Snippet {
  /** The Markdown file, relative to the repository. */
  readonly file: string;
  /** The line of the block's first code line in that file (1-based). */
  readonly line: number;
  /** The hidden context, prepended to the code. */
  readonly context: string;
  readonly code: string;
}

const CONTEXT = /^<!--\s*ts-context:\s*([\s\S]*?)-->\s*$/;

/** The Markdown files whose snippets are compiled: the README and every guide in docs/. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** Every ```ts / ```typescript block of a Markdown text. */
export function snippetsOf(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|tsx)\s*$/.exec(lines[i] as string);
    if (!open) {
      if (/^```/.test(lines[i] as string)) {
        // Skip any other fenced block whole, so a ``` inside it is not taken for an opening.
        i++;
        while (i < lines.length && !/^```\s*$/.test(lines[i] as string)) i++;
      }
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] as string)) end++;
    // The context comment may sit on the line right above the fence (blank lines allowed).
    let above = i - 1;
    while (above >= 0 && (lines[above] as string).trim() === '') above--;
    const context = above >= 0 ? (CONTEXT.exec(lines[above] as string)?.[1]?.trim() ?? '') : '';
    found.push({ file, line: start + 1, context, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return found;
}

/** The module a snippet compiles as: its context on the first line (so code lines keep their offsets), then the code. */
export function moduleOf(snippet: Snippet): string {
  return `${snippet.context} export {};\n${snippet.code}\n`;
}

/** All snippets of the repository's documentation. */
export function allSnippets(root: string): Snippet[] {
  return documentationFiles(root).flatMap((file) => snippetsOf(file, readFileSync(join(root, file), 'utf8')));
}

const run = promisify(execFile);

const ENTRIES = ['', 'node', 'redis', 'dns', 'express', 'fastify', 'hono', 'next'] as const;
const TYPES: Record<(typeof ENTRIES)[number], string> = {
  '': 'index',
  node: 'adapters/node',
  redis: 'stores/redis',
  dns: 'crawlers/dns',
  express: 'adapters/express',
  fastify: 'adapters/fastify',
  hono: 'adapters/hono',
  next: 'adapters/next',
};

/** Builds the package's declarations (tsup, dts only, as `npm run build` makes them) into `scratch`. */
export async function buildDeclarations(root: string, scratch: string): Promise<void> {
  mkdirSync(scratch, { recursive: true });
  await run(join(root, 'node_modules', '.bin', 'tsup'), ['--silent', '--dts-only', '--out-dir', join(scratch, 'dist')], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
  });
  cpSync(join(root, 'tests', 'docs', 'snippet-globals.d.ts'), join(scratch, 'snippet-globals.d.ts'));
}

/** The repository's compiler options with `meterwall` resolved to the built declarations. */
function compilerOptions(root: string, scratch: string): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const paths: Record<string, string[]> = {};
  for (const entry of ENTRIES) paths[entry ? `meterwall/${entry}` : 'meterwall'] = [join(scratch, 'dist', `${TYPES[entry]}.d.ts`)];
  return {
    ...parsed.options,
    paths,
    noEmit: true,
    // Snippets show one thing each: a name they introduce for the reader need not be used.
    noUnusedLocals: false,
    noUnusedParameters: false,
    jsx: ts.JsxEmit.ReactJSX,
  };
}

/** Compiles snippets and returns each diagnostic as "file:line: message", pointing into the Markdown. */
export function compileSnippets(root: string, scratch: string, snippets: readonly Snippet[]): string[] {
  const files = snippets.map((snippet, i) => {
    const name = join(scratch, 'snippets', `${i}-${snippet.file.replace(/[/.]/g, '_')}.${snippet.code.includes('</') ? 'tsx' : 'ts'}`);
    mkdirSync(join(scratch, 'snippets'), { recursive: true });
    writeFileSync(name, moduleOf(snippet));
    return { name, snippet };
  });
  const program = ts.createProgram([join(scratch, 'snippet-globals.d.ts'), ...files.map((f) => f.name)], compilerOptions(root, scratch));
  const problems: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = files.find((f) => f.name === diagnostic.file?.fileName);
    if (!file || diagnostic.start === undefined) {
      problems.push(`${diagnostic.file ? relative(root, diagnostic.file.fileName) : '(global)'}: TS${diagnostic.code} ${message}`);
      continue;
    }
    const { line } = (diagnostic.file as ts.SourceFile).getLineAndCharacterOfPosition(diagnostic.start);
    // Line 0 of the module is the hidden context; line n is the block's line n - 1.
    const where =
      line === 0
        ? `${file.snippet.file}:${file.snippet.line - 1} (its ts-context)`
        : `${file.snippet.file}:${file.snippet.line + line - 1}`;
    problems.push(`${where}: TS${diagnostic.code} ${message}`);
  }
  return problems;
}
