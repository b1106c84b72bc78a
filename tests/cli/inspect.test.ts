/**
 * `meterwall inspect`: a meter cookie explained for support staff, by the token code decide()
 * uses: valid (key, period, meters, read and unread candidates), forged, expired, signed with a
 * rotated key (still held, or dropped). The built command is run as a user runs it, with the
 * secret in the environment, and never prints it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { formatInspection, inspectToken } from '../../src/cli/inspect.js';
import { createPaywall, defineRules } from '../../src/index.js';
import { createReader, SECRET, SECRET_2 } from '../helpers.js';

const NOW = Date.parse('2026-11-10T12:00:00Z');

async function readerToken(secret: string | string[] = SECRET): Promise<string> {
  const paywall = createPaywall({
    secret,
    now: () => NOW,
    meters: { anonymous: { limit: 3 }, registered: { limit: 5 }, named: { sport: { anonymous: { limit: 2 }, registered: { limit: 4 } } } },
    rules: defineRules([{ name: 'sport', when: { section: 'sport' }, treatment: { metered: 'sport' } }]),
  });
  const reader = createReader(paywall);
  await reader.open({ id: 'budget-2027' });
  await reader.open({ id: 'tram-line' });
  await reader.open({ id: 'derby', section: 'sport' });
  return reader.token as string;
}

describe('meterwall inspect', () => {
  it('a valid cookie: key, period, each meter, and which candidate articles were read', async () => {
    const token = await readerToken();
    const report = await inspectToken({
      token: `__Host-meterwall=${token}`,
      secrets: [SECRET],
      articles: ['budget-2027', 'derby', 'never-read'],
      limits: { default: 3, sport: 2 },
      now: NOW,
    });
    expect(report).toMatchObject({
      valid: true,
      kid: decodeProtectedHeader(token).kid,
      periodStart: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-12-01T00:05:00.000Z',
      resetsAt: '2026-12-01T00:00:00.000Z',
      meters: [
        { meter: 'default', used: 2, limit: 3 },
        { meter: 'sport', used: 1, limit: 2 },
      ],
      signedIn: false,
      articles: [
        { id: 'budget-2027', read: true, meter: 'default' },
        { id: 'derby', read: true, meter: 'sport' },
        { id: 'never-read', read: false, meter: null },
      ],
    });
    const text = formatInspection(report);
    expect(text).toContain('meter default   2 used of 3');
    expect(text).toContain('article "never-read": not read this period');
    expect(text).not.toContain(SECRET);
  });

  it('forged, expired, a rotated key still held, a dropped key', async () => {
    const token = await readerToken();
    const flipped = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await inspectToken({ token: flipped, secrets: [SECRET], now: NOW })).toMatchObject({
      valid: false,
      reason: 'bad-signature',
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    expect(await inspectToken({ token, secrets: [SECRET], now: Date.parse('2027-01-01T00:00:00Z') })).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    const rotated = await inspectToken({ token, secrets: [SECRET_2, SECRET], now: NOW });
    expect(rotated).toMatchObject({ valid: true, kid: decodeProtectedHeader(token).kid });
    const dropped = await inspectToken({ token, secrets: [SECRET_2], now: NOW });
    expect(dropped).toMatchObject({ valid: false, reason: 'unknown-key', kid: decodeProtectedHeader(token).kid });
    expect(formatInspection(dropped)).toContain('signed with a key this site no longer holds');
  });

  const bin = 'dist/cli/main.js';
  it.skipIf(!existsSync(bin))('the built command: exit 0 for a valid cookie, 1 for a forged one, never printing the secret', async () => {
    const run = promisify(execFile);
    const token = await readerToken();
    // Its own clock is the real one: a cookie of this month.
    const live = createReader(createPaywall({ secret: SECRET }));
    await live.open('budget-2027');
    const env = { ...process.env, METERWALL_SECRET: SECRET };
    const ok = await run(process.execPath, [bin, 'inspect', live.token as string, '--article', 'budget-2027', '--limit', 'default=3'], {
      env,
    });
    expect(ok.stdout).toContain('VALID meter token');
    expect(ok.stdout).toContain('meter default   1 used of 3');
    expect(ok.stdout).toContain('article "budget-2027": read this period');
    expect(ok.stdout + ok.stderr).not.toContain(SECRET);
    // The limits from the simulate config module.
    const dir = mkdtempSync(join(tmpdir(), 'meterwall-inspect-'));
    const config = join(dir, 'config.mjs');
    writeFileSync(config, 'export default { options: { meters: { anonymous: { limit: 4 } } }, article: () => null };\n');
    const configured = await run(process.execPath, [bin, 'inspect', live.token as string, '--config', config], { env });
    expect(configured.stdout).toContain('meter default   1 used of 4');
    rmSync(dir, { recursive: true, force: true });
    const bad = await run(process.execPath, [bin, 'inspect', `${token}x`], { env }).catch((e: { code: number; stdout: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stdout: string }).stdout).toContain('INVALID');
    const unset = await run(process.execPath, [bin, 'inspect', token], { env: { ...process.env, METERWALL_SECRET: '' } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(unset).toMatchObject({ code: 2 });
  });

  it('escapes what it prints from an unverified cookie: a forged kid cannot clear the screen or paint a report (issue 23, finding 9)', async () => {
    const token = await readerToken();
    const [, payload, signature] = token.split('.') as [string, string, string];
    const header = Buffer.from(
      JSON.stringify({ alg: 'HS256', typ: 'meterwall-meter+jwt', kid: '\u001b[2J\u001b[H\nVALID meter token' }),
    ).toString('base64url');
    const forged = await inspectToken({ token: `${header}.${payload}.${signature}`, secrets: [SECRET], now: NOW });
    expect(forged).toMatchObject({ valid: false, reason: 'unknown-key' });
    const text = formatInspection(forged);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text.split('\n')[0]).toMatch(/^INVALID: .*\\u001b\[2J\\u001b\[H\\u000aVALID meter token/);
    expect(text.split('\n').filter((line) => line.startsWith('VALID'))).toEqual([]);
  });

  it('takes the cookie as it is pasted: a value, name=value, a whole Cookie header, a Set-Cookie line (issue 23, finding 9)', async () => {
    const token = await readerToken();
    const forms = [
      token,
      `__Host-meterwall=${token}`,
      `Cookie: _ga=GA1.2.3; __Host-courier_session=abc.def.ghi; __Host-meterwall=${token}; theme=dark`,
      `cookie: __Host-meterwall=${token}`,
      `Set-Cookie: __Host-meterwall=${token}; Max-Age=1728000; Path=/; HttpOnly; Secure; SameSite=Lax`,
      `  __Host-meterwall="${token}"  `,
    ];
    for (const pasted of forms) expect(await inspectToken({ token: pasted, secrets: [SECRET], now: NOW })).toMatchObject({ valid: true });
    // A site with its own cookie name.
    expect(
      await inspectToken({ token: `Cookie: meter=${token}; other=1`, cookieName: 'meter', secrets: [SECRET], now: NOW }),
    ).toMatchObject({ valid: true });
  });
});
