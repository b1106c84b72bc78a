/**
 * Which thread of a one-pass run (shard.ts) reads a line, told from the line's bytes before anyone
 * decodes or parses it. Readers are owned by {@link ownerOf} their key. A combined line keyed by
 * address and user agent is read by the owner of its first field (the address its key starts
 * with); a JSON line by its chunk's designated thread, which sends each record to its owner. Only
 * the lines a thread reads are decoded.
 */
import { fnv } from './links.js';
import { isJsonLine } from './log.js';

/**
 * The shard that replays `key`: by its first word (a key by address and user agent starts with
 * the address), else the whole key. Readers behind one address share a thread.
 */
export function ownerOf(key: string, shards: number): number {
  const space = key.indexOf(' ');
  return fnv(space === -1 ? key : key.slice(0, space)) % shards;
}

/** Whether the line `bytes[start, end)` is read as JSON (readLine tells it by its first character after white space). */
export function isJsonBytes(bytes: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  const first = bytes[start] as number;
  if (first === 0x7b) return true;
  // White space or a character beyond ASCII first (a byte-order mark is white space to trimStart): told from the text.
  return (first <= 0x20 || first >= 0x80) && isJsonLine(bytes.toString('utf8', start, end));
}

/** Whether a chunk of lines holds a JSON line. */
export function hasJsonLine(bytes: Buffer): boolean {
  if (bytes.indexOf(0x7b) === -1) return false;
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    if (isJsonBytes(bytes, start, end)) return true;
    start = end + 1;
  }
  return false;
}

/**
 * The shard that reads the line `bytes[start, end)` (without its line break) when combined lines
 * are routed: the owner of its first field (up to the first space; a line that is no combined
 * line is read by the thread it names, and skipped there), or -1 for a JSON line.
 */
export function routeOf(bytes: Buffer, start: number, end: number, shards: number): number {
  if (isJsonBytes(bytes, start, end)) return -1;
  let space = bytes.indexOf(0x20, start);
  if (space === -1 || space > end) space = end;
  // FNV-1a over the bytes: over an ASCII address, the same as over its characters (links.ts `fnv`).
  let h = 0x811c9dc5;
  for (let i = start; i < space; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return fnv(bytes.toString('utf8', start, space)) % shards;
    h = Math.imul(h ^ byte, 0x01000193);
  }
  return (h >>> 0) % shards;
}
