/**
 * Finding the labels of labels.ts in the layout: a phrase matches consecutive words of one
 * segment whose folded keys spell it (however the words split it: "Data" "wystawienia",
 * "Datawystawienia", "Rechnungs-" "nr"), exactly or within an edit or two for longer phrases
 * (OCR slips). Overlapping matches keep the longer phrase: "Razem netto" beats "Razem".
 */
import { LABELS, type LabelKind } from "../labels.js";
import { editDistance, labelKey } from "../normalize/text.js";
import type { Layout, Row } from "./build.js";

export interface LabelHit {
  kind: LabelKind;
  phrase: string;
  row: Row;
  segment: number;
  /** Words [start, end) of the segment. */
  start: number;
  end: number;
  /** Label weight × match quality (1 exact, less for an OCR-tolerant match). */
  strength: number;
  /** Characters of the phrase: longer phrases win overlaps. */
  length: number;
  /** Spelled exactly (after folding), not forgiven an OCR slip. */
  exact: boolean;
}

interface CompiledPhrase {
  kind: LabelKind;
  phrase: string;
  key: string;
  weight: number;
}

/** Labels compiled once per process: the table is data, the compilation cheap and pure. */
export function compileLabels(): CompiledPhrase[] {
  const out: CompiledPhrase[] = [];
  for (const group of LABELS) {
    for (const phrases of Object.values(group.phrases)) {
      for (const phrase of phrases ?? []) {
        const key = labelKey(phrase);
        if (key !== "") out.push({ kind: group.kind, phrase, key, weight: group.weight });
      }
    }
  }
  return out;
}

function allowedEdits(length: number): number {
  if (length >= 12) return 2;
  if (length >= 6) return 1;
  return 0;
}

/** Every label in the layout, overlaps resolved (a word belongs to at most one label of a kind family). */
export function findLabels(layout: Layout, phrases: readonly CompiledPhrase[]): LabelHit[] {
  const byFirst = new Map<string, CompiledPhrase[]>();
  for (const p of phrases) {
    const list = byFirst.get(p.key[0]!) ?? [];
    list.push(p);
    byFirst.set(p.key[0]!, list);
  }
  const hits: LabelHit[] = [];
  for (const row of layout.rows) {
    row.segments.forEach((seg, segIndex) => {
      const rowHits: LabelHit[] = [];
      const keys = seg.words.map((w) => w.key);
      // A label's words sit close together: a gap wider than the text is tall separates table cells.
      const joined = seg.words.map((w, i) => {
        const next = seg.words[i + 1];
        return next !== undefined && next.bbox.x0 - w.bbox.x1 < 0.9 * (w.bbox.y1 - w.bbox.y0);
      });
      for (let start = 0; start < seg.words.length; start++) {
        const first = seg.words[start]!.key;
        if (first === "") continue;
        for (const p of byFirst.get(first[0]!) ?? []) {
          const match = matchAt(keys, joined, start, p.key);
          // An OCR-forgiven label must look like one: a colon, the end of its run, or a number after it.
          // So must a weak one ("Invoice", "No", "Date"): in running text it is just a word.
          if (match && (match.quality < 1 || p.weight < 1) && !looksLikeLabel(seg.words, match.end)) continue;
          if (match)
            rowHits.push({
              kind: p.kind,
              phrase: p.phrase,
              row,
              segment: segIndex,
              start,
              end: match.end,
              strength: p.weight * match.quality,
              length: p.key.length,
              exact: match.quality === 1,
            });
        }
      }
      hits.push(...resolveOverlaps(rowHits));
    });
  }
  return hits;
}

function looksLikeLabel(words: ReadonlyArray<{ text: string }>, end: number): boolean {
  const last = words[end - 1]!.text;
  const next = words[end];
  const after = words[end + 1];
  return (
    /[:.#]$/.test(last) ||
    next === undefined ||
    /^[:#]/.test(next.text) ||
    /\d/.test(next.text) ||
    (after !== undefined && /\d/.test(after.text))
  );
}

function matchAt(
  keys: string[],
  joined: boolean[],
  start: number,
  target: string,
): { end: number; quality: number } | null {
  let text = "";
  const edits = allowedEdits(target.length);
  for (let end = start; end < keys.length && end < start + 8; end++) {
    if (end > start && !joined[end - 1]) return null;
    text += keys[end]!;
    if (text === target) return { end: end + 1, quality: 1 };
    if (text.length > target.length + edits) return null;
    // An OCR slip leaves the start or the end of a word intact: only those are worth an edit distance.
    const plausible = text.slice(0, 2) === target.slice(0, 2) || text.slice(-2) === target.slice(-2);
    // Short labels are forgiven a wrong letter, not a missing one ("facture" is not "Facture n°").
    const shortest = target.length >= 10 ? target.length - edits : target.length;
    // A label with something glued to its end ("invoice_number_1") is a value, not a slip.
    const glued = text.length > target.length && text.startsWith(target);
    if (edits > 0 && plausible && !glued && text.length >= shortest && editDistance(text, target, edits) <= edits) {
      // Prefer an exact match one word further ("Rechnungs" "nr" vs "Rechnungsn").
      const next = keys[end + 1];
      if (next !== undefined && joined[end] && text + next === target) return { end: end + 2, quality: 1 };
      return { end: end + 1, quality: 0.85 };
    }
    if (!target.startsWith(text) && edits === 0) return null;
  }
  return null;
}

/**
 * Exact spellings first ("Invoice No" is not a slip of "Invoice to"), then longer phrases; a hit
 * overlapping a kept one is dropped unless both spell the very same words exactly.
 */
function resolveOverlaps(hits: LabelHit[]): LabelHit[] {
  hits.sort((a, b) => Number(b.exact) - Number(a.exact) || b.length - a.length || b.strength - a.strength);
  const kept: LabelHit[] = [];
  for (const hit of hits) {
    const clash = kept.find((k) => hit.start < k.end && k.start < hit.end);
    if (!clash) kept.push(hit);
    // The same words may name two kinds ("Razem" is a sum row and a receipt total; "Do zapłaty"
    // an invoice and a receipt total): keep both when they cover exactly the same words.
    else if (clash.start === hit.start && clash.end === hit.end && clash.kind !== hit.kind && clash.exact && hit.exact)
      kept.push(hit);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Whether a word of a row's segment is part of any label. */
export function labelWordSet(hits: readonly LabelHit[]): Set<string> {
  const set = new Set<string>();
  for (const h of hits) for (let i = h.start; i < h.end; i++) set.add(wordId(h.row, h.segment, i));
  return set;
}

export function wordId(row: Row, segment: number, word: number): string {
  return `${row.index}:${segment}:${word}`;
}
