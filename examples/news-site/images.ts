/** Illustrations for the example articles, drawn as SVG (no photos to download or license). */
import type { StoryArticle } from './articles.js';

/** A simple landscape in the article's palette: sky, river, hills and a bridge or skyline. */
export function illustration(article: StoryArticle): string {
  const [ink, accent, paper] = article.figure.palette;
  // A stable pseudo-random sequence from the slug, so each article has its own skyline.
  let seed = [...article.slug].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed % 1000) / 1000;
  };
  const buildings = Array.from({ length: 14 }, (_, i) => {
    const width = 50 + random() * 40;
    const height = 90 + random() * 220;
    const x = i * 86 + random() * 20;
    return `<rect x="${x.toFixed(0)}" y="${(430 - height).toFixed(0)}" width="${width.toFixed(0)}" height="${height.toFixed(0)}" fill="${ink}" opacity="${(0.55 + random() * 0.4).toFixed(2)}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 675" width="1200" height="675" role="img" aria-label="${article.section} illustration">
<rect width="1200" height="675" fill="${paper}"/>
<circle cx="${(200 + random() * 800).toFixed(0)}" cy="150" r="70" fill="${accent}" opacity="0.85"/>
${buildings}
<rect y="430" width="1200" height="245" fill="${ink}" opacity="0.9"/>
<path d="M0 470 C 300 440, 600 500, 1200 460 L1200 675 L0 675 Z" fill="${accent}" opacity="0.35"/>
<path d="M80 430 Q 600 250 1120 430" fill="none" stroke="${accent}" stroke-width="14"/>
${hangers(accent)}
</svg>`;
}

/** The bridge's hangers, reaching the arch (a quadratic curve: y = 430 - 360·t·(1 - t)). */
function hangers(colour: string): string {
  return Array.from({ length: 11 }, (_, i) => {
    const x = 180 + i * 84;
    const t = (x - 80) / 1040;
    return `<line x1="${x}" y1="${(430 - 360 * t * (1 - t)).toFixed(0)}" x2="${x}" y2="430" stroke="${colour}" stroke-width="5"/>`;
  }).join('');
}
