import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { StandardFonts, type PDFDocument, type PDFFont } from "pdf-lib";

/**
 * The font for invisible OCR text. Invisible glyphs are never seen, but their Unicode
 * mapping is what search and copy-paste read, so the font must cover the text: Helvetica's
 * WinAnsi encoding cannot write "ą" or "ł", and a Polish scan would not be searchable.
 * We embed Liberation Sans (metrics-compatible with Arial/Helvetica, SIL OFL), which ships
 * inside pdfjs-dist, subset to the glyphs used. Characters the font still lacks are replaced
 * by what their compatibility decomposition leaves that it has ("ﬃ" → "ffi", "ẫ" → "a") or by
 * "?", so one exotic symbol cannot break a page. (Scripts Liberation Sans does not cover, such
 * as CJK, become "?": such documents need a font choice we do not ship yet.)
 */
export interface OcrTextFont {
  font: PDFFont;
  /**
   * Ascent and descent (descent negative) as fractions of the font size: the glyph box a
   * viewer selects, as PDFium (Chrome's and Docket's own text-layer reader) measures it, so
   * that invisible text placed on a word's box is read back on that box.
   */
  ascent: number;
  descent: number;
  /** `text` with every character the font cannot encode replaced. */
  encodable(text: string): string;
}

export type OcrFontChoice = "unicode" | "helvetica";

/** Path of Liberation Sans Regular inside the installed pdfjs-dist package. */
export function liberationSansPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("pdfjs-dist/package.json")), "standard_fonts", "LiberationSans-Regular.ttf");
}

export async function embedOcrTextFont(doc: PDFDocument, choice: OcrFontChoice = "unicode"): Promise<OcrTextFont> {
  let font: PDFFont;
  let ascent: number;
  let descent: number;
  if (choice === "unicode") {
    // Loaded here, not at start-up: only a Unicode text layer needs it, and loading it costs
    // every process (an API process, a restarted worker) a tenth of a second of CPU.
    const { default: fontkit } = await import("@pdf-lib/fontkit");
    doc.registerFontkit(fontkit);
    font = await doc.embedFont(await readFile(liberationSansPath()), { subset: true });
    ascent = 0.905; // the descriptor's Ascent (hhea ascender 1854 of 2048 units)
    descent = -0.303; // the FontBBox bottom (-621 of 2048), which PDFium takes for the descent
  } else {
    font = await doc.embedFont(StandardFonts.Helvetica);
    ascent = 0.945; // what PDFium measures for the standard Helvetica
    descent = -0.224;
  }
  const supported = new Set(font.getCharacterSet());
  const encodable = (text: string): string => {
    let out = "";
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      if (supported.has(cp)) {
        out += ch;
        continue;
      }
      // Decompose and drop what the font lacks (combining marks usually), keep the rest.
      const base = [...ch.normalize("NFKD")].filter((c) => supported.has(c.codePointAt(0) ?? -1)).join("");
      out += base === "" ? "?" : base;
    }
    return out;
  };
  return { font, ascent, descent, encodable };
}
