import type { Page } from "../domain/document-model.js";
import type { PageContentStats } from "./content-stats.js";

/**
 * Should we trust a page's existing text layer, or OCR the page? (`ocr: auto` OCRs exactly
 * the pages this calls unusable; `force` OCRs all; `skip` none.)
 *
 * The heuristic, in order — the first that applies decides:
 * 1. empty: no non-space character → unusable.
 * 2. garbage: the text is what a font without a usable Unicode map produces →
 *    unusable when over 10% of characters are U+FFFD, private-use, control or unassigned
 *    code points; or fewer than half are letters or digits; or (given at least 20 words of
 *    4+ letters) most such words have no vowel at all ("Tkhv Wxj" from shifted glyph codes).
 *    The vowel test only looks at Latin-script words, so other scripts are not penalised.
 * 3. too sparse for the page: on a page that is mostly one scanned image, fewer than 8
 *    characters or fewer than 0.5 per square inch (≈ 47 on a Letter page, where a real OCR
 *    layer has thousands); on any page, fewer than 3 characters → unusable. Typical cause: a
 *    scan with a stamped page number or "Scanned by …" line; the content is in the image.
 * 4. invisible only: all the text is drawn in render mode 3/7 (invisible). That is an
 *    existing OCR layer (scanner software, OCRmyPDF). We TRUST it (usable, flagged
 *    `invisibleOnly`): it passed checks 1–3, re-OCR would rarely be better and costs much;
 *    a user who disagrees submits with `ocr: force`.
 * 5. otherwise usable. Pages with visible text AND large images are flagged `mixed`: text
 *    inside the images is not in the layer (check_text has the images that may hold text
 *    OCRed as regions, see pick-image-regions.ts; `ocr: force` OCRs the whole page).
 */
export type TextLayerVerdict = "ok" | "empty" | "garbage" | "too_sparse" | "invisible_ocr_layer";

export interface TextLayerAssessment {
  usable: boolean;
  reason: TextLayerVerdict;
  /** One sentence for the job timeline. */
  detail: string;
  /** Non-space characters in the layer. */
  chars: number;
  /** All text is invisible (render mode 3/7): an existing OCR layer. Unknown content → false. */
  invisibleOnly: boolean;
  /** Visible text together with images covering ≥ 30% of the page. */
  mixed: boolean;
}

export interface AssessOptions {
  maxBadCharShare?: number;
  minAlnumShare?: number;
}

const MIN_CHARS_ON_SCAN = 8;
const MIN_CHARS_PER_SQUARE_INCH_ON_SCAN = 0.5;
const MIN_CHARS = 3;
const SCAN_IMAGE_COVERAGE = 0.5;
const MIXED_IMAGE_COVERAGE = 0.3;
const MIN_WORDS_FOR_VOWEL_TEST = 20;

// U+FFFD, private use (BMP and planes 15/16), controls, unassigned.
const BAD_CHAR = /[\uFFFD\uE000-\uF8FF\u{F0000}-\u{10FFFF}\p{Cc}\p{Cn}]/u;
const ALNUM = /[\p{L}\p{N}]/u;
const LATIN_WORD = /^\p{Script=Latin}{4,}$/u;
const VOWEL = /[aeiouyàáâãäåæèéêëìíîïòóôõöøœùúûüýÿąęįųėīūōā]/iu;

export function assessTextLayer(
  page: Page,
  content: PageContentStats | null = null,
  options: AssessOptions = {},
): TextLayerAssessment {
  const words = page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));
  const chars = [...words.join("")].filter((c) => !/\s/u.test(c));
  const count = chars.length;
  const invisibleOnly = content !== null && content.invisibleTextBytes > 0 && content.visibleTextBytes === 0;
  const mixed = content !== null && content.visibleTextBytes > 0 && content.imageCoverage >= MIXED_IMAGE_COVERAGE;
  const base = { chars: count, invisibleOnly, mixed };

  if (count === 0) return { ...base, usable: false, reason: "empty", detail: "the page has no text layer" };

  const bad = chars.filter((c) => BAD_CHAR.test(c)).length;
  if (bad / count > (options.maxBadCharShare ?? 0.1)) {
    return { ...base, usable: false, reason: "garbage", detail: `${bad} of ${count} characters are unmapped glyphs` };
  }
  const alnum = chars.filter((c) => ALNUM.test(c)).length;
  if (alnum / count < (options.minAlnumShare ?? 0.5)) {
    return {
      ...base,
      usable: false,
      reason: "garbage",
      detail: `only ${alnum} of ${count} characters are letters or digits`,
    };
  }
  const latinWords = words.map((w) => w.replace(/^\P{L}+|\P{L}+$/gu, "")).filter((w) => LATIN_WORD.test(w));
  if (latinWords.length >= MIN_WORDS_FOR_VOWEL_TEST) {
    const vowelless = latinWords.filter((w) => !VOWEL.test(w)).length;
    if (vowelless / latinWords.length > 0.5) {
      return {
        ...base,
        usable: false,
        reason: "garbage",
        detail: `${vowelless} of ${latinWords.length} words have no vowel`,
      };
    }
  }

  const scanned = content !== null && content.largestImageCoverage >= SCAN_IMAGE_COVERAGE;
  const squareInches = (page.width / page.dpi) * (page.height / page.dpi);
  const sparseScan = scanned && (count < MIN_CHARS_ON_SCAN || count < MIN_CHARS_PER_SQUARE_INCH_ON_SCAN * squareInches);
  if (count < MIN_CHARS || sparseScan) {
    return {
      ...base,
      usable: false,
      reason: "too_sparse",
      detail: scanned ? `only ${count} characters of text over a scanned image` : `only ${count} characters of text`,
    };
  }

  if (invisibleOnly) {
    return {
      ...base,
      usable: true,
      reason: "invisible_ocr_layer",
      detail: "the page has an existing invisible OCR text layer",
    };
  }
  return {
    ...base,
    usable: true,
    reason: "ok",
    detail: mixed
      ? "the page has a text layer and large images (text inside them is not in the layer)"
      : "the page has a usable text layer",
  };
}
