import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFStream,
  type PDFObject,
} from "pdf-lib";
import { yieldToEventLoop } from "./yield.js";

/**
 * What a page's content stream draws, as far as deciding about its text layer needs:
 * how much text is visible vs invisible (render mode 3/7, the mode OCR tools use for their
 * hidden layers), and how much of the page images cover, and where.
 *
 * pdf.js's getTextContent drops the render mode, and its operator list decodes every image
 * (seconds and hundreds of MB for a 9000 × 9000 scan). So we read the content streams
 * ourselves with a small tokenizer over pdf-lib's parsed objects: no image is ever decoded.
 */
export interface PageContentStats {
  /** String bytes shown with a visible render mode (≈ characters; 2 per glyph for CID fonts). */
  visibleTextBytes: number;
  /** String bytes shown with render mode 3 (invisible) or 7 (clip only). */
  invisibleTextBytes: number;
  imageCount: number;
  /** Sum of drawn image areas over the page area, capped at 1. */
  imageCoverage: number;
  /** The largest single image's share of the page area (a full-page scan is ≈ 1). */
  largestImageCoverage: number;
  /**
   * Where images are drawn: each image's bounding box in PDF user space (points, y up), in
   * drawing order, at most MAX_IMAGE_BOXES of them. Lets a text-layer page OCR just the
   * pictures that may hold text the layer lacks.
   */
  imageBoxes: PdfRect[];
}

/** A rectangle in PDF user space: x0 < x1, y0 < y1. */
export type PdfRect = [number, number, number, number];

/** Enough for any real page; a page of thousands of tiny images (a pattern) stops recording. */
const MAX_IMAGE_BOXES = 64;

const MAX_FORM_DEPTH = 8;

type Operand =
  | { t: "num"; v: number }
  | { t: "name"; v: string }
  | { t: "str"; n: number }
  | { t: "arr"; n: number }
  | { t: "other" };

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

function isDelimiter(c: number): boolean {
  return c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
}

interface Accumulator {
  visible: number;
  invisible: number;
  images: number;
  imageArea: number;
  largestImage: number;
  imageBoxes: PdfRect[];
}

class ContentScanner {
  constructor(
    private readonly doc: PDFDocument,
    private readonly acc: Accumulator,
  ) {}

