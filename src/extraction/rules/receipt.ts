/**
 * Receipt fields. The total is the amount after a TOTAL-like label — ranked, so "ROUNDED
 * TOTAL" beats "TOTAL" and "TOTAL QTY" or "TOTAL EXCL. GST" never count — not the largest
 * number (cash tendered and change are larger). The company is the first prominent line(s)
 * at the top, the address the lines under it until a phone, tax or document line.
 */
import { RECEIPT_TOTAL_CUES, RECEIPT_TOTAL_EXCLUDED, RECEIPT_ADDRESS_STOP, RECEIPT_HEADER_NOISE } from "../labels.js";
import type { LayoutWord, Row } from "../layout/index.js";
import { foldText } from "../normalize/text.js";
import { candidatesFromLabels, ocrFactor, toField, unlabelled, type Candidate, type RuleContext } from "./context.js";
import { documentCurrency, LEGAL_FORM } from "./document-cues.js";
import {
  readAmounts,
  readDate,
  readIdentifier,
  readPaymentMethod,
  readTaxId,
  readText,
  type ParsedValue,
} from "./values.js";
import type { FieldName, Fields } from "../types.js";

const rowWords = (row: Row): LayoutWord[] => row.segments.flatMap((s) => s.words);
const rowFolded = (row: Row): string => foldText(row.segments.map((s) => s.text).join(" "));

export function extractReceiptFields(ctx: RuleContext): Fields {
  const fields: Fields = {};
  const set = (name: FieldName, c: Candidate | null | undefined) => {
    if (c) fields[name] = toField(c);
  };
  const total = receiptTotal(ctx);
  set("total_gross", total);
  set("issue_date", candidatesFromLabels(ctx, { kinds: ["issue_date"], read: readDate })[0] ?? firstDate(ctx));
  const header = receiptHeader(ctx);
  set("seller_name", header.name);
  set("seller_address", header.address);
  set(
    "seller_tax_id",
    candidatesFromLabels(ctx, { kinds: ["tax_id"], read: readTaxId, directions: ["right", "below"] })[0],
  );
  set(
    "document_number",
    candidatesFromLabels(ctx, { kinds: ["document_number"], read: readIdentifier, directions: ["right"] })[0],
  );
  set(
    "payment_method",
    candidatesFromLabels(ctx, { kinds: ["payment_method"], read: readPaymentMethod })[0] ?? paymentFromTender(ctx),
  );
  set("currency", documentCurrency(ctx, total?.raw));
  return fields;
}

/** The rank of a row's total label (0: none), from the cue table; exclusions win. */
function totalRank(folded: string): number {
  if (RECEIPT_TOTAL_EXCLUDED.some((re) => re.test(folded))) return 0;
  let rank = 0;
  for (const cue of RECEIPT_TOTAL_CUES) if (cue.pattern.test(folded)) rank = Math.max(rank, cue.rank);
  return rank;
}

/** The amount a total row announces: on its row after the label, else alone on the next row. */
function amountAfterLabel(ctx: RuleContext, rows: Row[], i: number): { parsed: ParsedValue; row: Row } | null {
  const row = rows[i]!;
  const amounts = readAmounts(rowWords(row)).filter((a) => /[.,]\d{2}(?!\d)/.test(a.raw));
  if (amounts.length > 0) return { parsed: amounts[amounts.length - 1]!, row };
  const next = rows[i + 1];
  if (next && next.bbox.y0 - row.bbox.y1 < 1.5 * ctx.layout.lineHeight) {
    const below = readAmounts(rowWords(next)).filter((a) => /[.,]\d{2}(?!\d)/.test(a.raw));
    if (below.length === 1 && totalRank(rowFolded(next)) === 0) return { parsed: below[0]!, row: next };
  }
  return null;
}

