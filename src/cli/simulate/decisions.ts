/**
 * `--decisions`: the partitions' answer files (`<seq>\t<JSON line>`, each in log order) merged
 * into one file in log order, one JSON line per article request.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { mergeSorted } from './merge.js';

async function* linesOf(path: string): AsyncGenerator<{ readonly seq: number; readonly text: string }> {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    const tab = line.indexOf('\t');
    if (tab > 0) yield { seq: Number(line.slice(0, tab)), text: line.slice(tab + 1) };
  }
}

/** Merges `parts` into `path`. */
export async function mergeDecisions(parts: readonly string[], path: string): Promise<void> {
  const out = createWriteStream(path);
  let buffer: string[] = [];
  for await (const { text } of mergeSorted(parts.map(linesOf), (line) => line.seq)) {
    buffer.push(`${text}\n`);
    if (buffer.length >= 1000) {
      if (!out.write(buffer.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = [];
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buffer.join(''), (error?: Error | null) => (error ? reject(error) : resolve())));
}
