/** The simulation as a self-contained HTML report (placeholder until the charts land). */
import type { SimulationResult } from './simulate.js';

export function formatHtml(result: SimulationResult): string {
  return `<!doctype html><meta charset="utf-8"><title>meterwall simulation</title><pre>${JSON.stringify(result, null, 2).replace(/</g, '&lt;')}</pre>`;
}
