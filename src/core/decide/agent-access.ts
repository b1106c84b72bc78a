/** What each outcome of the site's policy for a verified AI agent shows, and why (`agents`). */
import type { AgentGrant, AgentOutcome } from '../../contracts/features.js';
import type { Access, DecisionReason } from '../../types.js';

const AGENT_OUTCOMES: Readonly<Record<AgentOutcome, readonly [Access, DecisionReason]>> = {
  refused: ['prompt', 'agent-refused'],
  teaser: ['teaser', 'agent-teaser'],
  licensed: ['full', 'agent-licensed'],
  paid: ['full', 'agent-paid'],
  'payment-required': ['teaser', 'agent-payment-required'],
};

/** The access and reason a grant decides. */
export const agentAccess = (grant: AgentGrant): readonly [Access, DecisionReason] => AGENT_OUTCOMES[grant.outcome];
