/**
 * The simulation as one self-contained HTML file a person opens in a browser: the configurations
 * side by side, charts by day and of views per reader drawn with uPlot (inlined, with its CSS),
 * and the tables by section. No request leaves the page: a Content-Security-Policy forbids any.
 */
import uplotScript from 'uplot/dist/uPlot.iife.min.js?raw';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import type { SimulationResult } from './run.js';
import { type CandidateStats, VIEW_BUCKETS } from './stats.js';

/**
 * uPlot's script and stylesheet, inlined into the command's build (51 KB), so uPlot (560 kB
 * installed) is a development dependency and not installed for a site that never makes a report.
 */
const uplot = (): { script: string; css: string } => ({ script: uplotScript, css: uplotCss });

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
const num = (n: number): string => n.toLocaleString('en-GB');

/** Twelve colours told apart on screen and in print (after Paul Tol's "muted" and "bright" schemes), each line with its own dash past six. */
export const COLOURS = [
  '#332288',
  '#cc6677',
  '#117733',
  '#ddaa33',
  '#88ccee',
  '#aa4499',
  '#44aa99',
  '#882255',
  '#999933',
  '#ee7733',
  '#0077bb',
  '#000000',
] as const;

type Row = readonly [string, (c: CandidateStats) => string];

const SUMMARY: readonly Row[] = [
  ['Readers', (c) => num(c.readers)],
  ['Article views', (c) => num(c.total.views)],
  ['Full', (c) => `${num(c.total.full)} <small>${pct(c.total.full, c.total.views)}</small>`],
  ['Teaser', (c) => `${num(c.total.teaser)} <small>${pct(c.total.teaser, c.total.views)}</small>`],
  ['Prompt', (c) => `${num(c.total.prompt)} <small>${pct(c.total.prompt, c.total.views)}</small>`],
  ['Readers who met the prompt', (c) => `${num(c.metPrompt)} <small>${pct(c.metPrompt, c.readers)}</small>`],
  ['Readers who met the teaser', (c) => `${num(c.metTeaser)} <small>${pct(c.metTeaser, c.readers)}</small>`],
  ['Not page views (counted apart)', (c) => num(c.notPageViews)],
];

/** The configurations side by side (a wide screen), and one card each (a phone: the CSS shows one or the other). */
function summary(configs: readonly CandidateStats[]): string {
  const side = table(
    ['', ...configs.map((c) => esc(c.name))],
    SUMMARY.map(([label, cell]) => [label, ...configs.map(cell)]),
  );
  const cards = configs
    .map(
      (c, i) =>
        `<section class="card"><h3><span class="swatch" style="background:${COLOURS[i % COLOURS.length]}"></span>${esc(c.name)}</h3><dl>${SUMMARY.map(([label, cell]) => `<dt>${label}</dt><dd>${cell(c)}</dd>`).join('')}</dl></section>`,
    )
    .join('');
  return `<div class="scroll side">${side}</div><div class="cards">${cards}</div>`;
}

