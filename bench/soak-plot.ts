/**
 * The soak benchmark's chart: hand-written SVG line charts (no dependency), one panel per
 * measure, one line per process, minutes on the x axis.
 */

export interface Series {
  name: string;
  /** [minutes since start, value] */
  points: [number, number][];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const WIDTH = 860;
const PANEL_HEIGHT = 240;
const MARGIN = { left: 64, right: 150, top: 34, bottom: 40 };
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A round step giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  for (const factor of [1, 2, 5, 10]) if (raw <= factor * magnitude) return factor * magnitude;
  return 10 * magnitude;
}

function panelSvg(panel: Panel, top: number): string {
  const xs = panel.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = panel.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  // From zero, so a flat line looks flat and growth is seen against the whole.
  const yStep = niceStep(Math.max(1, ...ys), 5);
  const yMax = Math.ceil(Math.max(1, ...ys) / yStep) * yStep;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + (v / xMax) * plotWidth;
  const y = (v: number) => top + MARGIN.top + plotHeight - (v / yMax) * plotHeight;
  const parts: string[] = [
    `<text x="${MARGIN.left}" y="${top + 20}" font-size="14" font-weight="bold">${escape(panel.title)}</text>`,
  ];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}</text>`,
    );
  }
  const xStep = niceStep(xMax, 8);
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${top + MARGIN.top}" y2="${top + MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${top + MARGIN.top + plotHeight + 16}" font-size="11" text-anchor="middle">${v}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${top + PANEL_HEIGHT - 6}" font-size="11" text-anchor="middle">minutes</text>`,
    `<text x="14" y="${top + MARGIN.top + plotHeight / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${top + MARGIN.top + plotHeight / 2})">${escape(panel.unit)}</text>`,
  );
  panel.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const path = series.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${path}"/>`);
    const legendY = top + MARGIN.top + 14 * index + 8;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 32}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 38}" y="${legendY + 4}" font-size="11">${escape(series.name)}</text>`,
    );
  });
  return parts.join("\n");
}

/** The panels stacked in one SVG document. */
export function lineChartsSvg(title: string, panels: Panel[]): string {
  const height = 30 + panels.length * PANEL_HEIGHT;
  const body = panels.map((panel, index) => panelSvg(panel, 30 + index * PANEL_HEIGHT)).join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="20" font-size="15" text-anchor="middle">${escape(title)}</text>`,
    body,
    "</svg>",
    "",
  ].join("\n");
}
