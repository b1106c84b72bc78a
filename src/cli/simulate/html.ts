/**
 * The simulation as one self-contained HTML file a person opens in a browser: the configurations
 * side by side, charts by day and of views per reader drawn with uPlot (inlined, with its CSS),
 * and the tables by section. No request leaves the page: a Content-Security-Policy forbids any.
 */
import uplotScript from 'uplot/dist/uPlot.iife.min.js?raw';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import type { SimulationResult } from './simulate.js';
import { type CandidateStats, VIEW_BUCKETS } from './stats.js';

/**
 * uPlot's script and stylesheet, inlined into the command's build (51 KB), so uPlot (560 kB
 * installed) is a development dependency and not installed for a site that never makes a report.
 */
const uplot = (): { script: string; css: string } => ({ script: uplotScript, css: uplotCss });

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
const num = (n: number): string => n.toLocaleString('en-GB');

function summary(configs: readonly CandidateStats[]): string {
  const rows: Array<[string, (c: CandidateStats) => string]> = [
    ['Readers', (c) => num(c.readers)],
    ['Article views', (c) => num(c.total.views)],
    ['Full', (c) => `${num(c.total.full)} <small>${pct(c.total.full, c.total.views)}</small>`],
    ['Teaser', (c) => `${num(c.total.teaser)} <small>${pct(c.total.teaser, c.total.views)}</small>`],
    ['Prompt', (c) => `${num(c.total.prompt)} <small>${pct(c.total.prompt, c.total.views)}</small>`],
    ['Readers who met the prompt', (c) => `${num(c.metPrompt)} <small>${pct(c.metPrompt, c.readers)}</small>`],
    ['Readers who met the teaser', (c) => `${num(c.metTeaser)} <small>${pct(c.metTeaser, c.readers)}</small>`],
    ['Not page views (counted apart)', (c) => num(c.notPageViews)],
  ];
  return table(
    ['', ...configs.map((c) => esc(c.name))],
    rows.map(([label, cell]) => [label, ...configs.map(cell)]),
  );
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
  return `<h2>By section</h2>${table(['Section', ...configs.map((c) => esc(c.name))], rows)}`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The report's HTML. */
export function formatHtml(result: SimulationResult): string {
  const { script, css } = uplot();
  const configs = result.configurations;
  const days = [...new Set(configs.flatMap((c) => [...c.byDay.keys()]))].sort();
  const data = {
    names: configs.map((c) => c.name),
    days: days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000),
    prompt: configs.map((c) => days.map((d) => share(c.byDay.get(d)?.prompt, c.byDay.get(d)?.views))),
    teaser: configs.map((c) => days.map((d) => share(c.byDay.get(d)?.teaser, c.byDay.get(d)?.views))),
    buckets: VIEW_BUCKETS,
    perReader: configs.map((c) => VIEW_BUCKETS.map((b) => c.viewsPerReader[b] ?? 0)),
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>meterwall simulation: ${configs.map((c) => esc(c.name)).join(' · ')}</title>
<style>${css}
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.lede { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e3e0d8; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; font-weight: 500; }
thead th { border-bottom: 2px solid #1a1a1a; }
small { color: #777; margin-left: 0.3rem; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.chart h2 { margin-top: 1rem; }
</style>
</head>
<body>
<h1>What if: ${configs.length} configuration${configs.length === 1 ? '' : 's'} over the same traffic</h1>
<p class="lede">${num(result.articleRequests)} article requests replayed through meterwall's own decision code (${num(result.otherRequests)} other requests skipped), ${days.length} days from ${esc(days[0] ?? '–')} to ${esc(days.at(-1) ?? '–')}.</p>
${summary(configs)}
<div class="charts">
<div class="chart"><h2>Share of views that met the prompt, by day</h2><div id="prompt"></div></div>
<div class="chart"><h2>Share of views that met the teaser, by day</h2><div id="teaser"></div></div>
<div class="chart"><h2>Readers by article views (the traffic itself: the same in every configuration)</h2><div id="readers"></div></div>
</div>
${bySection(configs)}
<script type="application/json" id="data">${json}</script>
<script>${script}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var colours = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#0a7a86'];
  var width = Math.min(520, document.querySelector('.chart').clientWidth);
  function series(name, i, percent) {
    return { label: name, stroke: colours[i % colours.length], width: 2, value: function (u, v) { return v == null ? '–' : percent ? v.toFixed(1) + '%' : v; } };
  }
  function line(id, ys) {
    new uPlot({ width: width, height: 260, scales: { y: { range: [0, null] } },
      series: [{}].concat(data.names.map(function (n, i) { return series(n, i, true); })),
      axes: [{}, { values: function (u, vals) { return vals.map(function (v) { return v + '%'; }); } }] },
      [data.days].concat(ys), document.getElementById(id));
  }
  line('prompt', data.prompt);
  line('teaser', data.teaser);
  var xs = data.buckets.map(function (_, i) { return i; });
  new uPlot({ width: width, height: 260, scales: { x: { time: false } },
    series: [{ label: 'views' }].concat(data.names.map(function (n, i) { return series(n, i, false); })),
    axes: [{ values: function (u, vals) { return vals.map(function (v) { return data.buckets[v] || ''; }); } }, {}] },
    [xs].concat(data.perReader), document.getElementById('readers'));
})();
</script>
</body>
</html>
`;
}

function share(part: number | undefined, whole: number | undefined): number | null {
  return whole === undefined || whole === 0 ? null : (100 * (part ?? 0)) / whole;
}
