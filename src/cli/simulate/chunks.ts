/**
 * A log's bytes cut into chunks of whole lines (about {@link CHUNK} bytes each), numbered by
 * their first line, each in an `ArrayBuffer` of its own (moved to a worker thread, not copied). A
 * line longer than {@link MAX_LINE} is never held: only how it starts is kept, and it comes out
 * as a piece of its own, in its place.
 */
import { MAX_LINE } from './log.js';

/** Bytes in a chunk, about. */
const CHUNK = 1024 * 1024;
/** How much of a too-long line is kept (as log.ts keeps it). */
const HEAD = 120;

export type Piece =
  | { readonly type: 'chunk'; readonly firstLine: number; readonly bytes: Uint8Array; readonly transfer: ArrayBuffer[] }
  | { readonly type: 'too-long'; readonly line: number; readonly head: string; readonly transfer: ArrayBuffer[] };

export class LineChunker {
  /** Lines in the pieces given out so far. */
  lines = 0;
  #ready: Buffer[] = [];
  #readyLength = 0;
  #partial: Buffer[] = [];
  #partialLength = 0;
  /** How a too-long line being skipped starts, or `null`. */
  #dropping: string | null = null;

  /** The pieces `buffer` completes. */
  push(buffer: Buffer): Piece[] {
    const pieces: Piece[] = [];
    let start = 0;
    if (this.#dropping !== null) {
      const newline = buffer.indexOf(0x0a);
      if (newline === -1) return pieces;
      this.#flush(pieces);
      pieces.push({ type: 'too-long', line: ++this.lines, head: this.#dropping, transfer: [] });
      this.#dropping = null;
      start = newline + 1;
    }
    const last = buffer.lastIndexOf(0x0a);
    if (last >= start) {
      this.#ready.push(...this.#partial, buffer.subarray(start, last + 1));
      this.#readyLength += this.#partialLength + last + 1 - start;
      this.#partial = [];
      this.#partialLength = 0;
      start = last + 1;
    }
    this.#keep(buffer.subarray(start), pieces);
    if (this.#readyLength >= CHUNK) this.#flush(pieces);
    return pieces;
  }

  /** The last pieces: the lines held, and a last line without a newline unless the input was cut short (`complete` false). */
  end(complete = true): Piece[] {
    const pieces: Piece[] = [];
    if (complete && this.#dropping !== null) {
      this.#flush(pieces);
      pieces.push({ type: 'too-long', line: ++this.lines, head: this.#dropping, transfer: [] });
    } else if (complete && this.#partialLength > 0) {
      this.#ready.push(...this.#partial);
      this.#readyLength += this.#partialLength;
    }
    this.#partial = [];
    this.#partialLength = 0;
    this.#flush(pieces);
    return pieces;
  }

  /** Holds the start of a line; past {@link MAX_LINE} bytes, only how it starts. */
  #keep(bytes: Buffer, pieces: Piece[]): void {
    if (bytes.length === 0) return;
    this.#partial.push(bytes);
    this.#partialLength += bytes.length;
    if (this.#partialLength <= MAX_LINE) return;
    this.#flush(pieces);
    this.#dropping = Buffer.concat(this.#partial).subarray(0, HEAD).toString('utf8');
    this.#partial = [];
    this.#partialLength = 0;
  }

  #flush(pieces: Piece[]): void {
    if (this.#readyLength === 0) return;
    const bytes = new Uint8Array(this.#readyLength);
    let at = 0;
    for (const part of this.#ready) {
      bytes.set(part, at);
      at += part.length;
    }
    const firstLine = this.lines + 1;
    const view = Buffer.from(bytes.buffer, 0, bytes.length);
    for (let i = view.indexOf(0x0a); i !== -1; i = view.indexOf(0x0a, i + 1)) this.lines++;
    if (bytes[bytes.length - 1] !== 0x0a) this.lines++;
    this.#ready = [];
    this.#readyLength = 0;
    pieces.push({ type: 'chunk', firstLine, bytes, transfer: [bytes.buffer] });
  }
}
