/**
 * What the replay puts in place of the live paywall's own checks, from what the log says: a
 * verified AI agent (judged by the replayed configuration's policy), the fresh-meter count, the
 * meter cookie a decision writes, and the automated-client detector's answers remembered.
 */
import type { AgentsFeature } from '../../contracts/features.js';
import type { LoggedAgent } from '../../core/decide/access-log.js';
import { writeDecisionHeaders } from '../../core/decide/headers.js';
import type { Decision, MeterStore } from '../../types.js';

/** The site's agents feature, replayed: an agent is the one the log verified, judged by this configuration's policy. */
export function replayedAgents(live: AgentsFeature, logged: () => LoggedAgent | null): AgentsFeature {
  return {
    mayBeAgent: () => logged() !== null,
    check: () => {
      const a = logged();
      return Promise.resolve(
        a === null
          ? null
          : { operator: a.operator, purpose: a.purpose, verified: true, note: `${a.operator} (${a.purpose}): verified (from the log)` },
      );
    },
    grant: (check, reader, article, request) => live.grant(check, reader, article, request, logged()?.token === 'accepted'),
  };
}

/** The meter cookie a decision writes (a decision the engine made is read directly). */
export function setCookieIn(decision: Decision): string | null {
  let written: string | null = null;
  writeDecisionHeaders(
    {
      get: () => null,
      set() {},
      append(name: string, value: string) {
        if (name === 'Set-Cookie') written = value;
      },
    },
    decision,
  );
  return written;
}

/** The memory store, its fresh-meter count taken from the log where the log knows it (`SimulatedRequest.fresh`). */
export function freshFromLog(store: MeterStore, ordinal: () => number | null): MeterStore {
  const count = store.countFresh?.bind(store);
  if (count === undefined) return store;
  return Object.assign(Object.create(store) as MeterStore, {
    countFresh: (key: string, ttlMs: number) => {
      const known = ordinal();
      return known === null ? count(key, ttlMs) : Promise.resolve(known);
    },
  });
}

/**
 * A detector's answers remembered by user agent (at most 20,000, then forgotten all at once), and
 * the last one at hand: a request's user agent is judged twice (the engine's page-view check and
 * the count's), the same string both times.
 */
export function remembered(detect: (userAgent: string) => string | null): (userAgent: string) => string | null {
  const answers = new Map<string, string | null>();
  let last: string | null = null;
  let lastAnswer: string | null = null;
  return (userAgent) => {
    if (userAgent === last) return lastAnswer;
    let answer = answers.get(userAgent);
    if (answer === undefined) {
      answer = detect(userAgent);
      if (answers.size >= 20_000) answers.clear();
      answers.set(userAgent, answer);
    }
    last = userAgent;
    lastAnswer = answer;
    return answer;
  };
}
