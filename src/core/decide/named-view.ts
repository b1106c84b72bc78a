/**
 * A named meter's view of the token: the stages count on the projection (only that meter's
 * articles, in its own period when it has one) and the draft learns how to put it back.
 */
import { namedView, windowAt, withNamedView } from '../meter.js';
import type { PeriodRule } from '../period.js';
import type { Draft } from './context.js';
import type { PresentedMeter } from './presented-meter.js';

/**
 * The presented meter as the named meter `name` sees it; the draft learns how to put it back
 * into the whole token, and, for a meter with a period of its own, counts in that period.
 */
export function projected(draft: Draft, presented: PresentedMeter, name: string, own: PeriodRule | undefined): PresentedMeter {
  const whole = presented.state;
  const window = own === undefined ? null : windowAt(own, draft.now);
  if (window !== null && own !== undefined) {
    draft.window = window;
    draft.period = own.description;
  }
  draft.restore = (view) => withNamedView(whole, name, view, window);
  return { ...presented, state: namedView(whole, name, window) };
}
