/**
 * The same Web Bot Auth verification on any runtime: a paywall with `defineAgents` decides for
 * requests signed beforehand in Node (by web-bot-auth), fetching the key directory at
 * `directory`; the reasons come back in order. Web APIs only: it runs bundled on Deno and workerd.
 */
import { createPaywall } from 'meterwall';
import { defineAgents } from 'meterwall/agents';

export interface AgentCase {
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const SCENARIO_URL = 'https://news.example/articles/tram';

export async function runAgentScenario(directory: string, cases: readonly AgentCase[]): Promise<Array<[string, string, number, string]>> {
  const paywall = createPaywall({
    secret: 'agent-scenario-secret-0123456789-abcdefgh',
    agents: defineAgents({
      operators: { demo: { directory, user: 'licensed', training: 'paid' } },
      license: { url: 'https://news.example/license.xml' },
    }),
  });
  const out: Array<[string, string, number, string]> = [];
  for (const c of cases) {
    const lower = new Map(Object.entries({ host: 'news.example', ...c.headers }).map(([k, v]) => [k.toLowerCase(), v]));
    const decision = await paywall.decide(
      { method: 'GET', url: SCENARIO_URL, headers: { get: (n: string) => lower.get(n.toLowerCase()) ?? null } },
      {
        id: 'tram',
      },
    );
    out.push([c.name, decision.reason, decision.status, decision.trace.find((t) => t.rule === 'agent')?.note ?? 'no agent']);
  }
  return out;
}