function receiptTotal(ctx: RuleContext): Candidate | null {
  const found: Array<{ candidate: Candidate; rank: number }> = [];
  const rows = ctx.layout.rows;
  let afterRounding = false;
  for (let i = 0; i < rows.length; i++) {
    const folded = rowFolded(rows[i]!);
    let rank = totalRank(folded);
    // "ROUNDING ADJ -0.01" adjusts; "ROUNDING 22.90" or "TOTAL AFTER ROUNDING 48.95" is the rounded total.
    const rounding = /\bround/.test(folded);
    if (rounding || (rank === 0 && /^(?:due|total due|amount)\b/.test(folded))) {
      const amounts = readAmounts(rowWords(rows[i]!));
      const last = amounts[amounts.length - 1];
      if (last && Math.abs(Number(last.value)) <= 0.1) {
        afterRounding = true;
        continue;
      }
      if (last) rank = Math.max(rank, rounding ? 4 : 3);
    }
    if (rank === 0) continue;
    if (afterRounding) rank++;
    const hit = amountAfterLabel(ctx, rows, i);
    if (!hit || Number(hit.parsed.value) <= 0) continue;
    const confidence = (0.55 + 0.08 * Math.min(5, rank)) * ocrFactor(hit.parsed.words);
    found.push({ candidate: unlabelled(hit.parsed, hit.row, confidence), rank });
  }
  if (found.length === 0) return labelledInvoiceTotal(ctx);
  // Every total-like label votes for its amount by rank; cash minus change votes too.
  const votes = new Map<string, number>();
  for (const f of found) votes.set(f.candidate.value, (votes.get(f.candidate.value) ?? 0) + f.rank);
  const paid = cashMinusChange(ctx);
  if (paid && votes.has(paid)) votes.set(paid, votes.get(paid)! + 3);
  const bestRank = Math.max(...found.map((f) => f.rank));
  found.sort(
    (a, b) => votes.get(b.candidate.value)! + b.rank - (votes.get(a.candidate.value)! + a.rank) || b.rank - a.rank,
  );
  const best = found[0]!;
  const agree = found.filter((f) => f.candidate.value === best.candidate.value).length;
  const boost = (agree > 1 ? 0.06 : 0) + (paid === best.candidate.value ? 0.06 : 0);
  return {
    ...best.candidate,
    confidence: Math.min(0.95, best.candidate.confidence + boost - (best.rank < bestRank ? 0.1 : 0)),
  };
}

function labelledInvoiceTotal(ctx: RuleContext): Candidate | null {
  return (
    candidatesFromLabels(ctx, { kinds: ["total_gross", "receipt_total"], read: (w) => readAmounts(w)[0] ?? null })[0] ??
    null
  );
}

