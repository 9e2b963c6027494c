/**
 * Character error rate, the standard OCR accuracy measure: Levenshtein distance between the
 * recognised text and the reference, divided by the reference's length. Used by tests and
 * bench/ocr.bench.ts; kept here (not in test/) so the benchmark and any future quality
 * check in the server share one definition.
 */

/** Levenshtein distance over Unicode code points, O(n·m) time and O(min(n, m)) memory. */
export function editDistance(a: string, b: string): number {
  let s = Array.from(a);
  let t = Array.from(b);
  if (s.length < t.length) [s, t] = [t, s];
  if (t.length === 0) return s.length;
  let prev = new Uint32Array(t.length + 1);
  let curr = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    curr[0] = i;
    const si = s[i - 1];
    for (let j = 1; j <= t.length; j++) {
      const cost = si === t[j - 1] ? 0 : 1;
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[t.length]!;
}

/**
 * Normalise for comparison: Unicode NFKC (ligatures, full-width forms), typographic quotes
 * and dashes to ASCII, whitespace runs to one space, trimmed. Case is kept.
 */
export function normalizeForCer(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u201a\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}

/** CER of `hypothesis` against `reference` after normalisation; 0 for two empty texts. */
export function characterErrorRate(hypothesis: string, reference: string): number {
  const hyp = normalizeForCer(hypothesis);
  const ref = normalizeForCer(reference);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  return editDistance(hyp, ref) / Array.from(ref).length;
}

/**
 * Order-insensitive CER for texts whose line order is not defined (receipts, forms): both
 * sides are split into lines, each normalised, sorted, and joined, then compared. A line
 * found in the wrong place costs nothing; a missing or misread line costs its characters.
 */
export function sortedLinesCer(hypothesis: string, reference: string): number {
  const lines = (text: string): string =>
    text
      .split(/\r?\n/)
      .map(normalizeForCer)
      .filter((l) => l.length > 0)
      .sort()
      .join("\n");
  return characterErrorRate(lines(hypothesis), lines(reference));
}

/**
 * Order-insensitive CER over words: both sides are split into whitespace-separated words,
 * sorted and joined by single spaces. Unlike sortedLinesCer it does not penalise an engine
 * for merging "QTY" and "PRICE" into one line where the reference has two boxes, which is
 * how SROIE's transcripts are cut; a misread or missing word still costs its characters.
 */
export function sortedWordsCer(hypothesis: string, reference: string): number {
  const words = (text: string): string => normalizeForCer(text).split(" ").filter(Boolean).sort().join(" ");
  return characterErrorRate(words(hypothesis), words(reference));
}

/**
 * Bag-of-characters error: max(reference characters missing from the hypothesis, hypothesis
 * characters not in the reference) over the reference size, whitespace excluded. Fully
 * order-free, and a lower bound of the edit distance (each edit fixes at most one of each).
 */
export function bagOfCharactersError(hypothesis: string, reference: string): number {
  const bag = (text: string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const ch of normalizeForCer(text).replace(/\s/g, "")) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    return counts;
  };
  const h = bag(hypothesis);
  const r = bag(reference);
  let refSize = 0;
  let missing = 0;
  let extra = 0;
  for (const [ch, n] of r) {
    refSize += n;
    missing += Math.max(0, n - (h.get(ch) ?? 0));
  }
  for (const [ch, n] of h) extra += Math.max(0, n - (r.get(ch) ?? 0));
  if (refSize === 0) return h.size === 0 ? 0 : 1;
  return Math.max(missing, extra) / refSize;
}

/**
 * Word F1: words as whitespace-separated tokens (after normalisation), matched as multisets
 * regardless of order; the harmonic mean of precision (hypothesis words that are in the
 * reference) and recall (reference words found). A word counts only when read exactly, so
 * it measures what search and field extraction get, where CER also credits near misses.
 */
export function wordF1(hypothesis: string, reference: string): number {
  const words = (text: string): string[] => normalizeForCer(text).split(" ").filter(Boolean);
  const hyp = words(hypothesis);
  const ref = words(reference);
  if (ref.length === 0) return hyp.length === 0 ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of hyp) counts.set(w, (counts.get(w) ?? 0) + 1);
  let matched = 0;
  for (const w of ref) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      matched++;
      counts.set(w, n - 1);
    }
  }
  if (matched === 0) return 0;
  const precision = matched / hyp.length;
  const recall = matched / ref.length;
  return (2 * precision * recall) / (precision + recall);
}
