/** A small time plot of a numeric resource's recent values, as inline SVG. */
import { html } from './html.js';
import type { Point } from './values.js';

export function Plot({ points, units }: { points: Point[]; units?: string }) {
  if (points.length < 2) return null;
  const w = 160;
  const h = 36;
  const t0 = points[0]!.t;
  const t1 = points[points.length - 1]!.t;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.v);
    hi = Math.max(hi, p.v);
  }
  const span = hi - lo || 1;
  const x = (t: number): number => (t1 === t0 ? w : ((t - t0) / (t1 - t0)) * (w - 4) + 2);
  const y = (v: number): number => h - 3 - ((v - lo) / span) * (h - 6);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const label = `${points.length} values from ${lo} to ${hi}${units ? ` ${units}` : ''}`;
  return html`<svg class="plot" viewBox="0 0 ${w} ${h}" width=${w} height=${h} role="img" aria-label=${label}>
    <title>${label}</title>
    <polyline points=${line} fill="none" stroke="currentColor" stroke-width="1.5" />
    ${points.map((p) => html`<circle cx=${x(p.t)} cy=${y(p.v)} r="1.5" fill="currentColor" />`)}
  </svg>`;
}
