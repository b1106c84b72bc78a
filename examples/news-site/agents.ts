/**
 * The site's policy for AI agents (`npm run example -- --agent-directory URL`): the demo
 * operator whose Web Bot Auth key directory is at URL reads in full for people and for search,
 * under the site's licence (`Link: <…/license.xml>; rel="license"`); its training crawler
 * (`DemoBot`) is asked to pay (402, `crawler-price: USD 0.01`; `crawler-exact-price` opens the
 * text). Sign requests with any Web Bot Auth signer whose `Signature-Agent` names URL.
 */
import type { AgentSet } from 'meterwall';
import { defineAgents, robotsTxt } from 'meterwall/agents';

/** A full text's price for a training crawler, USD. */
export const AGENT_PRICE = 0.01;

export function siteAgents(
  origin: string,
  directory: string,
): { readonly agents: AgentSet; readonly robots: string; readonly license: string } {
  const licenseUrl = `${origin}/license.xml`;
  const agents = defineAgents({
    operators: {
      demo: {
        directory,
        userAgents: { training: 'DemoBot', search: 'DemoSearch', user: 'DemoAgent' },
        user: 'licensed',
        search: 'licensed',
        training: 'paid',
      },
    },
    price: AGENT_PRICE,
    license: { url: licenseUrl },
  });
  // RSL 1.0: the articles may be crawled for a price; what the 402 asks is the same figure.
  const license = `<?xml version="1.0" encoding="UTF-8"?>
<rsl xmlns="https://rslstandard.org/rsl">
  <content url="${origin}/articles/*">
    <license>
      <payment type="crawl"><amount currency="USD">${AGENT_PRICE}</amount></payment>
    </license>
  </content>
</rsl>
`;
  return { agents, robots: robotsTxt(agents), license };
}
