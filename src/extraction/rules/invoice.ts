/**
 * Invoice fields from labels and layout: each field takes the best-scoring candidate its
 * labels lead to; fallbacks without labels (the first date, an IBAN anywhere, a company line
 * at the top) score lower, so the review threshold catches them when they are all there is.
 */
import { insideBlock, findPartyBlocks, readParty, type PartyBlock } from "./parties.js";
import { candidatesFromLabels, toField, unlabelled, type Candidate, type RuleContext } from "./context.js";
import { totalsFromLabels, totalsFromSumRows } from "./totals.js";
import { readCurrency, readDate, readIban, readIdentifier, readPaymentMethod, readTaxId } from "./values.js";
import { companyLine, documentCurrency } from "./document-cues.js";
import type { FieldName, Fields } from "../types.js";

export function extractInvoiceFields(ctx: RuleContext): Fields {
  const fields: Fields = {};
  const set = (name: FieldName, c: Candidate | null | undefined) => {
    if (c) fields[name] = toField(c);
  };
  const best = (cs: Candidate[]) => cs[0] ?? null;

  set("document_number", best(candidatesFromLabels(ctx, { kinds: ["document_number"], read: readIdentifier })));
  set("issue_date", best(candidatesFromLabels(ctx, { kinds: ["issue_date"], read: readDate })) ?? firstDate(ctx));
  set("sale_date", best(candidatesFromLabels(ctx, { kinds: ["sale_date"], read: readDate })));
  set("due_date", best(candidatesFromLabels(ctx, { kinds: ["due_date"], read: readDate })));
  set("payment_method", best(candidatesFromLabels(ctx, { kinds: ["payment_method"], read: readPaymentMethod })));
  set("iban", best(candidatesFromLabels(ctx, { kinds: ["iban"], read: readIban })) ?? ibanAnywhere(ctx));

  const labelled = totalsFromLabels(ctx);
  const sums = totalsFromSumRows(ctx);
  set("total_gross", pickTotal([...labelled.gross, ...sums.gross]));
  set("total_net", pickTotal([...labelled.net, ...sums.net]));
  set("total_vat", pickTotal([...labelled.vat, ...sums.vat]));

  const blocks = findPartyBlocks(ctx);
  const seller = blocks.find((b) => b.role === "seller");
  const buyer = blocks.find((b) => b.role === "buyer");
  const sellerFields = seller ? readParty(ctx, seller) : null;
  const buyerFields = buyer ? readParty(ctx, buyer) : null;
  set("seller_name", sellerFields?.name ?? companyLine(ctx, buyer));
  set("seller_address", sellerFields?.address);
  set(
    "seller_tax_id",
    best(candidatesFromLabels(ctx, { kinds: ["seller_tax_id"], read: readTaxId })) ??
      sellerFields?.taxId ??
      taxIdOutside(ctx, buyer),
  );
  set("buyer_name", buyerFields?.name);
  set("buyer_address", buyerFields?.address);
  set(
    "buyer_tax_id",
    best(candidatesFromLabels(ctx, { kinds: ["buyer_tax_id"], read: readTaxId })) ??
      buyerFields?.taxId ??
      taxIdInside(ctx, buyer, seller),
  );
  if (fields.buyer_tax_id && fields.seller_tax_id && fields.buyer_tax_id.value === fields.seller_tax_id.value)
    delete fields.buyer_tax_id;

  set(
    "currency",
    best(candidatesFromLabels(ctx, { kinds: ["currency"], read: readCurrency })) ??
      documentCurrency(ctx, fields.total_gross?.raw),
  );
  return fields;
}

/** The candidates agree or the strongest wins; an amount several labels lead to gains a little. */
function pickTotal(cs: Candidate[]): Candidate | null {
  if (cs.length === 0) return null;
  const votes = new Map<string, number>();
  for (const c of cs) votes.set(c.value, (votes.get(c.value) ?? 0) + c.confidence);
  const ranked = [...cs].sort(
    (a, b) =>
      b.confidence +
      0.1 * (votes.get(b.value)! - b.confidence) -
      (a.confidence + 0.1 * (votes.get(a.value)! - a.confidence)),
  );
  return ranked[0]!;
}

function firstDate(ctx: RuleContext): Candidate | null {
  for (const row of ctx.layout.rows.slice(0, 40)) {
    const parsed = readDate(row.segments.flatMap((s) => s.words));
    if (parsed) return unlabelled(parsed, row, 0.45);
  }
  return null;
}

function ibanAnywhere(ctx: RuleContext): Candidate | null {
  for (const row of ctx.layout.rows) {
    for (const seg of row.segments) {
      if (!seg.words.some((w) => /\d{4}/.test(w.text))) continue;
      const parsed = readIban(seg.words);
      if (parsed && parsed.quality === 1) return unlabelled(parsed, row, 0.8);
    }
  }
  return null;
}

/** The first tax id labelled outside the buyer's block: the issuer prints its own id. */
function taxIdOutside(ctx: RuleContext, buyer: PartyBlock | undefined): Candidate | null {
  const cs = candidatesFromLabels(ctx, {
    kinds: ["tax_id"],
    read: readTaxId,
    directions: ["right", "below"],
    accept: (hit) => !buyer || !insideBlock(buyer, hit.row, hit.row.segments[hit.segment]!.bbox.x0),
  });
  cs.sort((a, b) => (a.hit?.row.index ?? 0) - (b.hit?.row.index ?? 0));
  const first = cs.find((c) => c.quality === 1) ?? cs[0];
  return first ? { ...first, confidence: first.confidence * 0.85 } : null;
}

function taxIdInside(
  ctx: RuleContext,
  buyer: PartyBlock | undefined,
  seller: PartyBlock | undefined,
): Candidate | null {
  if (!buyer) return null;
  const cs = candidatesFromLabels(ctx, {
    kinds: ["tax_id"],
    read: readTaxId,
    directions: ["right"],
    accept: (hit) =>
      insideBlock(buyer, hit.row, hit.row.segments[hit.segment]!.bbox.x0) &&
      (!seller || !insideBlock(seller, hit.row, hit.row.segments[hit.segment]!.bbox.x0)),
  });
  return cs[0] ?? null;
}
