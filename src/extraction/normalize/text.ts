/**
 * Text folding shared by labels, month names and values: what two spellings of the same word
 * have in common once accents, case and typical OCR confusions are set aside.
 */

/** Letters NFD does not decompose into a base letter and a mark. */
const SPECIAL_LETTERS: Record<string, string> = {
  ł: "l",
  Ł: "L",
  ß: "ss",
  ø: "o",
  Ø: "O",
  đ: "d",
  Đ: "D",
  æ: "ae",
  Æ: "AE",
  œ: "oe",
  Œ: "OE",
};

/** Whitespace of every width (NBSP, thin and narrow spaces included) as one plain space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/g, " ").trim();
}

/** Without accents and in lower case: "Data sprzedaży" → "data sprzedazy", "Fälligkeit" → "falligkeit". */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[łŁßøØđĐæÆœŒ]/g, (c) => SPECIAL_LETTERS[c] ?? c)
    .toLowerCase();
}

/**
 * A token folded for label matching: accents and case gone, punctuation dropped, and the
 * characters OCR confuses most mapped to one letter on both sides of the comparison (1, l, |,
 * ! and i; 0 and o; 5 and s), so "N1P" and "NIP" fold alike.
 */
export function labelKey(text: string): string {
  return foldText(text)
    .replace(/#/g, "no")
    .replace(/[1l|!]/g, "i")
    .replace(/0/g, "o")
    .replace(/5/g, "s")
    .replace(/rn/g, "m")
    .replace(/[^a-z0-9]/g, "");
}

/** Levenshtein distance, bounded: returns `limit + 1` as soon as the distance exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** A free-text field's value: whitespace collapsed, stray separators trimmed from the ends. */
export function normalizeText(raw: string): string {
  return collapseWhitespace(raw)
    .replace(/^[\s:;,.\-–—|]+/, "")
    .replace(/[\s:;,|–—-]+$/, "");
}
