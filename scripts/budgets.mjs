// The size budgets, in one place: the package test enforces them, bench/run.mjs prints them
// beside the measured sizes, and a docs test checks that README and docs quote these figures.
export const BUDGETS = {
  /** A Worker that only decides (createPaywall, decide, applyDecisionHeaders), gzipped, KB. */
  decideKB: 40,
  /** A Worker that renders (createRenderer), gzipped, KB. */
  renderKB: 48,
  /** The packed tarball, KiB. */
  tarballKiB: 340,
};
