/**
 * `meterwall/agents`: AI operators and agents (Web Bot Auth, pay per crawl, RSL), for
 * `createPaywall({ agents: defineAgents({...}) })`.
 */
export { defineAgents } from './define.js';
export { robotsTxt, type RobotsTxtOptions } from './robots.js';