function bySection(configs: readonly CandidateStats[]): string {
  const sections = [...new Set(configs.flatMap((c) => [...c.bySection.keys()]))].sort();
  if (sections.length < 2) return '';
  const rows = sections.map((s) => [
    esc(s),
    ...configs.map((c) => {
      const t = c.bySection.get(s);
      return t === undefined ? '–' : `${num(t.views)} <small>prompt ${pct(t.prompt, t.views)} · teaser ${pct(t.teaser, t.views)}</small>`;
    }),
  ]);
  return `<h2>By section</h2><div class="scroll">${table(['Section', ...configs.map((c) => esc(c.name))], rows)}</div>`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function byDay(configs: readonly CandidateStats[], days: readonly string[]): string {
  const rows = days.map((d) => [
    esc(d),
    ...configs.map((c) => {
      const t = c.byDay.get(d);
      return t === undefined ? '–' : `${num(t.views)} <small>${num(t.full)} / ${num(t.teaser)} / ${num(t.prompt)}</small>`;
    }),
  ]);
  return `<h2>By day <small>views: full / teaser / prompt</small></h2><div class="scroll">${table(['Day', ...configs.map((c) => esc(c.name))], rows)}</div>`;
}

/** The report's HTML. */
export function formatHtml(result: SimulationResult): string {
  const { script, css } = uplot();
  const configs = result.configurations;
  const days = [...new Set(configs.flatMap((c) => [...c.byDay.keys()]))].sort();
  const data = {
    names: configs.map((c) => c.name),
    colours: COLOURS,
    days: days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000),
    prompt: configs.map((c) => days.map((d) => share(c.byDay.get(d)?.prompt, c.byDay.get(d)?.views))),
    teaser: configs.map((c) => days.map((d) => share(c.byDay.get(d)?.teaser, c.byDay.get(d)?.views))),
    prompts: configs.map((c) => days.map((d) => c.byDay.get(d)?.prompt ?? 0)),
    views: configs.map((c) => days.map((d) => c.byDay.get(d)?.views ?? 0)),
    buckets: VIEW_BUCKETS,
    perReader: configs.map((c) => VIEW_BUCKETS.map((b) => c.viewsPerReader[b] ?? 0)),
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const span =
    days.length === 1
      ? `one day, ${esc(days[0] as string)}`
      : `${days.length} days from ${esc(days[0] ?? '–')} to ${esc(days.at(-1) ?? '–')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>meterwall simulation: ${configs.map((c) => esc(c.name)).join(' · ')}</title>
<style>${css}
*, *::before, *::after { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.lede { color: #555; margin-top: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e3e0d8; text-align: right; white-space: nowrap; }
th[scope=row], thead th:first-child { text-align: left; font-weight: 500; }
thead th { border-bottom: 2px solid #1a1a1a; white-space: normal; min-width: 7rem; }
small { color: #777; margin-left: 0.3rem; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1.5rem; }
.chart { min-width: 0; }
.chart h2 { margin-top: 1rem; }
.uplot { max-width: 100%; }
.u-legend { display: block; max-width: 100%; text-align: left; }
.u-legend tbody, .u-legend tr { display: block; }
.u-legend.u-inline .u-series { display: inline-flex; max-width: 100%; }
.u-legend .u-series th, .u-legend .u-series td { white-space: normal; overflow-wrap: anywhere; text-align: left; }
.cards { display: none; }
.card { border: 1px solid #e3e0d8; border-radius: 6px; padding: 0.6rem 0.8rem; }
.card h3 { font-size: 1rem; margin: 0 0 0.4rem; overflow-wrap: anywhere; }
.card dl { display: grid; grid-template-columns: 1fr auto; gap: 0.2rem 0.8rem; margin: 0; }
.card dd { margin: 0; text-align: right; white-space: nowrap; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; border-radius: 2px; }
@media (max-width: 760px) {
  body { margin: 1rem auto; font-size: 14px; }
  h1 { font-size: 1.3rem; }
  .charts { grid-template-columns: minmax(0, 1fr); }
  .side { display: none; }
  .cards { display: grid; gap: 0.8rem; }
}
</style>
</head>
<body>
<h1>What if: ${configs.length} configuration${configs.length === 1 ? '' : 's'} over the same traffic</h1>
<p class="lede">${num(result.articleRequests)} article requests replayed through meterwall's own decision code (${num(result.otherRequests)} other requests skipped), ${span}. Readers and views count page views only: HEADs, prefetches and automated clients are counted apart, as the live site does.</p>
${summary(configs)}
<div class="charts">
<div class="chart"><h2>Views that met the prompt, by day</h2><div id="prompts"></div></div>
<div class="chart"><h2>Article views, by day</h2><div id="views"></div></div>
<div class="chart"><h2>Share of views that met the prompt, by day</h2><div id="prompt"></div></div>
<div class="chart"><h2>Share of views that met the teaser, by day</h2><div id="teaser"></div></div>
<div class="chart"><h2>Readers by article views (the traffic itself: the same in every configuration)</h2><div id="readers"></div></div>
</div>
${byDay(configs, days)}
${bySection(configs)}
<script type="application/json" id="data">${json}</script>
<script>${script}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var charts = [];
  var font = '12px system-ui, sans-serif';
  var measure = document.createElement('canvas').getContext('2d');
  measure.font = font;
  function widest(labels) {
    var w = 0;
    for (var i = 0; i < (labels || []).length; i++) w = Math.max(w, measure.measureText(String(labels[i])).width);
    return w;
  }
  // An axis as wide as its widest label (uPlot's default is a fixed 50 px, which clips "1,234,567").
  function ySize(u, values) { return Math.ceil(widest(values) + 20); }
  function series(name, i, format) {
    return { label: name, stroke: data.colours[i % data.colours.length], width: 2, dash: i < 6 ? undefined : [6, 3],
      points: { show: data.days.length < 3 }, value: function (u, v) { return v == null ? '–' : format(v); } };
  }
  var percent = function (v) { return v.toFixed(1) + '%'; };
  var count = function (v) { return Math.round(v).toLocaleString('en-GB'); };
  // One day (or two) is still a range: a day either side, never uPlot's guess of years.
  // (uPlot pads a single time point by 86400 / ms: a thousand days for timestamps in seconds.)
  function dayRange(u, min, max) {
    var xs = u.data[0], lo = xs[0], hi = xs[xs.length - 1];
    return hi - lo < 86400 * 2 ? [lo - 86400, hi + 86400] : [min, max];
  }
  function widthOf(id) { return Math.max(240, Math.min(document.getElementById(id).clientWidth, document.documentElement.clientWidth - 32)); }
  function byDay(id, ys, format) {
    charts.push(new uPlot({ width: widthOf(id), height: 260,
      scales: { x: { time: true, range: dayRange }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      series: [{}].concat(data.names.map(function (n, i) { return series(n, i, format); })),
      axes: [{ font: font, space: 70 }, { font: font, size: ySize, values: function (u, vals) { return vals.map(format); } }] },
      [data.days].concat(ys), document.getElementById(id)));
  }
  byDay('prompts', data.prompts, count);
  byDay('views', data.views, count);
  byDay('prompt', data.prompt, percent);
  byDay('teaser', data.teaser, percent);
  var xs = data.buckets.map(function (_, i) { return i; });
  charts.push(new uPlot({ width: widthOf('readers'), height: 260, scales: { x: { time: false } },
    series: [{ label: 'views' }].concat(data.names.map(function (n, i) { return series(n, i, count); })),
    axes: [{ font: font, values: function (u, vals) { return vals.map(function (v) { return data.buckets[v] || ''; }); } }, { font: font, size: ySize, values: function (u, vals) { return vals.map(count); } }] },
    [xs].concat(data.perReader), document.getElementById('readers')));
  // Each chart as wide as its column, on every layout (a phone's first layout, a rotation, a resized window).
  function fit() {
    charts.forEach(function (u) {
      var w = Math.max(240, u.root.parentNode.clientWidth);
      if (Math.abs(u.width - w) > 1) u.setSize({ width: w, height: 260 });
    });
  }
  if (typeof ResizeObserver === 'function') {
    var observer = new ResizeObserver(fit);
    document.querySelectorAll('.chart').forEach(function (c) { observer.observe(c); });
  }
  window.addEventListener('resize', fit);
  window.meterwallCharts = charts;
})();
</script>
</body>
</html>
`;
}

function share(part: number | undefined, whole: number | undefined): number | null {
  return whole === undefined || whole === 0 ? null : (100 * (part ?? 0)) / whole;
}
