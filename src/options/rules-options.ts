/**
 * `rules`: the site's ordered rules, validated once into plain data. Every mistake a desk can
 * make is a `TypeError` (`InvalidOptionError`) that names the rule: an unknown condition or
 * treatment, a meter that does not exist, a malformed range or duration, a duplicate name, a
 * country condition without a trusted proxy that reports countries, and a rule that can never
 * match because a catch-all comes before it, and a condition the client writes itself (a `Referer`),
 * which would open the rule's articles to anyone who forges it.
 */
import { invalidOption } from '../errors.js';
import type { ReaderStatus } from '../types.js';
import { parseRange } from '../util/ip.js';
import { isRecord, rejectUnknown } from '../util/schema.js';
import type { ExperimentSettings, ProxySettings, RuleConditionSettings, RuleSettings, RuleTreatmentSettings } from './settings.js';

/** The meter every paywall has; `{ metered: 'default' }` names it. */
export const DEFAULT_METER = 'default';

const CONDITIONS = [
  'section',
  'tag',
  'type',
  'newerThan',
  'olderThan',
  'reader',
  'entitlements',
  'network',
  'country',
  'referrer',
  'bucket',
] as const;
const STATUSES: readonly ReaderStatus[] = ['anonymous', 'registered', 'subscriber'];
const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const MAX_RULES = 200;

/**
 * `rules`, validated on their own (by `defineRules`); whether the meters they name exist and
 * whether a proxy reports countries is checked by `createPaywall` ({@link checkRules}).
 */
export function resolveRules(value: unknown): readonly RuleSettings[] {
  if (!Array.isArray(value)) throw invalidOption('rules', 'must be an array of rules ({ name, when?, treatment })');
  if (value.length > MAX_RULES) throw invalidOption('rules', `has ${value.length} rules; at most ${MAX_RULES}`);
  const names = new Set<string>();
  const rules: RuleSettings[] = [];
  value.forEach((item: unknown, i) => {
    const rule = ruleAt(item, i);
    if (names.has(rule.name)) throw invalidOption(`rules[${i}]`, `repeats the name "${rule.name}": each rule needs its own`);
    const catchAll = rules.find((r) => r.catchAll);
    if (catchAll) throw invalidOption(`rules[${i}]`, `("${rule.name}") can never match: "${catchAll.name}" before it matches everything`);
    names.add(rule.name);
    rules.push(rule);
  });
  return Object.freeze(rules);
}

function ruleAt(item: unknown, i: number): RuleSettings {
  const path = `rules[${i}]`;
  if (!isRecord(item)) throw invalidOption(path, 'must be a rule ({ name, when?, treatment })');
  const name = item['name'];
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100)
    throw invalidOption(`${path}.name`, 'must be a name of 1 to 100 characters (the trace and the decision show it)');
  const label = `${path} ("${name}")`;
  rejectUnknown(item, path, ['name', 'when', 'treatment'], `a rule option of "${name}"`);
  const when = conditions(item['when'], `${label}.when`);
  const treated = treatment(item['treatment'], `${label}.treatment`);
  return Object.freeze({ name, when, treatment: treated, catchAll: Object.values(when).every((condition) => condition === null) });
}

/** No condition at all: a catch-all. */
const NONE: RuleConditionSettings = Object.freeze({
  section: null,
  tag: null,
  type: null,
  newerThanMs: null,
  olderThanMs: null,
  reader: null,
  entitlements: null,
  network: null,
  country: null,
  bucket: null,
});

function conditions(value: unknown, path: string): RuleConditionSettings {
  if (value === undefined) return NONE;
  if (!isRecord(value)) throw invalidOption(path, 'must be an object of conditions');
  rejectUnknown(value, path, CONDITIONS, 'a rule condition');
  const out: Record<string, unknown> = { ...NONE };
  const list = (key: string, check?: (item: string) => string): string[] | undefined => {
    const raw = value[key];
    if (raw === undefined) return undefined;
    const items = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(items) || items.length === 0 || items.some((x) => typeof x !== 'string' || x === ''))
      throw invalidOption(`${path}.${key}`, 'must be a non-empty string or a non-empty list of them');
    return (items as string[]).map((item) => (check ? check(item) : item));
  };
  for (const key of ['section', 'tag', 'type'] as const) {
    const items = list(key);
    if (items) out[key] = new Set(items);
  }
  for (const key of ['newerThan', 'olderThan'] as const) {
    if (value[key] !== undefined) out[`${key}Ms`] = duration(value[key], `${path}.${key}`);
  }
  const readers = list('reader', (status) => {
    if (!STATUSES.includes(status as ReaderStatus)) throw invalidOption(`${path}.reader`, `has "${status}": use ${STATUSES.join(', ')}`);
    return status;
  });
  if (readers) out['reader'] = new Set(readers);
  const entitlements = list('entitlements');
  if (entitlements) out['entitlements'] = Object.freeze(entitlements);
  const network = list('network');
  if (network) {
    out['network'] = Object.freeze(
      network.map((cidr) => {
        const range = parseRange(cidr);
        if (!range) throw invalidOption(`${path}.network`, `has "${cidr}", which is not a CIDR range`);
        if (range.prefix === 0) throw invalidOption(`${path}.network`, `has "${cidr}", which is every address`);
        return range;
      }),
    );
  }
  const countries = list('country', (code) => {
    if (!/^[A-Za-z]{2}$/.test(code)) throw invalidOption(`${path}.country`, `has "${code}": use ISO 3166 two-letter codes`);
    return code.toUpperCase();
  });
  if (countries) out['country'] = new Set(countries);
  if (value['referrer'] !== undefined) {
    // Every condition here is a fact the server knows (the article, the reader's session, a
    // trusted proxy's report, a keyed A/B draw) but this one: the client writes its Referer.
    throw invalidOption(
      `${path}.referrer`,
      'is sent by the client and forged at will: a rule on it opens its articles to anyone who sends the header. ' +
        'Give readers arriving from search or social a budget with the referrals option instead ' +
        '(referrals: { budget, sources }: at most budget articles a period, claimed in the store)',
    );
  }
  const bucket = value['bucket'];
  if (bucket !== undefined) {
    if (!isRecord(bucket) || typeof bucket['experiment'] !== 'string')
      throw invalidOption(`${path}.bucket`, 'must be { experiment, variant } (a variant name or a list of them)');
    rejectUnknown(bucket, `${path}.bucket`, ['experiment', 'variant'], 'a bucket condition');
    const variants = typeof bucket['variant'] === 'string' ? [bucket['variant']] : bucket['variant'];
    if (!Array.isArray(variants) || variants.length === 0 || variants.some((v) => typeof v !== 'string'))
      throw invalidOption(`${path}.bucket.variant`, 'must be a variant name or a non-empty list of them');
    out['bucket'] = Object.freeze({ experiment: bucket['experiment'], variants: new Set(variants as string[]) });
  }
  const newer = out['newerThanMs'] as number | null;
  const older = out['olderThanMs'] as number | null;
  if (newer !== null && older !== null && older >= newer)
    throw invalidOption(path, 'olderThan must be shorter than newerThan, or no article can match both');
  return Object.freeze(out) as unknown as RuleConditionSettings;
}

