/**
 * `defineAgents`' options (every mistake an error naming the option), and a user agent's claim
 * confirmed from the client's address where an operator publishes its ranges or hostnames
 * (reverse and forward DNS through meterwall/dns's verifier, its resolver a test's).
 */
import { describe, expect, it } from 'vitest';
import { defineAgents } from '../../src/agents/index.js';
import { createDnsVerifier } from '../../src/crawlers/dns.js';
import { type AgentsOptions, createPaywall, type RequestLike } from '../../src/index.js';

const request = (userAgent: string): RequestLike => {
  const headers = new Map([
    ['user-agent', userAgent],
    ['host', 'news.example'],
  ]);
  return { method: 'GET', url: 'https://news.example/articles/a', headers: { get: (n) => headers.get(n.toLowerCase()) ?? null } };
};

describe('defineAgents', () => {
  it.each<[string, unknown, string]>([
    ['no operators', { operators: {} }, 'agents.operators'],
    ['a user agent alone', { operators: { openai: { training: 'paid' } } }, 'agents.operators.openai'],
    ['a misspelt key', { operators: { openai: { ranges: ['20.171.0.0/16'], trainng: 'paid' } } }, 'agents.operators.openai.trainng'],
    ['a bad policy', { operators: { openai: { ranges: ['20.171.0.0/16'], training: 'free' } } }, 'agents.operators.openai.training'],
    ['a bad range', { operators: { openai: { ranges: ['nope'] } } }, 'agents.operators.openai.ranges[0]'],
    ['a directory that is no origin', { operators: { openai: { directory: 'ftp://x' } } }, 'agents.operators.openai.directory'],
    [
      'one directory, two operators',
      { operators: { a: { directory: 'https://x.example' }, b: { directory: 'https://x.example/' } } },
      'agents.operators',
    ],
    ['a bad price', { operators: { a: { directory: 'https://x.example' } }, price: -1 }, 'agents.price'],
    ['a bad verifier', { operators: { a: { verifiers: [{}] } } }, 'agents.operators.a.verifiers'],
    ['an unknown option', { operators: { a: { directory: 'https://x.example' } }, prices: 1 }, 'agents.prices'],
  ])('refuses %s, naming the option', (_, options, path) => {
    expect(() => defineAgents(options as AgentsOptions)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: path }));
  });

  it("confirms a user agent's claim by reverse and forward DNS onto the operator's hostnames (meterwall/dns), never by the user agent alone", async () => {
    const resolver = {
      reverse: async (ip: string) => (ip === '20.171.206.9' ? ['crawl-20-171-206-9.openai.com'] : ['host.example.net']),
      resolve: async (hostname: string) => (hostname === 'crawl-20-171-206-9.openai.com' ? ['20.171.206.9'] : []),
    };
    const paywall = createPaywall({
      secret: 'agents-options-secret-0123456789-abcdef',
      proxy: { trustedRanges: ['10.0.0.0/8'] },
      agents: defineAgents({
        operators: { openai: { verifiers: [createDnsVerifier({ hostnames: { openai: ['openai.com'] }, resolver })], training: 'paid' } },
      }),
    });
    const from = async (ip: string) =>
      paywall.decide(
        {
          ...request('Mozilla/5.0 (compatible; GPTBot/1.2)'),
          headers: { get: (n) => (n === 'x-forwarded-for' ? ip : request('Mozilla/5.0 (compatible; GPTBot/1.2)').headers.get(n)) },
        },
        { id: 'a' },
        { ip: '10.0.0.1' },
      );
    const confirmed = await from('20.171.206.9');
    expect([confirmed.reason, confirmed.status]).toEqual(['agent-payment-required', 402]);
    expect(confirmed.trace.find((t) => t.rule === 'agent')?.note).toBe('openai (training): address confirmed by its verifier');
    const elsewhere = await from('198.51.100.7');
    expect([elsewhere.reason, elsewhere.status]).toEqual(['not-counted', 200]);
    expect(elsewhere.trace.find((t) => t.rule === 'agent')?.note).toBe('claims openai (training) by its user agent only');
  });
});
