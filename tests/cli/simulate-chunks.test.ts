/**
 * The single pass's chunker (src/cli/simulate/chunks.ts): whole lines in order, numbered as the
 * file numbers them, a too-long line never held, a last line without a newline kept unless the
 * input was cut short.
 */
import { describe, expect, it } from 'vitest';
import { LineChunker, type Piece } from '../../src/cli/simulate/chunks.js';
import { MAX_LINE } from '../../src/cli/simulate/log.js';

/** What the pieces say, line by line: `[number, text]`, a too-long line as `[number, '<too long> head']`. */
function linesOf(pieces: readonly Piece[]): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const piece of pieces) {
    if (piece.type === 'too-long') {
      out.push([piece.line, `<too long> ${piece.head.slice(0, 10)}`]);
      continue;
    }
    expect(piece.transfer).toEqual([piece.bytes.buffer]); // moved to the thread, not copied
    const text = Buffer.from(piece.bytes).toString('utf8');
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const [i, line] of lines.entries()) out.push([piece.firstLine + i, line]);
  }
  return out;
}

/** Feeds `text` in buffers of `size` bytes. */
function chunk(text: string | Buffer, size: number, complete = true): { pieces: Piece[]; lines: number } {
  const chunker = new LineChunker();
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const pieces: Piece[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(...chunker.push(bytes.subarray(at, at + size)));
  pieces.push(...chunker.end(complete));
  return { pieces, lines: chunker.lines };
}

describe('LineChunker', () => {
  const log = `${Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${'é'.repeat(i % 50)}`).join('\n')}\n`;

  it('gives every line once, in order, with its number, however the input is split (a character across two buffers too)', () => {
    const expected = log
      .slice(0, -1)
      .split('\n')
      .map((line, i): [number, string] => [i + 1, line]);
    for (const size of [1, 7, 4096, 65_536, log.length]) {
      const { pieces, lines } = chunk(log, size);
      expect(linesOf(pieces)).toEqual(expected);
      expect(lines).toBe(5000);
    }
    // About 128 KB a chunk: a big log is several.
    const big = `${log.repeat(20)}`;
    expect(chunk(big, 65_536).pieces.length).toBeGreaterThan(5);
  });

  it('keeps empty lines in the numbering and a last line without a newline', () => {
    expect(linesOf(chunk('a\n\nb\nlast', 2).pieces)).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'b'],
      [4, 'last'],
    ]);
  });

  it('drops the cut last line of an input that ended early', () => {
    expect(linesOf(chunk('a\nb\ncut in th', 3, false).pieces)).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('never holds a line longer than MAX_LINE: only how it starts, in its place', () => {
    const long = `x${'y'.repeat(MAX_LINE * 3)}`;
    const { pieces } = chunk(`first\n${long}\nafter\n${long}`, 16_384);
    expect(linesOf(pieces)).toEqual([
      [1, 'first'],
      [2, '<too long> xyyyyyyyyy'],
      [3, 'after'],
      [4, '<too long> xyyyyyyyyy'],
    ]);
    for (const piece of pieces) if (piece.type === 'chunk') expect(piece.bytes.length).toBeLessThan(MAX_LINE);
    for (const piece of pieces) if (piece.type === 'too-long') expect(piece.head.length).toBeLessThanOrEqual(120);
  });
});
