/** robots.txt from the agents policy: the same configuration the decisions use. */
import { describe, expect, it } from 'vitest';
import { defineAgents, robotsTxt } from '../../src/agents/index.js';
import { defineGifts } from '../../src/index.js';

describe('robotsTxt', () => {
  it("writes each operator's user agents with Content-Signal and Disallow from its policy, the RSL License line and the sitemap", () => {
    const agents = defineAgents({
      operators: {
        openai: { directory: 'https://chatgpt.com', training: 'block', search: 'licensed', user: 'paid' },
        demo: { directory: 'https://agent.example', userAgents: { training: 'DemoBot' }, training: 'licensed' },
      },
      license: { url: 'https://news.example/license.xml' },
    });
    expect(robotsTxt(agents, { sitemap: 'https://news.example/sitemap.xml', rules: ['Disallow: /search', 'Allow: /'] })).toBe(
      [
        '# AI agents: what the site’s policy lets each do with its content (meterwall/agents).',
        'License: https://news.example/license.xml',
        '',
        'User-agent: GPTBot',
        'Content-Signal: search=yes, ai-input=no, ai-train=no',
        'Disallow: /',
        '',
        'User-agent: OAI-SearchBot',
        'Content-Signal: search=yes, ai-input=yes, ai-train=no',
        'Allow: /',
        '',
        'User-agent: ChatGPT-User',
        'Content-Signal: search=yes, ai-input=no, ai-train=no',
        'Allow: /',
        '',
        'User-agent: DemoBot',
        'Content-Signal: search=yes, ai-input=no, ai-train=yes',
        'Allow: /',
        '',
        'User-agent: *',
        'Content-Signal: search=yes, ai-input=no, ai-train=no',
        'Disallow: /search',
        'Allow: /',
        '',
        'Sitemap: https://news.example/sitemap.xml',
        '',
      ].join('\n'),
    );
  });

  it('refuses what defineAgents did not make, with a code', () => {
    expect(() => robotsTxt(defineGifts() as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
