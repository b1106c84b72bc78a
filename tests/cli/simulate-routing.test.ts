/**
 * A one-pass run routes a line to its reader's thread from its bytes, before it is decoded or
 * parsed (routing.ts). Judged against how the line is read once decoded: readLine's JSON test, and
 * the owner of the key the default reader gives the parsed line.
 */
import { describe, expect, it } from 'vitest';
import { logFormat, parseCombined } from '../../src/cli/simulate/formats.js';
import { isJsonLine } from '../../src/cli/simulate/log.js';
import { hasJsonLine, isJsonBytes, ownerOf, routeOf } from '../../src/cli/simulate/routing.js';
import { defaultReader } from '../../src/cli/simulate/simulate.js';

const combined = (address: string, ua = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0') =>
  `${address} - - [02/Nov/2026:10:00:00 +0000] "GET /news/a HTTP/1.1" 200 5120 "-" "${ua}"`;

const LINES = [
  combined('203.0.113.9'),
  combined('2001:db8::1'),
  combined('-'),
  combined('203.0.113.9', 'Mozilla/5.0 (Macintosh) Safari/605.1.15'),
  combined('адрес'), // not an address, but a first field like any other: its key starts with it
  combined('x\u00e9y'),
  JSON.stringify({ time: '2026-11-02T10:00:00Z', url: '/news/a', ip: '203.0.113.9' }),
  `  ${JSON.stringify({ time: '2026-11-02T10:00:00Z', url: '/news/a' })}`,
  `\ufeff${JSON.stringify({ time: '2026-11-02T10:00:00Z', url: '/news/a' })}`,
  `\u00a0{"not": "json"`,
  ` ${combined('203.0.113.9')}`,
  '',
  'garbage',
  'garbage with spaces',
  '\u0001{}',
];

describe('routing a line before it is read', () => {
  it('tells a JSON line from its bytes as readLine does from its text', () => {
    for (const line of LINES) {
      const bytes = Buffer.from(line);
      expect(isJsonBytes(bytes, 0, bytes.length), JSON.stringify(line)).toBe(isJsonLine(line));
    }
    const chunk = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);
    expect(hasJsonLine(chunk([combined('203.0.113.9'), combined('203.0.113.10')]))).toBe(false);
    // A brace that does not start a line is no JSON line.
    expect(hasJsonLine(chunk([combined('203.0.113.9', 'agent {x}')]))).toBe(false);
    expect(hasJsonLine(chunk([combined('203.0.113.9'), `\ufeff{"url": "/a"}`]))).toBe(true);
  });

  it('sends a combined line to the thread that owns the key the default reader gives it, for any number of threads', () => {
    for (const shards of [2, 3, 4, 7]) {
      for (const line of LINES.filter((l) => !isJsonLine(l))) {
        const bytes = Buffer.from(`junk before\n${line}\r\nafter`);
        const start = 'junk before\n'.length;
        const end = start + Buffer.byteLength(line);
        const route = routeOf(bytes, start, end, shards);
        expect(route, JSON.stringify(line)).toBeGreaterThanOrEqual(0);
        expect(route).toBeLessThan(shards);
        const entry = parseCombined(line, logFormat());
        // A line read as combined: the owner of its reader; any other is skipped wherever it is read.
        if (entry !== null) expect(route, JSON.stringify(line)).toBe(ownerOf(defaultReader(entry).key, shards));
      }
      for (const line of LINES.filter(isJsonLine)) {
        const bytes = Buffer.from(line);
        expect(routeOf(bytes, 0, bytes.length, shards)).toBe(-1);
      }
    }
  });

  it('keeps the readers behind one address on one thread, and spreads addresses over the threads', () => {
    const owners = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const address = `198.51.100.${i}`;
      const route = (ua: string) => {
        const bytes = Buffer.from(combined(address, ua));
        return routeOf(bytes, 0, bytes.length, 2);
      };
      expect(route('Firefox/140.0')).toBe(route('Chrome/141.0'));
      owners.add(route('Firefox/140.0'));
    }
    expect([...owners].sort()).toEqual([0, 1]);
  });
});
