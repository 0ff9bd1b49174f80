// Charts drawn on the server as inline SVG: no script, no library, nothing to load, and they print. Each chart is an
// image with a title for screen readers; the pages put the same numbers in a table beside it.

export interface ChartSeries {
  label: string;
  /** A CSS colour; the legend repeats it next to the label, so colour is never the only cue. */
  color: string;
  values: number[];
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The y axis is cut in this many steps. */
const STEPS = 4;

/** A round upper bound for the y axis of counts: STEPS whole steps of 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  const rough = Math.max(1, max / STEPS);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return Math.max(1, Math.ceil(step)) * STEPS;
}

/** Long labels are cut, with the whole label kept in a tooltip. */
function fitLabel(label: string, max = 28): string {
  const short = label.length > max ? `${label.slice(0, max - 1)}…` : label;
  return short === label ? escapeXml(label) : `<title>${escapeXml(label)}</title>${escapeXml(short)}`;
}

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/** Lines over days: one polyline per series, with dots, gridlines at quarters of the axis, and day labels. */
export function lineChart(id: string, title: string, labels: string[], series: ChartSeries[]): string {
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const grid = Array.from({ length: STEPS + 1 }, (_, i) => {
    const value = (top * i) / STEPS;
    const text = String(value);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(value)}" y2="${y(value)}" class="grid"/><text x="${PAD.left - 6}" y="${y(value) + 4}" text-anchor="end">${text}</text>`;
  });
  const ticks = labels
    .map((label, i) => ({ label, i }))
    .filter(({ i }) => i === 0 || i === labels.length - 1 || i === Math.floor((labels.length - 1) / 2))
    .map(({ label, i }) => {
      // The first and last labels sit inside the chart, so neither is cut at the edge.
      const anchor = i === 0 ? 'start' : i === labels.length - 1 ? 'end' : 'middle';
      return `<text x="${x(i)}" y="${H - 8}" text-anchor="${anchor}">${escapeXml(label)}</text>`;
    });
  const lines = series.map((s) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = s.values.map((v, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5"/>`).join('');
    return `<g stroke="${s.color}" fill="${s.color}"><polyline points="${points}" fill="none" stroke-width="2"/>${dots}</g>`;
  });
  const summary = series.map((s) => `${s.label}: ${s.values.reduce((a, b) => a + b, 0)} in all`).join('; ');
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(summary)}</desc>` +
    `${grid.join('')}${ticks.join('')}${lines.join('')}</svg>`
  );
}

/** Horizontal bars, one per row, longest first as given, with the value written at the end of each bar. */
export function barChart(id: string, title: string, rows: { label: string; value: number }[], color: string): string {
  const rowH = 26;
  const labelW = 270;
  const height = Math.max(1, rows.length) * rowH + 8;
  const top = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const barMax = W - labelW - 60;
  const bars = rows.map((r, i) => {
    const yTop = 4 + i * rowH;
    const w = Math.max(r.value > 0 ? 2 : 0, (r.value / top) * barMax);
    return (
      `<text x="${labelW - 8}" y="${yTop + 17}" text-anchor="end">${fitLabel(r.label)}</text>` +
      `<rect x="${labelW}" y="${yTop + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${color}"/>` +
      `<text x="${labelW + w + 6}" y="${yTop + 17}">${r.value}</text>`
    );
  });
  const summary = rows.map((r) => `${r.label}: ${r.value}`).join('; ');
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(summary || 'no data')}</desc>` +
    `${bars.join('')}</svg>`
  );
}
