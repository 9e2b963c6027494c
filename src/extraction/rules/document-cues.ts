/**
 * Fallbacks read from the document as a whole when no label points at a value: the issuer's
 * company line at the top, and the currency most of the amounts are printed in.
 */
import type { LayoutWord, Row } from "../layout/index.js";
import { parseCurrency } from "../normalize/currency.js";
import { parseDate } from "../normalize/date.js";
import { foldText } from "../normalize/text.js";
import { ocrFactor, unlabelled, type Candidate, type RuleContext } from "./context.js";
import { insideBlock, type PartyBlock } from "./parties.js";
import { readText } from "./values.js";

/** Legal forms that end a company's name, folded. */
export const LEGAL_FORM =
  /\b(?:sp\.?\s*z\s*o\.?\s*o\.?|sp\.?\s*k\.?|sp\.?\s*j\.?|s\.?\s*a\.?|spolka(?: akcyjna| jawna| komandytowa| z ograniczona odpowiedzialnoscia)?|gmbh|ag|kg|ohg|e\.?\s*k\.?|ug|b\.?\s*v\.?|n\.?\s*v\.?|ltd\.?|limited|inc\.?|llc|l\.?l\.?p\.?|plc|corp\.?|co\.?|sarl|s\.?a\.?r\.?l\.?|sas|s\.?r\.?l\.?|s\.?p\.?a\.?|sdn\.?\s*bhd\.?|bhd\.?|enterprise|trading|s\.?\s*c\.?)(?![a-z])/;
const TITLE_WORDS =
  /^(?:faktura|faktura vat|invoice|tax invoice|rechnung|facture|factuur|paragon|receipt|oryginal|kopia|duplikat|original|copy)\b/;

function rowWords(row: Row): LayoutWord[] {
  return row.segments.flatMap((s) => s.words);
}

/** The issuer's name: a line at the top of the first page with a legal form, else its first text line. */
export function companyLine(ctx: RuleContext, buyer: PartyBlock | undefined): Candidate | null {
  const first = ctx.layout.pages[0];
  if (!first) return null;
  const top = first.rows.filter((r) => r.bbox.y0 < first.height * 0.3).slice(0, 15);
  let fallback: Candidate | null = null;
  for (const row of top) {
    for (const seg of row.segments) {
      if (buyer && insideBlock(buyer, row, seg.bbox.x0)) continue;
      const folded = foldText(seg.text);
      const words = seg.words.filter((w) => !isLabelWord(ctx, row, w));
      if (words.length === 0 || words.length < seg.words.length) continue;
      if (LEGAL_FORM.test(folded)) {
        // "QualityHosting AG - Uferweg 40-42 - …": the name ends with its legal form.
        const parsed = readText(upToLegalForm(words));
        if (parsed) return unlabelled(parsed, row, 0.62);
      }
      if (
        !fallback &&
        /\p{L}{3}/u.test(seg.text) &&
        !TITLE_WORDS.test(folded) &&
        parseDate(seg.text) === null &&
        !/\d{3}/.test(seg.text)
      ) {
        const parsed = readText(words);
        if (parsed) fallback = unlabelled(parsed, row, 0.35);
      }
    }
  }
  // No company line at the top: issuers often print their legal name in the footer.
  const footer = legalFormInFooter(ctx, buyer);
  return footer ?? fallback;
}

function legalFormInFooter(ctx: RuleContext, buyer: PartyBlock | undefined): Candidate | null {
  const first = ctx.layout.pages[0];
  if (!first) return null;
  for (const row of first.rows.filter((r) => r.bbox.y0 > first.height * 0.75)) {
    for (const seg of row.segments) {
      if (buyer && insideBlock(buyer, row, seg.bbox.x0)) continue;
      const folded = foldText(seg.text);
      if (!LEGAL_FORM.test(folded) || seg.words.length > 6 || /\d{3}/.test(seg.text)) continue;
      const words = seg.words.filter((w) => !isLabelWord(ctx, row, w));
      const parsed = words.length === seg.words.length ? readText(words) : null;
      if (parsed) return unlabelled(parsed, row, 0.45);
    }
  }
  return null;
}

const LEGAL_FORM_AT_END = new RegExp(`(?:${LEGAL_FORM.source})\\W*$`);

function upToLegalForm(words: LayoutWord[]): LayoutWord[] {
  for (let k = 1; k <= words.length; k++) {
    if (
      LEGAL_FORM_AT_END.test(
        foldText(
          words
            .slice(0, k)
            .map((w) => w.text)
            .join(" "),
        ),
      )
    )
      return words.slice(0, k);
  }
  return words;
}

function isLabelWord(ctx: RuleContext, row: Row, word: LayoutWord): boolean {
  for (let s = 0; s < row.segments.length; s++) {
    const i = row.segments[s]!.words.indexOf(word);
    if (i >= 0) return ctx.labels.kindsOf.has(`${row.index}:${s}:${i}`);
  }
  return false;
}

/** The currency printed with the total, else the one most amounts carry, else none. */
export function documentCurrency(ctx: RuleContext, totalRaw: string | undefined): Candidate | null {
  const counts = new Map<string, { n: number; word: LayoutWord; row: Row }>();
  for (const row of ctx.layout.rows) {
    for (const word of rowWords(row)) {
      if (
        !/^[^\s]{1,4}$/.test(word.text.replace(/[.:,]$/, "")) &&
        !/\d[.,]\d{2}\s*(?:zł|€|\$|£)$/.test(word.text) &&
        !/^(?:€|\$|£)\d/.test(word.text)
      )
        continue;
      const code = parseCurrency(word.text.replace(/[.:,]$/, ""));
      if (!code) continue;
      const entry = counts.get(code) ?? { n: 0, word, row };
      entry.n++;
      counts.set(code, entry);
    }
  }
  const fromTotal = totalRaw ? parseCurrency(totalRaw) : null;
  if (fromTotal) {
    const seen = counts.get(fromTotal);
    if (seen)
      return {
        value: fromTotal,
        raw: seen.word.text,
        words: [seen.word],
        quality: 1,
        confidence: 0.88 * ocrFactor([seen.word]),
        page: seen.row.page,
        hit: null,
      };
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1].n - a[1].n);
  const [code, top] = ranked[0] ?? [];
  if (!code || !top) return null;
  const second = ranked[1]?.[1].n ?? 0;
  const confidence = top.n >= 2 && top.n > 2 * second ? 0.8 : top.n > second ? 0.62 : 0.45;
  return {
    value: code,
    raw: top.word.text,
    words: [top.word],
    quality: 1,
    confidence: confidence * ocrFactor([top.word]),
    page: top.row.page,
    hit: null,
  };
}
