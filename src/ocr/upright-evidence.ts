/**
 * Judges from a page's first reading (recognised as it is) whether it is upright, so that
 * Tesseract OSD — a second process costing 0.3–1 s — runs only when there is doubt. Both
 * signals come from Tesseract's own layout analysis and recogniser, which the first reading
 * has paid for already. Measured on the shared corpus (docs/OCR.md, "Orientation"):
 *
 * - sideways text: Tesseract finds vertical text lines and reads them, often with high
 *   confidence (95 on cardinal.pdf page 2), but every word box is taller than wide (100% of
 *   words on all 6 sideways test pages, 0–9% on upright pages and receipts);
 * - upside-down text reads as nonsense: mean confidence 26–37, and at most 3% of its longer
 *   words reach confidence 85 (0–7 words), while upright receipts that read poorly overall
 *   (confidence 42–50: faint thermal print) still have 23–40% of such words.
 */
import type { Page, Word } from "../domain/document-model.js";

export interface UprightOptions {
  /** Mean word confidence at which a reading is accepted as upright outright. */
  acceptConfidence: number;
}

export type UprightVerdict =
  /** Reads as upright text: no orientation check needed. */
  | "upright"
  /**
   * Nothing was read: a blank page, or one Tesseract cannot segment (SROIE 264.jpg, upright,
   * reads empty in the bare CLI too). OSD classifies the same blobs and has nothing to go on
   * either (it answered 180 at confidence 1.2 there), so the page keeps its orientation.
   */
  | "no-text"
  /** Word boxes run vertically: the page is turned 90° or 270°. */
  | "sideways"
  /** Reads poorly (or not at all): upside down, or just a bad scan; ask OSD. */
  | "doubtful";

/** A word counts as evidence only with this many letters/digits (short ones are noise). */
const MIN_SHAPE_CHARS = 3;
const MIN_CONFIDENT_CHARS = 4;
/** Confidence a word needs to count as read correctly. */
const CONFIDENT_WORD = 85;
/** Confidently read long words needed (count and share) to call a poor reading upright. */
const MIN_CONFIDENT_WORDS = 3;
const MIN_CONFIDENT_SHARE = 0.1;

const alnum = (text: string): number => text.replace(/[^\p{L}\p{N}]/gu, "").length;

function pageWords(page: Page): Word[] {
  return page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
}

/** Share of words (≥ 3 letters/digits) whose box is taller than wide; 0 without such words. */
export function tallWordShare(words: readonly Word[]): number {
  const shaped = words.filter((w) => alnum(w.text) >= MIN_SHAPE_CHARS);
  if (shaped.length === 0) return 0;
  const tall = shaped.filter((w) => w.bbox.y1 - w.bbox.y0 > w.bbox.x1 - w.bbox.x0).length;
  return tall / shaped.length;
}

export function uprightVerdict(page: Page, options: UprightOptions): UprightVerdict {
  const words = pageWords(page);
  if (words.length === 0) return "no-text";
  if (tallWordShare(words) > 0.5) return "sideways";
  if (page.confidence >= options.acceptConfidence) return "upright";
  const long = words.filter((w) => alnum(w.text) >= MIN_CONFIDENT_CHARS);
  const confident = long.filter((w) => w.confidence >= CONFIDENT_WORD).length;
  if (confident >= MIN_CONFIDENT_WORDS && confident >= long.length * MIN_CONFIDENT_SHARE) return "upright";
  return "doubtful";
}
