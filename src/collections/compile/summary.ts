import type { Writable } from "node:stream";
import { formatAmount, parseAmount } from "./decimal.js";
import type { CompileMember } from "./member.js";
import { StreamSink } from "./stream-sink.js";

interface Totals {
  documents: number;
  net: bigint;
  vat: bigint;
  gross: bigint;
}

export interface CollectionSummary {
  collection: { id: string; name: string };
  generated_at: string;
  counts: {
    documents: number;
    pages: number;
    with_fields: number;
    without_fields: number;
    by_document_type: Record<string, number>;
    by_review_state: Record<string, number>;
  };
  /** Sums of the documents' total_net, total_vat and total_gross, per currency ("unknown" when none was found). */
  totals_by_currency: { currency: string; documents: number; net: string; vat: string; gross: string }[];
  /** Sums of the VAT breakdown rows, per currency and rate ("unspecified" rate: a document with totals but no breakdown). */
  totals_by_vat_rate: { currency: string; rate: string; documents: number; net: string; vat: string; gross: string }[];
}

const zero = (): Totals => ({ documents: 0, net: 0n, vat: 0n, gross: 0n });
const add = (t: Totals, net: bigint | null, vat: bigint | null, gross: bigint | null) => {
  t.documents++;
  t.net += net ?? 0n;
  t.vat += vat ?? 0n;
  t.gross += gross ?? 0n;
};
const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

/**
 * The collection's summary: counts, and totals by currency and by VAT rate from the extracted
 * fields. Folded one member at a time; only the running totals are kept.
 */
export async function summarize(
  collection: { id: string; name: string },
  members: AsyncIterable<CompileMember>,
  now = new Date(),
): Promise<CollectionSummary> {
  const counts: CollectionSummary["counts"] = {
    documents: 0,
    pages: 0,
    with_fields: 0,
    without_fields: 0,
    by_document_type: {},
    by_review_state: {},
  };
  const byCurrency = new Map<string, Totals>();
  const byRate = new Map<string, Totals>();
  for await (const m of members) {
    counts.documents++;
    counts.pages += m.numPages ?? 0;
    const f = m.fields;
    if (!f) {
      counts.without_fields++;
      continue;
    }
    counts.with_fields++;
    bump(counts.by_document_type, f.document_type);
    bump(counts.by_review_state, f.review.state);
    const currency = f.fields.currency?.value || "unknown";
    const net = parseAmount(f.fields.total_net?.value);
    const vat = parseAmount(f.fields.total_vat?.value);
    const gross = parseAmount(f.fields.total_gross?.value);
    if (net === null && vat === null && gross === null) continue;
    if (!byCurrency.has(currency)) byCurrency.set(currency, zero());
    add(byCurrency.get(currency)!, net, vat, gross);
    const rows = f.vat_breakdown.filter((r) => r.rate);
    if (rows.length === 0) {
      const key = `${currency}\u0000unspecified`;
      if (!byRate.has(key)) byRate.set(key, zero());
      add(byRate.get(key)!, net, vat, gross);
    }
    for (const r of rows) {
      const key = `${currency}\u0000${r.rate}`;
      if (!byRate.has(key)) byRate.set(key, zero());
      add(byRate.get(key)!, parseAmount(r.net), parseAmount(r.vat), parseAmount(r.gross));
    }
  }
  const money = (t: Totals) => ({
    documents: t.documents,
    net: formatAmount(t.net),
    vat: formatAmount(t.vat),
    gross: formatAmount(t.gross),
  });
  return {
    collection,
    generated_at: now.toISOString(),
    counts,
    totals_by_currency: [...byCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({ currency, ...money(t) })),
    totals_by_vat_rate: [...byRate.entries()]
      .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
      .map(([key, t]) => {
        const [currency, rate] = key.split("\u0000") as [string, string];
        return { currency, rate, ...money(t) };
      }),
  };
}

export async function writeSummary(summary: CollectionSummary, out: Writable): Promise<void> {
  const sink = new StreamSink(out);
  await sink.write(Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, "utf8"));
  await sink.end();
}
