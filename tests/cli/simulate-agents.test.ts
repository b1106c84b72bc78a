/**
 * AI agents in the access log and in `meterwall simulate`: the live paywall's decisions for
 * verified agents (signed by web-bot-auth) are logged with the operator, purpose, the price
 * offered and the licence token's verdict (never the token, never a signature); the replay with
 * the same policy gives every decision again, and with another policy says what it would have been.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAgents } from '../../src/agents/index.js';
import { createReplayer } from '../../src/cli/simulate/replay.js';
import { loggedFields } from '../../src/cli/simulate/logged-fields.js';
import { type AgentsOptions, createPaywall } from '../../src/index.js';
import { type KeyDirectory, serveKeyDirectory, signedHeaders } from '../helpers-agents.js';

const URL_ = 'https://news.example/articles/tram';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

describe('AI agents in the access log and the replay', () => {
  let directory: KeyDirectory;
  beforeAll(async () => {
    directory = await serveKeyDirectory();
  });
  afterAll(() => directory?.close());

  const policy = (training: 'paid' | 'licensed' | 'block'): AgentsOptions => ({
    operators: { demo: { directory: directory.origin, userAgents: { training: 'DemoBot' }, training, user: 'licensed' } },
    price: 0.01,
    license: { url: 'https://news.example/license.xml', verify: (token) => token === 'good' },
  });

  it('logs what a replay needs, and replays every decision; another policy is a what-if', async () => {
    const live = createPaywall({ secret: 'simulate-agents-secret-0123456789-abcd', agents: defineAgents(policy('paid')) });
    const cases: Array<[string, Record<string, string>]> = [
      ['asked to pay', await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoBot/1.0' })],
      [
        'paid',
        await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoBot/1.0', headers: { 'crawler-exact-price': 'USD 0.01' } }),
      ],
      [
        'too little',
        await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoBot/1.0', headers: { 'crawler-max-price': 'USD 0.005' } }),
      ],
      [
        'licence token',
        await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoBot/1.0', headers: { authorization: 'License good' } }),
      ],
      [
        'bad token',
        await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoBot/1.0', headers: { authorization: 'License bad' } }),
      ],
      ['for a person', await signedHeaders(URL_, { agent: directory.origin, userAgent: 'DemoAgent/1.0' })],
      ['a person', { 'user-agent': UA }],
    ];
    const lines: Array<{ name: string; reason: string; ua: string; fields: unknown }> = [];
    for (const [name, headers] of cases) {
      const lower = new Map(Object.entries({ host: 'news.example', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
      const request = { method: 'GET', url: URL_, headers: { get: (n: string) => lower.get(n.toLowerCase()) ?? null } };
      const decision = await live.decide(request, { id: 'tram' });
      // Through JSON, as a log line is written and read back.
      const fields = JSON.parse(JSON.stringify(await live.accessLogFields(request, decision)));
      lines.push({ name, reason: decision.reason, ua: headers['user-agent'] as string, fields });
    }
    expect(lines.map((l) => [l.name, l.reason])).toEqual([
      ['asked to pay', 'agent-payment-required'],
      ['paid', 'agent-paid'],
      ['too little', 'agent-payment-required'],
      ['licence token', 'agent-licensed'],
      ['bad token', 'agent-payment-required'],
      ['for a person', 'agent-licensed'],
      ['a person', 'metered'],
    ]);
    expect(lines[1]?.fields).toMatchObject({ agent: { operator: 'demo', purpose: 'training', exact: 'USD 0.01', max: null, token: null } });
    expect(lines[3]?.fields).toMatchObject({ agent: { token: 'accepted' } });
    expect(lines[4]?.fields).toMatchObject({ agent: { token: 'refused' } });
    expect(lines[6]?.fields).toMatchObject({ agent: null });
    for (const line of lines) expect(JSON.stringify(line.fields)).not.toMatch(/good|bad|sig1|Signature/i);

    const replay = async (training: 'paid' | 'licensed' | 'block') => {
      const replayer = createReplayer({ agents: defineAgents(policy(training)) });
      const reasons: string[] = [];
      for (const [i, line] of lines.entries()) {
        const logged = loggedFields(line.fields);
        expect(logged, line.name).not.toBeNull();
        const request = { method: 'GET', url: '/articles/tram', userAgent: line.ua, referer: null, ip: null, logged };
        const who = { key: i, reader: { status: 'anonymous' as const, entitlements: [] } };
        reasons.push((await replayer.decide(Date.parse('2026-12-07T10:00:00Z') + i * 1000, who, request, { id: 'tram' })).reason);
      }
      return reasons;
    };
    // The same policy: every decision again.
    expect(await replay('paid')).toEqual(lines.map((l) => l.reason));
    // What if training were licensed, or refused?
    expect(await replay('licensed')).toEqual([...Array(5).fill('agent-licensed'), 'agent-licensed', 'metered']);
    expect(await replay('block')).toEqual([...Array(5).fill('agent-refused'), 'agent-licensed', 'metered']);
  });
});