/** Tendered cash minus change: what the customer paid, when the receipt prints both. */
function cashMinusChange(ctx: RuleContext): string | null {
  let cash: number | null = null;
  let change: number | null = null;
  for (const row of ctx.layout.rows) {
    const folded = rowFolded(row);
    const amounts = readAmounts(rowWords(row));
    const last = amounts[amounts.length - 1];
    if (!last) continue;
    if (
      cash === null &&
      /^(?:cash|tunai|gotowka|bar|especes|tender|tendered|cash tendered|amount tendered|paid|pay)\b/.test(folded)
    )
      cash = Math.abs(Math.round(Number(last.value) * 100));
    else if (change === null && /^(?:change|reszta|ruckgeld|rendu|baki)\b/.test(folded))
      change = Math.abs(Math.round(Number(last.value) * 100));
  }
  if (cash === null || change === null || change > cash) return null;
  const cents = cash - change;
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function firstDate(ctx: RuleContext): Candidate | null {
  for (const row of ctx.layout.rows) {
    const parsed = readDate(rowWords(row));
    if (parsed) return unlabelled(parsed, row, 0.8);
  }
  return null;
}

function paymentFromTender(ctx: RuleContext): Candidate | null {
  for (const row of ctx.layout.rows) {
    const folded = rowFolded(row);
    if (
      !/^(?:cash|visa|master\s?card|credit card|debit card|card|karta|gotowka|bar|ec|cb|especes)\b/.test(folded) ||
      readAmounts(rowWords(row)).length === 0
    )
      continue;
    const parsed = readPaymentMethod(row.segments[0]!.words);
    if (parsed) return unlabelled(parsed, row, 0.6);
  }
  return null;
}

/** Company and address from the rows at the top of the receipt. */
function receiptHeader(ctx: RuleContext): { name: Candidate | null; address: Candidate | null } {
  const page = ctx.layout.pages[0];
  if (!page) return { name: null, address: null };
  const top = page.rows.slice(0, 14);
  const isNoise = (row: Row) => {
    const f = rowFolded(row);
    return !/\p{L}{2}/u.test(f) || RECEIPT_HEADER_NOISE.some((re) => re.test(f)) || readDate(rowWords(row)) !== null;
  };
  const isStop = (row: Row) => RECEIPT_ADDRESS_STOP.some((re) => re.test(rowFolded(row)));
  // The company: a row with a legal form among the first few, else the first row that is not noise.
  const firstRows = top.slice(0, 6).filter((r) => !isNoise(r) && !isStop(r));
  let nameAt = firstRows.findIndex((r) => LEGAL_FORM.test(rowFolded(r)));
  const legal = nameAt >= 0;
  if (nameAt < 0) nameAt = 0;
  const nameRow = firstRows[nameAt];
  if (!nameRow) return { name: null, address: null };
  const nameRows = [nameRow];
  let at = top.indexOf(nameRow) + 1;
  // A name broken over two lines: "HOME MASTER HARDWARE &" / "ELECTRICAL", or "XYZ (M)" / "SDN BHD".
  const next = top[at];
  const nextText = next
    ? foldText(
        cutRegistration(rowWords(next))
          .map((w) => w.text)
          .join(" "),
      )
    : "";
  if (next && !isStop(next) && !isNoise(next) && !/\d/.test(nextText)) {
    const folded = rowFolded(nameRow);
    const nextFolded = rowFolded(next);
    const nextIsLegal = LEGAL_FORM.test(nextFolded) && nextFolded.split(" ").length <= 3;
    if (/(?:&|-|\band)$/.test(folded) || (!legal && nextIsLegal)) {
      nameRows.push(next);
      at++;
    }
  }
  // The legal form alone on the line under the name's start: "POPULAR BOOK" / "CO. (M) SDN BHD".
  const previous = top[top.indexOf(nameRow) - 1];
  if (
    legal &&
    previous &&
    /^(?:co\b|\(m\)|sdn|bhd|s\/b|sp\.|gmbh|ltd|inc)/.test(rowFolded(nameRow)) &&
    !isNoise(previous) &&
    !isStop(previous) &&
    !/\d/.test(rowFolded(previous))
  ) {
    nameRows.unshift(previous);
  }
  const name = readText(trimNoise(nameRows.flatMap((r) => cutRegistration(rowWords(r)))));
  const nameCandidate = name ? unlabelled(name, nameRow, legal ? 0.85 : 0.7) : null;

  const addressRows: Row[] = [];
  let skipped = 0;
  for (const row of top.slice(at)) {
    const f = rowFolded(row);
    const started = addressRows.length > 0;
    const postcode = /^\d{4,6}\.?$/.test(f);
    if (isStop(row) || (isNoise(row) && !postcode)) {
      // Registration and tax lines often sit between the company and its address.
      if (started || ++skipped > 3) break;
      continue;
    }
    if (!started && !/\d|\b(?:jalan|jln|lot|no|taman|ul|al|street|road|rd|avenue|strasse|str|rue)\b/.test(f)) {
      if (++skipped > 3) break;
      continue;
    }
    if (readTaxId(rowWords(row))?.quality === 1) break;
    addressRows.push(row);
    if (addressRows.length >= 5) break;
  }
  const address = readText(addressRows.flatMap(rowWords));
  return { name: nameCandidate, address: address ? unlabelled(address, addressRows[0]!, 0.7) : null };
}

/** A company line ends before its registration number: "FARMASI MALURI S/B (587969-U)". */
function cutRegistration(words: LayoutWord[]): LayoutWord[] {
  const registration = (text: string) =>
    /^\(?[A-Z]{0,3}\d{4,}[-\s]?[A-Z]?\)?$/i.test(text) || (/^[({]/.test(text) && (text.match(/\d/g) ?? []).length >= 3);
  const at = words.findIndex((w, i) => i > 0 && registration(w.text.replace(/[.,]$/, "")));
  return at > 0 ? words.slice(0, at) : words;
}

/** Trailing specks of OCR noise ("~*~!") are not part of a name; a closing "&" of a broken line is kept by the caller. */
function trimNoise(words: LayoutWord[]): LayoutWord[] {
  const kept = [...words];
  while (kept.length > 1 && !/[\p{L}\p{N}]/u.test(kept[kept.length - 1]!.text)) kept.pop();
  return kept;
}
