/**
 * SROIE's 50 receipts (../shared/data/sroie): each receipt's image, its truth (key/NNN.json)
 * and a document model built from the dataset's own OCR lines (box/NNN.csv), so extraction can
 * be judged apart from Docket's OCR. The lines go through the same line and block builder as
 * PDF text layers; each transcript is split into words whose boxes share the line's width in
 * proportion to their characters.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { DocumentModel } from "../../src/domain/document-model.js";
import { buildBlocks } from "../../src/pdf/layout/build-blocks.js";
import { buildLines } from "../../src/pdf/layout/build-lines.js";
import type { PositionedWord } from "../../src/pdf/layout/positioned-word.js";

export interface SroieTruth {
  company: string;
  date: string;
  address: string;
  total: string;
}

export interface SroieReceipt {
  id: string;
  imagePath: string;
  model: DocumentModel;
  truth: SroieTruth;
}

/** SROIE's key → Docket's field name (API.md). */
export const SROIE_FIELDS = {
  company: "seller_name",
  date: "issue_date",
  address: "seller_address",
  total: "total_gross",
} as const;

interface IndexRecord {
  image: string;
  box: string;
  key: string;
  width: number;
  height: number;
  fields: SroieTruth;
}

/** One CSV row: eight quad coordinates, then the transcript (which may hold commas). */
function parseBoxLine(row: string): { x0: number; y0: number; x1: number; y1: number; text: string } | null {
  const parts = row.split(",");
  if (parts.length < 9) return null;
  const xs = [0, 2, 4, 6].map((i) => Number(parts[i]));
  const ys = [1, 3, 5, 7].map((i) => Number(parts[i]));
  if ([...xs, ...ys].some((n) => !Number.isFinite(n))) return null;
  const text = parts.slice(8).join(",").trim();
  if (text === "") return null;
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys), text };
}

function wordsOfLine(line: { x0: number; y0: number; x1: number; y1: number; text: string }): PositionedWord[] {
  const tokens = line.text.split(/\s+/).filter((t) => t !== "");
  const chars = tokens.reduce((n, t) => n + t.length, 0) + Math.max(0, tokens.length - 1);
  const perChar = (line.x1 - line.x0) / Math.max(1, chars);
  const out: PositionedWord[] = [];
  let x = line.x0;
  for (const token of tokens) {
    const w = token.length * perChar;
    out.push({
      text: token,
      bbox: { x0: x, y0: line.y0, x1: x + w, y1: line.y1 },
      confidence: 95,
      size: line.y1 - line.y0,
      orientation: 0,
      joinBefore: false,
      joinAfter: false,
    });
    x += w + perChar;
  }
  return out;
}

export function sroieModel(id: string, csv: string, width: number, height: number, dpi: number): DocumentModel {
  const words = csv.split(/\r?\n/).flatMap((row) => {
    const line = parseBoxLine(row);
    return line ? wordsOfLine(line) : [];
  });
  const blocks = buildBlocks(buildLines(words));
  return {
    version: 1,
    documentId: `sroie-${id}`,
    languages: ["eng"],
    engine: "sroie-boxes",
    pages: [{ number: 1, width, height, dpi, source: "ocr", rotation: 0, skew: 0, confidence: 95, blocks }],
  };
}

/** The receipts, or null when the shared data is absent. */
export async function loadSroie(dataDir: string, limit = Infinity): Promise<SroieReceipt[] | null> {
  const root = join(dataDir, "sroie");
  if (!existsSync(join(root, "index.jsonl"))) return null;
  const records = (await readFile(join(root, "index.jsonl"), "utf8"))
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as IndexRecord)
    .slice(0, limit);
  return Promise.all(
    records.map(async (r) => {
      const id = r.image.replace(/^img\//, "").replace(/\.jpg$/, "");
      const imagePath = join(root, r.image);
      const density = (await sharp(imagePath).metadata()).density;
      const dpi = density !== undefined && density >= 100 ? density : 200;
      const csv = await readFile(join(root, r.box), "utf8");
      return { id, imagePath, model: sroieModel(id, csv, r.width, r.height, dpi), truth: r.fields };
    }),
  );
}
