// A small SVG line chart of token count and bytes per token against k (the
// number of merges applied), with a marker at the current k. Drawn with DOM
// nodes only; colours come from CSS classes (theme variables).

import { formatNumber } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 560;
const H = 200;
const PAD = { left: 52, right: 52, top: 14, bottom: 28 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

function compact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return formatNumber(n);
}

export class MergeChart {
  constructor() {
    this.el = svg('svg', {
      viewBox: `0 0 ${W} ${H}`,
      class: 'merge-chart',
      role: 'img',
      'data-testid': 'merge-chart',
      'aria-label': 'token count and bytes per token against merges applied',
    });
    this.data = null;
  }

  /** data: {ks: number[], tokens: number[], bytes: number} */
  setData(data) {
    this.data = data;
    this.draw();
  }

  setK(k, tokens) {
    this.k = k;
    this.kTokens = tokens;
    this.drawMarker();
  }

  x(k) {
    const total = this.data.ks[this.data.ks.length - 1] || 1;
    return PAD.left + ((W - PAD.left - PAD.right) * k) / total;
  }

  draw() {
    const root = this.el;
    root.replaceChildren();
    const d = this.data;
    if (!d || !d.ks.length) return;
    const maxT = Math.max(1, ...d.tokens);
    const bpt = Array.from(d.tokens, (t) => (t ? d.bytes / t : 0));
    const maxB = Math.max(1, ...bpt);
    const y = (v, max) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / max;
    this.yT = (v) => y(v, maxT);
    // Frame and ticks.
    const x0 = PAD.left;
    const x1 = W - PAD.right;
    const yb = H - PAD.bottom;
    root.append(
      svg('line', { x1: x0, y1: yb, x2: x1, y2: yb, class: 'axis' }),
      svg('line', { x1: x0, y1: PAD.top, x2: x0, y2: yb, class: 'axis' }),
      svg('line', { x1: x1, y1: PAD.top, x2: x1, y2: yb, class: 'axis' }),
      svg('line', { x1: x0, y1: PAD.top, x2: x1, y2: PAD.top, class: 'grid' }),
      svg('text', { x: x0 - 6, y: PAD.top + 4, class: 'tick tokens', 'text-anchor': 'end' }, compact(maxT)),
      svg('text', { x: x0 - 6, y: yb, class: 'tick tokens', 'text-anchor': 'end' }, '0'),
      svg('text', { x: x1 + 6, y: PAD.top + 4, class: 'tick bpt' }, maxB.toFixed(1)),
      svg('text', { x: x1 + 6, y: yb, class: 'tick bpt' }, '0'),
      svg('text', { x: x0, y: H - 8, class: 'tick' }, '0'),
      svg('text', { x: x1, y: H - 8, class: 'tick', 'text-anchor': 'end' }, `${compact(d.ks[d.ks.length - 1])} merges`),
      svg('text', { x: (x0 + x1) / 2, y: H - 8, class: 'tick', 'text-anchor': 'middle' }, 'k = merges applied'),
    );
    const line = (values, max, cls) =>
      svg('polyline', {
        class: `series ${cls}`,
        points: Array.from(d.ks, (k, i) => `${this.x(k).toFixed(1)},${y(values[i], max).toFixed(1)}`).join(' '),
      });
    root.append(line(d.tokens, maxT, 'tokens'), line(bpt, maxB, 'bpt'));
    this.marker = svg('g', { class: 'marker' });
    root.append(this.marker);
    this.drawMarker();
  }

  drawMarker() {
    if (!this.marker || this.k == null || !this.data) return;
    const total = this.data.ks[this.data.ks.length - 1];
    const k = Math.min(this.k, total);
    const x = this.x(k);
    const parts = [svg('line', { x1: x, y1: PAD.top, x2: x, y2: H - PAD.bottom, class: 'cursor' })];
    if (this.kTokens != null) parts.push(svg('circle', { cx: x, cy: this.yT(this.kTokens), r: 4, class: 'dot' }));
    this.marker.replaceChildren(...parts);
  }
}
