import type { BBox } from "../domain/document-model.js";
import { roundOrientation, type PositionedWord } from "./layout/positioned-word.js";
import { pdfToPixel, type PageGeometry } from "./page-geometry.js";

/**
 * pdf.js `getTextContent` gives runs of text ("items"), each with a transform (font size,
 * direction and baseline origin in PDF user space) and a total advance width — but no
 * per-glyph positions. We split an item into words at whitespace and share its width among
 * the characters in proportion to Helvetica's advance widths: most body fonts have similar
 * proportions, which puts word boundaries within a fraction of a character of the truth
 * (uniform widths would be off by whole characters on "Illinois" vs "WWW").
 */

/** The parts of a pdf.js TextItem we use. */
export interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
  fontName: string;
}

/** The parts of a pdf.js TextStyle we use. */
export interface TextStyleLike {
  ascent?: number;
  descent?: number;
  vertical?: boolean;
}

/** Helvetica advance widths (1/1000 em) for U+0020–U+007E. */
const HELVETICA_ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
  778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556,
  278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334,
  584,
];

function charWeight(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0x20;
  if (cp >= 0x20 && cp <= 0x7e) return HELVETICA_ASCII[cp - 0x20] ?? 556;
  // CJK, Hangul, full-width forms: one em.
  if ((cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xff00 && cp <= 0xffef)) return 1000;
  // Combining marks take no advance of their own.
  if (/\p{M}/u.test(ch)) return 0;
  return 556;
}

function clamp(value: number | undefined, lo: number, hi: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value) || value === 0) return fallback;
  return Math.min(hi, Math.max(lo, value));
}

/**
 * Words of one text item, boxed in page pixel space (top-left origin, at `dpi`, after
 * /Rotate). Boxes span from the font's descent to its ascent, clamped to sane values because
 * many PDFs (OCR layers with glyphless fonts especially) declare nonsense metrics.
 */
export function textItemWords(
  item: TextItemLike,
  style: TextStyleLike | undefined,
  geometry: PageGeometry,
  dpi: number,
): PositionedWord[] {
  const chars = [...item.str];
  if (chars.every((c) => /\s/u.test(c))) return [];
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const advanceNorm = Math.hypot(a, b);
  const fontHeight = Math.hypot(c, d);
  if (!(advanceNorm > 0 && fontHeight > 0)) return [];
  const dir = [a / advanceNorm, b / advanceNorm] as const;
  const up = [c / fontHeight, d / fontHeight] as const;
  const ascent = clamp(style?.ascent, 0.6, 1.1, 0.8);
  const descent = clamp(style?.descent, -0.4, -0.1, -0.2);

  // Vertical writing: no reliable per-character advance; one box for the whole item.
  if (style?.vertical) {
    return [wholeItemVertical(item, fontHeight, geometry, dpi)];
  }

  const weights = chars.map(charWeight);
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  const advance = item.width > 0 ? item.width : (total / 1000) * advanceNorm;
  const perUnit = advance / total;
  const offsets: number[] = [0];
  for (const w of weights) offsets.push((offsets[offsets.length - 1] ?? 0) + w * perUnit);

  const point = (s: number, t: number): [number, number] =>
    pdfToPixel(geometry, dpi, e + dir[0] * s + up[0] * t * fontHeight, f + dir[1] * s + up[1] * t * fontHeight);
  const [ox, oy] = point(0, 0);
  const [dx, dy] = point(1, 0);
  const orientation = roundOrientation((Math.atan2(dy - oy, dx - ox) * 180) / Math.PI);
  const size = (fontHeight * dpi) / 72;

  const words: PositionedWord[] = [];
  let i = 0;
  while (i < chars.length) {
    while (i < chars.length && /\s/u.test(chars[i] ?? "")) i++;
    if (i >= chars.length) break;
    const start = i;
    while (i < chars.length && !/\s/u.test(chars[i] ?? "")) i++;
    const s0 = offsets[start] ?? 0;
    const s1 = offsets[i] ?? s0;
    const corners = [point(s0, descent), point(s1, descent), point(s0, ascent), point(s1, ascent)];
    words.push({
      text: chars.slice(start, i).join(""),
      bbox: boxOf(corners),
      confidence: 100,
      size,
      orientation,
      joinBefore: start === 0,
      joinAfter: i === chars.length,
    });
  }
  return words;
}

function boxOf(points: Array<[number, number]>): BBox {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function wholeItemVertical(item: TextItemLike, fontHeight: number, geometry: PageGeometry, dpi: number): PositionedWord {
  const [, , , , e = 0, f = 0] = item.transform;
  // pdf.js gives vertical runs their origin at the top, extending down by `height`.
  const half = fontHeight / 2;
  const corners = [pdfToPixel(geometry, dpi, e - half, f), pdfToPixel(geometry, dpi, e + half, f - item.height)];
  return {
    text: item.str.trim(),
    bbox: boxOf(corners),
    confidence: 100,
    size: (fontHeight * dpi) / 72,
    orientation: 90,
    joinBefore: false,
    joinAfter: false,
  };
}