/** A duration option (ms, or `'90m'`, `'24h'`, `'30d'`, `'2w'`) in ms. */
export function duration(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)([mhdw])$/.exec(value) : null;
  const ms = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN;
  if (!(ms > 0) || !Number.isSafeInteger(ms))
    throw invalidOption(path, 'must be milliseconds or a duration such as "90m", "24h", "30d", "2w"');
  return ms;
}

function treatment(value: unknown, path: string): RuleTreatmentSettings {
  if (value === 'free' || value === 'registered') return Object.freeze({ kind: value });
  if (value === 'metered') return Object.freeze({ kind: 'metered', meter: DEFAULT_METER });
  if (value === 'subscribers') return Object.freeze({ kind: 'subscribers', entitlements: Object.freeze([]) });
  if (!isRecord(value) || Object.keys(value).length !== 1)
    throw invalidOption(
      path,
      "must be 'free', 'metered', 'registered', 'subscribers', { metered: meter }, { subscribers: { entitlements } } or { institution: name }",
    );
  rejectUnknown(value, path, ['metered', 'subscribers', 'institution'], 'a rule treatment');
  if ('metered' in value) {
    const meter = value['metered'];
    if (typeof meter !== 'string' || meter === '') throw invalidOption(`${path}.metered`, 'must name a meter');
    return Object.freeze({ kind: 'metered', meter });
  }
  if ('institution' in value) {
    const institution = value['institution'];
    if (typeof institution !== 'string' || institution.trim() === '' || institution.length > 200)
      throw invalidOption(`${path}.institution`, 'must be the institution’s name (1 to 200 characters)');
    return Object.freeze({ kind: 'institution', institution });
  }
  const subscribers = value['subscribers'];
  if (!isRecord(subscribers)) throw invalidOption(`${path}.subscribers`, 'must be { entitlements?: string[] }');
  rejectUnknown(subscribers, `${path}.subscribers`, ['entitlements'], 'a subscribers option');
  const entitlements = subscribers['entitlements'] ?? [];
  if (!Array.isArray(entitlements) || entitlements.some((e) => typeof e !== 'string' || e === ''))
    throw invalidOption(`${path}.subscribers.entitlements`, 'must be a list of entitlement names');
  return Object.freeze({ kind: 'subscribers', entitlements: Object.freeze([...entitlements] as string[]) });
}

/** What `createPaywall` checks rules against: the meters that exist and the proxy. */
export interface RuleContext {
  readonly meters: ReadonlySet<string>;
  readonly proxy: ProxySettings | null;
  /** The experiments (`bucket` conditions name one of them and its variants). */
  readonly experiments: readonly ExperimentSettings[];
}

/** The checks of validated rules that need the rest of the options (cheap: no rule is parsed here). */
export function checkRules(rules: readonly RuleSettings[], context: RuleContext): void {
  rules.forEach((rule, i) => {
    const label = `rules[${i}] ("${rule.name}")`;
    const { treatment } = rule;
    if (treatment.kind === 'metered' && !context.meters.has(treatment.meter))
      throw invalidOption(
        `${label}.treatment.metered`,
        `names the meter "${treatment.meter}", which does not exist (meters: ${[...context.meters].join(', ')})`,
      );
    const { bucket } = rule.when;
    if (bucket !== null) {
      const experiment = context.experiments.find((x) => x.name === bucket.experiment);
      if (experiment === undefined)
        throw invalidOption(`${label}.when.bucket.experiment`, `names the experiment "${bucket.experiment}", which does not exist`);
      for (const variant of bucket.variants)
        if (!experiment.variants.some((v) => v.name === variant))
          throw invalidOption(`${label}.when.bucket.variant`, `names the variant "${variant}", which "${experiment.name}" does not have`);
    }
    if (rule.when.country !== null && !context.proxy?.countryHeader)
      throw invalidOption(
        `${label}.when.country`,
        'needs a trusted proxy that reports countries: set proxy.countryHeader (e.g. "cf-ipcountry")',
      );
  });
}
