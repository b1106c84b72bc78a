/**
 * The trace's entry for the site's rules: which rule matched and what it made of the article,
 * or why none applied. Made once per rule (the hot path only picks one).
 */
import type { RuleSettings } from '../../options/settings.js';
import type { TraceEntry } from '../../types.js';

export const EXPLICIT: TraceEntry = /* @__PURE__ */ Object.freeze({
  rule: 'rules',
  matched: false,
  note: 'the article sets its own access: no rule applies',
});
export const NO_RULE: TraceEntry = /* @__PURE__ */ Object.freeze({ rule: 'rules', matched: false, note: 'no rule matched: metered' });

/** The trace's entry for a rule that matched: its name and what it made of the article. */
export function ruleTrace(rule: RuleSettings): TraceEntry {
  const then = rule.treatment;
  const what =
    then.kind === 'metered'
      ? `metered by the ${then.meter} meter`
      : then.kind === 'subscribers'
        ? then.entitlements.length > 0
          ? `for subscribers holding ${then.entitlements.join(', ')}`
          : 'for subscribers'
        : then.kind === 'institution'
          ? `open on the network of ${then.institution}`
          : then.kind === 'registered'
            ? 'for registered readers'
            : 'free';
  return { rule: 'rules', matched: true, note: `"${rule.name}": ${what}` };
}
