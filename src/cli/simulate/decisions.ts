/**
 * `--decisions`: the partitions' answer files (`<seq>\t<JSON line>`, each in log order) merged
 * into one file in log order, one JSON line per article request.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

async function* linesOf(path: string): AsyncGenerator<{ readonly seq: number; readonly text: string }> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    const tab = line.indexOf('\t');
    if (tab > 0) yield { seq: Number(line.slice(0, tab)), text: line.slice(tab + 1) };
  }
}

/** Merges `parts` into `path`. */
export async function mergeDecisions(parts: readonly string[], path: string): Promise<void> {
  const out = createWriteStream(path);
  const sources = parts.map((part) => ({ lines: linesOf(part), head: null as { seq: number; text: string } | null }));
  const advance = async (source: (typeof sources)[number]) => {
    const next = await source.lines.next();
    source.head = next.done ? null : next.value;
  };
  await Promise.all(sources.map(advance));
  let buffer: string[] = [];
  for (;;) {
    let next: (typeof sources)[number] | null = null;
    for (const source of sources) if (source.head !== null && (next === null || source.head.seq < (next.head?.seq ?? 0))) next = source;
    if (next === null) break;
    buffer.push(`${next.head?.text}\n`);
    if (buffer.length >= 1000) {
      if (!out.write(buffer.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = [];
    }
    await advance(next);
  }
  await new Promise<void>((resolve, reject) => out.end(buffer.join(''), (error?: Error | null) => (error ? reject(error) : resolve())));
}
