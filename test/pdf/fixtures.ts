/**
 * Fixtures the PDF, intake and export tests generate on the fly (no binary files in the
 * repository): text PDFs made with pdf-lib, hand-written encrypted PDFs, crafted image
 * headers and TIFF directory chains.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import fontkit from "@pdf-lib/fontkit";
import {
  beginText,
  degrees,
  endText,
  PDFDocument,
  setFontAndSize,
  setTextMatrix,
  setTextRenderingMode,
  showText,
  StandardFonts,
  TextRenderingMode,
  type PDFFont,
} from "pdf-lib";
import type { BBox, Block, DocumentModel, Line, Page, Word } from "../../src/domain/document-model.js";
import { liberationSansPath } from "../../src/exports/ocr-text-font.js";

export interface TextRun {
  text: string;
  x: number;
  /** Baseline, PDF user space (points from the bottom). */
  y: number;
  size?: number;
}

export interface TextPageSpec {
  size?: [number, number];
  rotate?: number;
  /** pdf-lib's setCropBox arguments: x, y, width, height. */
  cropBox?: [number, number, number, number];
  runs?: TextRun[];
  /** Draw the runs in render mode 3 (an invisible OCR layer). */
  invisible?: boolean;
  /** An image drawn under the text. */
  image?: { png: Uint8Array; x: number; y: number; width: number; height: number };
}

/** A PDF with real text objects. Unicode text (e.g. Polish) needs `unicode: true` (embeds Liberation Sans). */
export async function makeTextPdf(pages: TextPageSpec[], options: { unicode?: boolean } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  let font: PDFFont;
  if (options.unicode) {
    doc.registerFontkit(fontkit);
    font = await doc.embedFont(await readFile(liberationSansPath()), { subset: true });
  } else {
    font = await doc.embedFont(StandardFonts.Helvetica);
  }
  for (const spec of pages) {
    const page = doc.addPage(spec.size ?? [612, 792]);
    if (spec.image) {
      const img = await doc.embedPng(spec.image.png);
      page.drawImage(img, { x: spec.image.x, y: spec.image.y, width: spec.image.width, height: spec.image.height });
    }
    if (spec.invisible) {
      // drawText has no render-mode option: write the operators ourselves.
      const key = page.node.newFontDictionary(font.name, font.ref);
      for (const run of spec.runs ?? []) {
        page.pushOperators(
          beginText(),
          setFontAndSize(key, run.size ?? 12),
          setTextRenderingMode(TextRenderingMode.Invisible),
          setTextMatrix(1, 0, 0, 1, run.x, run.y),
          showText(font.encodeText(run.text)),
          endText(),
        );
      }
    } else {
      for (const run of spec.runs ?? []) page.drawText(run.text, { x: run.x, y: run.y, size: run.size ?? 12, font });
    }
    if (spec.rotate) page.setRotation(degrees(spec.rotate));
    if (spec.cropBox) page.setCropBox(...spec.cropBox);
  }
  return doc.save({ addDefaultPage: false });
}

/** Lines of body text starting at the top of a Letter page, 14 pt apart. */
export function paragraph(lines: string[], x = 72, top = 720, size = 11): TextRun[] {
  return lines.map((text, i) => ({ text, x, y: top - i * size * 1.3, size }));
}

// --- hand-written PDFs -------------------------------------------------------------------