  scan(data: Uint8Array, resources: PDFDict | undefined, ctm: Matrix, depth: number, seen: Set<string>): void {
    const stack: Operand[] = [];
    const arrays: number[] = []; // stack positions where '[' / '<<' started
    const gstack: Array<{ ctm: Matrix; tr: number }> = [];
    let tr = 0;
    let i = 0;
    const n = data.length;
    while (i < n) {
      const c = data[i] ?? 0;
      if (isWhite(c)) {
        i++;
      } else if (c === 0x25) {
        while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++;
      } else if (c === 0x28) {
        // Literal string: balanced parentheses, backslash escapes.
        let depthParen = 1;
        let len = 0;
        i++;
        while (i < n && depthParen > 0) {
          const ch = data[i] ?? 0;
          if (ch === 0x5c) {
            i += 2;
            len++;
            continue;
          }
          if (ch === 0x28) depthParen++;
          else if (ch === 0x29) depthParen--;
          if (depthParen > 0) len++;
          i++;
        }
        stack.push({ t: "str", n: len });
      } else if (c === 0x3c && data[i + 1] === 0x3c) {
        arrays.push(stack.length);
        i += 2;
      } else if (c === 0x3e && data[i + 1] === 0x3e) {
        const start = arrays.pop() ?? 0;
        stack.length = Math.min(stack.length, start);
        stack.push({ t: "other" });
        i += 2;
      } else if (c === 0x3c) {
        let digits = 0;
        i++;
        while (i < n && data[i] !== 0x3e) {
          if (!isWhite(data[i] ?? 0)) digits++;
          i++;
        }
        i++;
        stack.push({ t: "str", n: Math.ceil(digits / 2) });
      } else if (c === 0x5b) {
        arrays.push(stack.length);
        i++;
      } else if (c === 0x5d) {
        const start = arrays.pop() ?? 0;
        const items = stack.splice(start);
        stack.push({ t: "arr", n: items.reduce((s, o) => s + (o.t === "str" ? o.n : 0), 0) });
        i++;
      } else if (c === 0x2f) {
        let j = i + 1;
        while (j < n && !isWhite(data[j] ?? 0) && !isDelimiter(data[j] ?? 0)) j++;
        stack.push({ t: "name", v: String.fromCharCode(...data.subarray(i + 1, j)) });
        i = j;
      } else if (c === 0x7b || c === 0x7d || c === 0x29 || c === 0x3e) {
        i++; // stray delimiters: skip
      } else {
        let j = i;
        while (j < n && !isWhite(data[j] ?? 0) && !isDelimiter(data[j] ?? 0)) j++;
        const word = String.fromCharCode(...data.subarray(i, Math.min(j, i + 32)));
        i = j;
        if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
          stack.push({ t: "num", v: Number(word) });
          continue;
        }
        if (word === "true" || word === "false" || word === "null") {
          stack.push({ t: "other" });
          continue;
        }
        // An operator: act on it, then clear the operands (an unclosed array is abandoned).
        switch (word) {
          case "q":
            gstack.push({ ctm, tr });
            break;
          case "Q": {
            const saved = gstack.pop();
            if (saved) ({ ctm, tr } = saved);
            break;
          }
          case "cm": {
            const m = numbers(stack, 6);
            if (m) ctm = multiply(m as Matrix, ctm);
            break;
          }
          case "Tr": {
            const m = numbers(stack, 1);
            if (m) tr = m[0] ?? 0;
            break;
          }
          case "Tj":
          case "'":
          case "TJ":
          case '"': {
            const top = stack[stack.length - 1];
            const count = top && (top.t === "str" || top.t === "arr") ? top.n : 0;
            if (tr === 3 || tr === 7) this.acc.invisible += count;
            else this.acc.visible += count;
            break;
          }
          case "Do": {
            const top = stack[stack.length - 1];
            if (top?.t === "name") this.drawXObject(top.v, resources, ctm, depth, seen);
            break;
          }
          case "BI":
            i = skipInlineImage(data, i);
            this.addImage(ctm);
            break;
          default:
            break;
        }
        stack.length = 0;
        arrays.length = 0;
      }
    }
  }

  private addImage(ctm: Matrix): void {
    const area = Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]);
    this.acc.images += 1;
    this.acc.imageArea += area;
    this.acc.largestImage = Math.max(this.acc.largestImage, area);
    if (area > 0 && this.acc.imageBoxes.length < MAX_IMAGE_BOXES) this.acc.imageBoxes.push(unitSquareBounds(ctm));
  }

  private drawXObject(name: string, resources: PDFDict | undefined, ctm: Matrix, depth: number, seen: Set<string>): void {
    const xobjects = resources?.lookupMaybe(PDFName.of("XObject"), PDFDict);
    const raw = xobjects?.get(PDFName.of(name));
    const key = raw instanceof PDFRef ? raw.toString() : undefined;
    const stream = raw ? this.doc.context.lookup(raw) : undefined;
    if (!(stream instanceof PDFStream)) return;
    const subtype = stream.dict.lookupMaybe(PDFName.of("Subtype"), PDFName);
    if (subtype === PDFName.of("Image")) {
      this.addImage(ctm);
      return;
    }
    if (subtype !== PDFName.of("Form") || depth >= MAX_FORM_DEPTH || (key && seen.has(key))) return;
    const matrixArray = stream.dict.lookupMaybe(PDFName.of("Matrix"), PDFArray);
    const matrix = matrixArray ? (matrixArray.asArray().map((o) => (o instanceof PDFNumber ? o.asNumber() : 0)) as Matrix) : undefined;
    const formResources = stream.dict.lookupMaybe(PDFName.of("Resources"), PDFDict) ?? resources;
    const contents = decodeStream(stream);
    if (!contents) return;
    const nextSeen = new Set(seen);
    if (key) nextSeen.add(key);
    const formCtm = matrix && matrix.length === 6 ? multiply(matrix, ctm) : ctm;
    this.scan(contents, formResources, formCtm, depth + 1, nextSeen);
  }
}

