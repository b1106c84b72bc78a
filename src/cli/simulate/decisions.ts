/**
 * `--decisions`: the partitions' answer files (`<seq>\t<JSON line>`, each in log order) merged
 * into one file in log order, one JSON line per article request.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { mergeSorted } from './merge.js';
import type { SimRecord } from './records.js';
import type { Answer } from './run.js';

/** Bytes buffered before a write. */
const BUFFER = 64 * 1024;

/** One partition's answers, written as `<seq>\t<JSON line>` in the order they are added (its log order). */
export class DecisionsOut {
  readonly #out: WriteStream;
  readonly #names: readonly string[];
  readonly #logs: readonly string[];
  #buffer: string[] = [];
  #size = 0;

  constructor(path: string, names: readonly string[], logs: readonly string[]) {
    this.#out = createWriteStream(path);
    this.#names = names;
    this.#logs = logs;
  }

  /** Adds a request's answers; resolves at once unless the file needs draining. */
  add(record: SimRecord, answers: readonly Answer[]): Promise<void> | null {
    const line = JSON.stringify({
      line: record.line,
      ...(this.#logs.length > 1 ? { log: this.#logs[record.log] } : {}),
      url: record.url,
      decisions: Object.fromEntries(this.#names.map((name, i) => [name, answers[i]])),
    });
    this.#buffer.push(`${record.seq}\t${line}\n`);
    this.#size += line.length;
    if (this.#size < BUFFER) return null;
    const text = this.#buffer.join('');
    this.#buffer = [];
    this.#size = 0;
    return this.#out.write(text) ? null : new Promise<void>((resolve) => this.#out.once('drain', () => resolve()));
  }

  close(): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.#out.end(this.#buffer.join(''), (error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

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