/** Serialise numbered objects into a PDF with a correct xref table. */
export function assemblePdf(objects: string[], trailer: string): Uint8Array {
  let out = "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} ${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}

const PASSWORD_PAD = Buffer.from("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a", "hex");

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + (s[i] ?? 0) + (key[i % key.length] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
  }
  const out = Buffer.alloc(data.length);
  let i = 0;
  j = 0;
  for (let k = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + (s[i] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
    out[k] = (data[k] ?? 0) ^ (s[((s[i] ?? 0) + (s[j] ?? 0)) & 0xff] ?? 0);
  }
  return out;
}

function md5(...parts: Buffer[]): Buffer {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * A one-page PDF with a Standard security handler (RC4 40-bit, revision 2). With
 * `userPassword: true` the /U entry matches no empty password, so opening needs one
 * (encrypted_pdf). With `userPassword: false` the empty user password is valid (only an
 * owner password restricts it), computed per PDF 1.7 algorithms 3 and 4. The page has no
 * strings or streams, so nothing else needs encrypting.
 */
export function makeEncryptedPdf(options: { userPassword: boolean }): Uint8Array {
  const id = randomBytes(16);
  const p = -44; // print and copy denied
  const pBytes = Buffer.alloc(4);
  pBytes.writeInt32LE(p);
  const ownerKey = md5(Buffer.concat([Buffer.from("owner-secret"), PASSWORD_PAD]).subarray(0, 32)).subarray(0, 5);
  const o = rc4(ownerKey, PASSWORD_PAD);
  const fileKey = md5(PASSWORD_PAD, o, pBytes, id).subarray(0, 5);
  const u = options.userPassword ? randomBytes(32) : rc4(fileKey, PASSWORD_PAD);
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    `<< /Filter /Standard /V 1 /R 2 /O <${o.toString("hex")}> /U <${u.toString("hex")}> /P ${p} >>`,
  ];
  return assemblePdf(objects, `/Root 1 0 R /Encrypt 4 0 R /ID [<${id.toString("hex")}> <${id.toString("hex")}>]`);
}

// --- images ------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose IHDR claims `width` × `height` (valid CRC) with a tiny, truncated IDAT. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", Buffer.from([0x78, 0x9c, 0x63, 0x60])),
      pngChunk("IEND", Buffer.alloc(0)),
    ]),
  );
}

/**
 * A little-endian TIFF with `pages` directories of 1 × 1 pixel (no strips: a header-only
 * chain, which is all page counting should read). 42 bytes per page.
 */
export function tiffWithPages(pages: number, options: { loop?: boolean } = {}): Uint8Array {
  const entries = 3;
  const ifdSize = 2 + entries * 12 + 4;
  const buf = Buffer.alloc(8 + pages * ifdSize);
  buf.write("II", 0, "latin1");
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  for (let i = 0; i < pages; i++) {
    const at = 8 + i * ifdSize;
    buf.writeUInt16LE(entries, at);
    const entry = (k: number, tagId: number, value: number): void => {
      const e = at + 2 + k * 12;
      buf.writeUInt16LE(tagId, e);
      buf.writeUInt16LE(3, e + 2); // SHORT
      buf.writeUInt32LE(1, e + 4);
      buf.writeUInt16LE(value, e + 8);
    };
    entry(0, 256, 1); // ImageWidth
    entry(1, 257, 1); // ImageLength
    entry(2, 259, 1); // Compression: none
    const next = i + 1 < pages ? at + ifdSize : options.loop ? 8 : 0;
    buf.writeUInt32LE(next, at + 2 + entries * 12);
  }
  return new Uint8Array(buf);
}

// --- document models ---------------------------------------------------------------------

export function bbox(x0: number, y0: number, x1: number, y1: number): BBox {
  return { x0, y0, x1, y1 };
}

/** A line of words laid out left to right from `x`, each character `charWidth` wide. */
export function modelLine(
  text: string,
  x: number,
  y: number,
  height: number,
  charWidth = height * 0.5,
  confidence = 90,
): Line {
  const words: Word[] = [];
  let cursor = x;
  for (const part of text.split(" ")) {
    if (part === "") {
      cursor += charWidth;
      continue;
    }
    const w = part.length * charWidth;
    words.push({ text: part, bbox: bbox(cursor, y, cursor + w, y + height), confidence });
    cursor += w + charWidth;
  }
  const last = words[words.length - 1];
  return { bbox: bbox(x, y, last ? last.bbox.x1 : x, y + height), confidence, words };
}

export function modelBlock(kind: Block["kind"], lines: Line[], table?: { rows: string[][] }): Block {
  const x0 = Math.min(...lines.map((l) => l.bbox.x0));
  const y0 = Math.min(...lines.map((l) => l.bbox.y0));
  const x1 = Math.max(...lines.map((l) => l.bbox.x1));
  const y1 = Math.max(...lines.map((l) => l.bbox.y1));
  return { kind, bbox: bbox(x0, y0, x1, y1), confidence: 90, lines, ...(table ? { table } : {}) };
}

export function modelPage(number: number, blocks: Block[], overrides: Partial<Page> = {}): Page {
  return {
    number,
    width: 2550,
    height: 3300,
    dpi: 300,
    source: "ocr",
    rotation: 0,
    skew: 0,
    confidence: 90,
    blocks,
    ...overrides,
  };
}

export function model(pages: Page[], languages = ["eng"]): DocumentModel {
  return { version: 1, documentId: "doc-1", languages, engine: "test", pages };
}
