/**
 * Recognises the commonest shape of a scanned PDF page — one image XObject painted upright
 * over the page and nothing else — by reading the page's content stream with pdf-lib,
 * without decoding any image.
 *
 * Why: pdfjs decodes an image at full size and then copies it twice more (an RGBA canvas
 * and downscaling canvases) whatever the output DPI; a 9000×9000 RGB scan costs ~900 MB
 * that way. For such pages large-image-page.ts decodes the image with sharp straight to
 * the output size instead. Anything less simple (text, vector art, masks, rotated or
 * flipped placement, unusual colour spaces) returns undefined and pdfjs renders it.
 */
import {
  PDFArray,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFRawStream,
  decodePDFRawStream,
  type PDFDocument,
  type PDFObject,
  type PDFRef,
} from "pdf-lib";
import { IDENTITY, multiply, type Matrix } from "../pdf/pdf-matrix.js";

export interface PdfRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type PlacedImageEncoding = "jpeg" | "flate-raw";

export interface PlacedImage {
  encoding: PlacedImageEncoding;
  /** The encoded stream bytes (JPEG file, or zlib-compressed raw samples). */
  bytes: Uint8Array;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB); only meaningful for flate-raw. */
  channels: 1 | 3;
  /** Where the image lands on the page, in PDF user space (points, origin bottom-left). */
  rect: PdfRect;
}

/** Content-stream operators that neither draw nor change how the one image looks. */
const HARMLESS_OPS = new Set(["q", "Q", "cm", "re", "W", "W*", "n", "ri", "i", "Do"]);

type Token = { kind: "num"; value: number } | { kind: "name"; value: string } | { kind: "op"; value: string };

/**
 * Tokenise a content stream far enough to see its operators; any construct this simple
 * scanner does not understand (strings, arrays, dictionaries, inline images) ends the
 * scan with undefined, which sends the page to pdfjs.
 */
