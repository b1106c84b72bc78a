/**
 * Automated clients by user agent: link previews (Slackbot, Twitterbot, facebookexternalhit,
 * WhatsApp…), monitors, headless browsers and HTTP libraries. The only module that imports
 * `isbot`, a maintained list that avoids flagging real browsers. Its pattern costs a few µs on a
 * browser's user agent, so answers are memoised per user-agent string (a site sees few distinct
 * ones), in a map bounded by {@link MAX_REMEMBERED}.
 */
import { isbotMatch } from 'isbot';

/** Tells what in a user agent marks it as automated, or `null` for a browser. */
export type AutomatedDetector = (userAgent: string) => string | null;

/** User agents longer than this are automated on their face: no browser sends one. */
const MAX_USER_AGENT = 1024;
/** Answers remembered before the memo starts afresh. */
const MAX_REMEMBERED = 2048;
/** What matched is shown in traces and events, shortened to this. */
const MAX_MATCH = 40;

/**
 * Wraps a detector (isbot's by default, or the site's own) with the memo and the length bound.
 * A custom detector that throws is taken as "not automated": counting never grants more than
 * the allowance.
 */
export function createAutomatedDetector(custom?: (userAgent: string) => string | boolean | null | undefined): AutomatedDetector {
  const detect = custom
    ? (userAgent: string): string | null => {
        let answer: string | boolean | null | undefined;
        try {
          answer = custom(userAgent);
        } catch {
          return null;
        }
        if (answer === true) return 'site detector';
        return typeof answer === 'string' && answer !== '' ? answer : null;
      }
    : isbotMatch;
  const remembered = new Map<string, string | null>();
  return (userAgent) => {
    if (userAgent.length > MAX_USER_AGENT) return 'oversized user agent';
    const known = remembered.get(userAgent);
    if (known !== undefined) return known;
    const match = detect(userAgent);
    const answer = match === null ? null : match.slice(0, MAX_MATCH);
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(userAgent, answer);
    return answer;
  };
}