/** An image fills the unit square of its CTM: the bounds of that square's four corners. */
function unitSquareBounds(ctm: Matrix): PdfRect {
  const xs = [ctm[4], ctm[0] + ctm[4], ctm[2] + ctm[4], ctm[0] + ctm[2] + ctm[4]];
  const ys = [ctm[5], ctm[1] + ctm[5], ctm[3] + ctm[5], ctm[1] + ctm[3] + ctm[5]];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function numbers(stack: Operand[], count: number): number[] | undefined {
  if (stack.length < count) return undefined;
  const values = stack.slice(stack.length - count).map((o) => (o.t === "num" ? o.v : NaN));
  return values.every(Number.isFinite) ? values : undefined;
}

/** Skip "BI … ID <binary> EI": the data may contain anything, so look for whitespace-EI-whitespace. */
function skipInlineImage(data: Uint8Array, from: number): number {
  let i = from;
  while (i + 1 < data.length && !(data[i] === 0x49 && data[i + 1] === 0x44 && isWhite(data[i + 2] ?? 0x20))) i++;
  i += 3;
  while (i + 2 < data.length) {
    if (isWhite(data[i] ?? 0) && data[i + 1] === 0x45 && data[i + 2] === 0x49 && (i + 3 >= data.length || isWhite(data[i + 3] ?? 0))) {
      return i + 3;
    }
    i++;
  }
  return data.length;
}

function decodeStream(stream: PDFObject): Uint8Array | undefined {
  try {
    if (stream instanceof PDFRawStream) return decodePDFRawStream(stream).decode();
    if (stream instanceof PDFStream) return stream.getContents();
  } catch {
    // Unsupported filter or corrupt data: we know nothing about this stream.
  }
  return undefined;
}

function pageContents(doc: PDFDocument, contents: PDFObject | undefined): Uint8Array[] {
  if (contents === undefined) return [];
  const resolved = doc.context.lookup(contents);
  const parts: Uint8Array[] = [];
  const streams = resolved instanceof PDFArray ? resolved.asArray().map((o) => doc.context.lookup(o)) : [resolved];
  for (const s of streams) {
    if (!s) continue;
    const data = decodeStream(s);
    if (data === undefined) throw new Error("undecodable content stream");
    parts.push(data);
  }
  return parts;
}

function concatWithNewlines(parts: Uint8Array[]): Uint8Array {
  // Content stream parts are one stream split anywhere on token boundaries; join with '\n'.
  const total = parts.reduce((s, p) => s + p.length + 1, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
    out[offset++] = 0x0a;
  }
  return out;
}

export interface ContentStatsOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Stats for every page, index = page number − 1. An entry is null when that page's content
 * could not be read (e.g. an unsupported filter); the whole result is null when the PDF
 * cannot be loaded by pdf-lib or is encrypted (pdf-lib cannot decrypt its streams).
 */
export async function scanContentStats(
  bytes: Uint8Array,
  options: ContentStatsOptions = {},
): Promise<Array<PageContentStats | null> | null> {
  let doc: PDFDocument;
  try {
    // The default parse speed yields to the event loop every 100 objects.
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    return null;
  }
  if (doc.isEncrypted) return null;
  let pages;
  try {
    pages = doc.getPages();
  } catch {
    return null; // no usable page tree (pdf.js may still repair it; we just know nothing)
  }
  const out: Array<PageContentStats | null> = [];
  for (const page of pages) {
    options.signal?.throwIfAborted();
    try {
      const acc: Accumulator = { visible: 0, invisible: 0, images: 0, imageArea: 0, largestImage: 0, imageBoxes: [] };
      const data = concatWithNewlines(pageContents(doc, page.node.get(PDFName.of("Contents"))));
      new ContentScanner(doc, acc).scan(data, page.node.Resources(), [1, 0, 0, 1, 0, 0], 0, new Set());
      const { width, height } = page.getSize();
      const pageArea = Math.max(width * height, 1);
      out.push({
        visibleTextBytes: acc.visible,
        invisibleTextBytes: acc.invisible,
        imageCount: acc.images,
        imageCoverage: Math.min(1, acc.imageArea / pageArea),
        largestImageCoverage: Math.min(1, acc.largestImage / pageArea),
        imageBoxes: acc.imageBoxes,
      });
    } catch {
      out.push(null);
    }
    await yieldToEventLoop();
  }
  return out;
}