function tokenize(content: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:(%[^\r\n]*)|([+-]?(?:\d+\.?\d*|\.\d+))|\/([^\s/[\]()<>{}%]*)|([A-Za-z'"*]+)|(\S))/gy;
  let m: RegExpExecArray | null;
  let end = 0; // a failed sticky match resets lastIndex, so track the scanned length here
  while (end < content.length && (m = re.exec(content)) !== null && m[0].length > 0) {
    end = re.lastIndex;
    if (m[1] !== undefined) continue;
    if (m[2] !== undefined) tokens.push({ kind: "num", value: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ kind: "name", value: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "op", value: m[4] });
    else return undefined;
  }
  if (/\S/.test(content.slice(end))) return undefined;
  return tokens;
}

function contentOf(doc: PDFDocument, contents: PDFObject | undefined): string | undefined {
  if (contents === undefined) return undefined;
  const streams: PDFRawStream[] = [];
  // /Contents may be a stream, an array of streams, or a reference to either.
  const direct = doc.context.lookup(contents);
  const resolved = direct instanceof PDFArray ? direct.asArray() : [direct];
  for (const item of resolved) {
    const obj = doc.context.lookup(item);
    if (!(obj instanceof PDFRawStream)) return undefined;
    streams.push(obj);
  }
  try {
    return streams.map((s) => Buffer.from(decodePDFRawStream(s).decode()).toString("latin1")).join("\n");
  } catch {
    return undefined;
  }
}

function numberOf(dict: PDFDict, key: string): number | undefined {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : undefined;
}

/** Channels of a colour space pdfjs and sharp agree on without conversion; undefined for anything else. */
function simpleChannels(doc: PDFDocument, colorSpace: PDFObject | undefined): 1 | 3 | undefined {
  const cs = colorSpace === undefined ? undefined : doc.context.lookup(colorSpace);
  if (cs instanceof PDFName) {
    if (cs === PDFName.of("DeviceGray")) return 1;
    if (cs === PDFName.of("DeviceRGB")) return 3;
    return undefined;
  }
  if (cs instanceof PDFArray && cs.size() === 2 && cs.get(0) === PDFName.of("ICCBased")) {
    const profile = doc.context.lookup(cs.get(1));
    const n = profile instanceof PDFRawStream ? numberOf(profile.dict, "N") : undefined;
    return n === 1 ? 1 : n === 3 ? 3 : undefined;
  }
  return undefined;
}

function imageStream(doc: PDFDocument, resources: PDFDict | undefined, name: string): PDFRawStream | undefined {
  const xobjects = resources?.lookup(PDFName.of("XObject"));
  if (!(xobjects instanceof PDFDict)) return undefined;
  const ref = xobjects.get(PDFName.of(name)) as PDFRef | PDFRawStream | undefined;
  const stream = ref === undefined ? undefined : doc.context.lookup(ref);
  if (!(stream instanceof PDFRawStream)) return undefined;
  return stream.dict.get(PDFName.of("Subtype")) === PDFName.of("Image") ? stream : undefined;
}

/** Describe the image of `pageIndex` (0-based) when the page is exactly one plain upright image; else undefined. */
export function findSingleImagePlacement(doc: PDFDocument, pageIndex: number): PlacedImage | undefined {
  const page = doc.getPage(pageIndex);
  const content = contentOf(doc, page.node.get(PDFName.of("Contents")));
  if (content === undefined) return undefined;
  const tokens = tokenize(content);
  if (tokens === undefined) return undefined;

  let ctm: Matrix = IDENTITY;
  const stack: Matrix[] = [];
  const operands: Token[] = [];
  let placed: { name: string; ctm: Matrix } | undefined;
  for (const token of tokens) {
    if (token.kind !== "op") {
      operands.push(token);
      continue;
    }
    const op = token.value;
    if (!HARMLESS_OPS.has(op)) return undefined;
    if (op === "q") stack.push(ctm);
    else if (op === "Q") ctm = stack.pop() ?? IDENTITY;
    else if (op === "cm") {
      const nums = operands.map((t) => (t.kind === "num" ? t.value : NaN));
      if (nums.length !== 6 || nums.some((n) => !Number.isFinite(n))) return undefined;
      ctm = multiply(nums as Matrix, ctm);
    } else if (op === "Do") {
      const name = operands[0];
      if (placed !== undefined || operands.length !== 1 || name?.kind !== "name") return undefined;
      placed = { name: name.value, ctm };
    }
    // Clipping paths (re W n) are ignored: a scan's clip is the page box, and the render
    // below clips to the page anyway; a smaller clip would hide part of the scan, which is
    // rare enough that accepting it is better than decoding 250 MB twice.
    operands.length = 0;
  }
  if (placed === undefined) return undefined;

  const [a, b, c, d, e, f] = placed.ctm;
  // Upright placement only: no rotation, shear or flip.
  if (Math.abs(b) > 1e-6 || Math.abs(c) > 1e-6 || !(a > 0) || !(d > 0)) return undefined;

  const stream = imageStream(doc, page.node.Resources(), placed.name);
  if (stream === undefined) return undefined;
  const dict = stream.dict;
  if (dict.has(PDFName.of("SMask")) || dict.has(PDFName.of("Mask")) || dict.has(PDFName.of("Decode"))) return undefined;
  if (dict.get(PDFName.of("ImageMask")) !== undefined) return undefined;
  const width = numberOf(dict, "Width");
  const height = numberOf(dict, "Height");
  if (width === undefined || height === undefined || width < 1 || height < 1) return undefined;
  const filter = dict.lookup(PDFName.of("Filter"));
  const filterName = filter instanceof PDFArray && filter.size() === 1 ? filter.lookup(0) : filter;
  const rect: PdfRect = { x0: e, y0: f, x1: e + a, y1: f + d };

  if (filterName === PDFName.of("DCTDecode")) {
    // sharp reads the JPEG's own colour model (incl. CMYK/Adobe), so the colour space is not checked.
    return { encoding: "jpeg", bytes: stream.contents, width, height, channels: 3, rect };
  }
  if (filterName === PDFName.of("FlateDecode")) {
    if (numberOf(dict, "BitsPerComponent") !== 8) return undefined;
    const parms = dict.lookup(PDFName.of("DecodeParms"));
    if (parms instanceof PDFDict && (numberOf(parms, "Predictor") ?? 1) > 1) return undefined;
    if (parms instanceof PDFArray) return undefined;
    const channels = simpleChannels(doc, dict.get(PDFName.of("ColorSpace")));
    if (channels === undefined) return undefined;
    return { encoding: "flate-raw", bytes: stream.contents, width, height, channels, rect };
  }
  return undefined;
}
