/**
 * Invoice, receipt or other, from cues a person would use: a title ("Faktura", "Invoice",
 * "Rechnung", "Facture", "Paragon", "Receipt"), party headings and tax ids (invoices), cash,
 * change, cashier and a till-narrow page (receipts), and whether there is a total at all.
 * The confidence is the winner's share of the evidence, shrunk when the evidence is thin.
 */
import type { DocumentModel } from "../domain/document-model.js";
import { buildLayout, compileLabels, findLabels, type Layout } from "./layout/index.js";
import { foldText } from "./normalize/text.js";
import type { DocumentType } from "./types.js";

const LABELS = compileLabels();

interface Cue {
  pattern: RegExp;
  weight: number;
}

/** Folded patterns; titles count more when they sit at the top of the first page. */
const INVOICE_TITLES: readonly RegExp[] = [
  /\bfaktura\b/,
  /\b(?:tax )?invoice\b/,
  /\brechnung\b/,
  /\bfacture\b/,
  /\bfactuur\b/,
  /\bnota (?:ksiegowa|korygujaca)\b/,
  /\bproforma\b/,
  /\bcredit note\b/,
  /\bgutschrift\b/,
];
const RECEIPT_TITLES: readonly RegExp[] = [
  /\bparagon\b/,
  /\breceipt\b/,
  /\bkassenbon\b/,
  /\bquittung\b/,
  /\bticket de caisse\b/,
  /\bcash (?:bill|sale)\b/,
  /\bkassenbeleg\b/,
];
const INVOICE_CUES: readonly Cue[] = [
  { pattern: /\b(?:due date|termin platnosci|fallig|echeance|payment terms|zahlungsziel|vervaldatum)\b/, weight: 1 },
  { pattern: /\b(?:iban|nr rachunku|bank account|bankverbindung|swift|bic)\b/, weight: 1 },
  { pattern: /\b(?:nip|ust-?id|vat (?:id|no|reg)|n° tva|tva intra|btw)\b/, weight: 1 },
  { pattern: /\b(?:netto|net amount|total ht|nettobetrag|subtotaal|wartosc netto)\b/, weight: 0.5 },
  {
    pattern: /\b(?:data sprzedazy|data wystawienia|invoice date|rechnungsdatum|date de facture|factuurdatum)\b/,
    weight: 1.5,
  },
];
const RECEIPT_CUES: readonly Cue[] = [
  { pattern: /\b(?:cash|tunai|gotowka|bar|especes)\b/, weight: 1 },
  { pattern: /\b(?:change|reszta|ruckgeld|rendu)\b/, weight: 1.5 },
  { pattern: /\b(?:cashier|kasjer|kassierer|caissier|counter|table|pax|server)\b/, weight: 1 },
  { pattern: /\b(?:thank you|terima kasih|dziekujemy|danke|merci|please come again)\b/, weight: 1 },
  { pattern: /\b(?:gst|sst|rounding|tendered|qty)\b/, weight: 0.5 },
  { pattern: /\b(?:paragon fiskalny|nip nabywcy|sprzedaz opodatkowana|ptu)\b/, weight: 2 },
  { pattern: /\b(?:sdn\.? bhd|s\/b)\b/, weight: 1 },
];
const TOTAL = /\b(?:total|razem|suma|do zaplaty|summe|gesamt|montant|totaal|ttc|amount due|grand)\b/;

export function classifyDocument(model: DocumentModel): { type: DocumentType; confidence: number } {
  const layout = buildLayout(model);
  const rows = layout.rows.map((r) => foldText(r.segments.map((s) => s.text).join(" ")));
  if (rows.length === 0) return { type: "other", confidence: 0.9 };
  const text = rows.join("\n");
  const topText = topRows(layout).join("\n");

  let invoice = 0;
  let receipt = 0;
  for (const re of INVOICE_TITLES)
    if (re.test(topText)) invoice += 2.5;
    else if (re.test(text)) invoice += 1;
  for (const re of RECEIPT_TITLES)
    if (re.test(topText)) receipt += 2.5;
    else if (re.test(text)) receipt += 1;
  for (const cue of INVOICE_CUES) if (cue.pattern.test(text)) invoice += cue.weight;
  for (const cue of RECEIPT_CUES) if (cue.pattern.test(text)) receipt += cue.weight;

  const hits = findLabels(layout, LABELS);
  const kinds = new Set(hits.map((h) => h.kind));
  if (kinds.has("seller") && kinds.has("buyer")) invoice += 2;
  else if (kinds.has("seller") || kinds.has("buyer")) invoice += 0.75;
  if (kinds.has("due_date")) invoice += 0.5;

  const shape = pageShape(model);
  if (shape === "till") receipt += 2;
  else if (shape === "sheet") invoice += 0.75;
  // Malaysian GST receipts print "TAX INVOICE": a till-shaped page with cash and change is a receipt still.
  if (/\b(?:simplified tax invoice|tax invoice)\b/.test(topText) && (shape === "till" || receipt >= 3)) invoice -= 2;

  const hasTotal = rows.some((r) => TOTAL.test(r));
  const amounts = rows.filter((r) => /\d[.,]\d{2}(?!\d)/.test(r)).length;
  // Neither a total nor amounts: whatever the words, there is nothing to pay.
  if (amounts === 0 && !hasTotal && invoice < 4)
    return { type: "other", confidence: round(Math.min(0.9, 0.6 + 0.05 * (4 - Math.max(invoice, receipt)))) };
  const evidence = Math.max(invoice, receipt);
  if (!hasTotal && evidence < 3) return { type: "other", confidence: round(0.5 + 0.1 * (3 - evidence)) };
  if (evidence < 1.5) return { type: "other", confidence: round(0.55 - 0.1 * evidence) };
  const type: DocumentType = invoice >= receipt ? "invoice" : "receipt";
  const share = Math.max(invoice, receipt) / (Math.max(0, invoice) + Math.max(0, receipt) + 1);
  // Thin evidence cannot be sure however lopsided it is.
  const strength = Math.min(1, evidence / 6);
  return { type, confidence: round(Math.min(0.98, 0.4 + 0.6 * share * strength)) };
}

function topRows(layout: Layout): string[] {
  const first = layout.pages[0];
  if (!first) return [];
  return first.rows
    .filter((r) => r.bbox.y1 < first.height * 0.3)
    .map((r) => foldText(r.segments.map((s) => s.text).join(" ")));
}

/** A till roll is tall and narrow, or its text occupies a narrow column of a wide scan. */
function pageShape(model: DocumentModel): "till" | "sheet" | "unknown" {
  const page = model.pages[0];
  if (!page || page.width <= 0) return "unknown";
  const ratio = page.height / page.width;
  if (ratio > 1.9) return "till";
  // A4 / Letter proportions with text across most of the width: a sheet.
  const boxes = page.blocks.map((b) => b.bbox);
  if (boxes.length === 0) return "unknown";
  const x0 = Math.min(...boxes.map((b) => b.x0));
  const x1 = Math.max(...boxes.map((b) => b.x1));
  const textWidth = (x1 - x0) / page.width;
  if (ratio > 1.25 && ratio < 1.5 && textWidth > 0.6) return "sheet";
  if (textWidth < 0.45) return "till";
  return "unknown";
}

const round = (n: number) => Math.round(n * 100) / 100;
