import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractWithRules } from "../../src/extraction/rules/index.js";
import type { FieldName, Fields } from "../../src/extraction/types.js";
import { modelOf, stack, type TextLine } from "./support/model-builder.js";

function values(fields: Fields): Partial<Record<FieldName, string>> {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value]));
}

/** A classic Polish invoice: dates at the top right, parties in two columns, a VAT summary, "Do zapłaty". */
function polishInvoice(o: { nip?: string; gross?: string; confidence?: number } = {}): TextLine[] {
  const c = o.confidence;
  return [
    { x: 380, y: 40, text: "Data wystawienia: 05.03.2024", confidence: c },
    { x: 380, y: 54, text: "Data sprzedaży: 4 marca 2024", confidence: c },
    { x: 200, y: 90, text: "Faktura VAT nr FV/12/03/2024", size: 14, confidence: c },
    { x: 40, y: 130, text: "Sprzedawca:", confidence: c },
    { x: 310, y: 130, text: "Nabywca:", confidence: c },
    ...stack(40, 146, [
      "Firma Handlowa ACME Sp. z o.o.",
      "ul. Długa 5",
      "00-950 Warszawa",
      `NIP: ${o.nip ?? "774-00-01-454"}`,
      "tel. +48 22 111 22 33",
    ]),
    ...stack(310, 146, ["Beta S.A.", "al. Krótka 7/2", "31-000 Kraków", "NIP: 526-025-02-74"]),
    {
      x: 40,
      y: 240,
      text: "Lp.   Nazwa towaru / usługi        Ilość   Cena netto   Wartość netto   VAT   Kwota VAT   Wartość brutto",
      size: 7,
    },
    {
      x: 40,
      y: 252,
      text: "1     Usługa serwisowa             2       500,00       1 000,00        23%   230,00      1 230,00",
      size: 7,
    },
    {
      x: 40,
      y: 264,
      text: "2     Książka                      1       100,00       100,00          8%    8,00        108,00",
      size: 7,
    },
    { x: 300, y: 290, text: "Stawka VAT   Wartość netto   Kwota VAT   Wartość brutto", size: 7 },
    { x: 300, y: 302, text: "23%          1 000,00        230,00      1 230,00", size: 7 },
    { x: 300, y: 314, text: "8%           100,00          8,00        108,00", size: 7 },
    { x: 300, y: 326, text: "Razem        1 100,00        238,00      1 338,00", size: 7 },
    ...stack(40, 360, [
      "Sposób płatności: przelew",
      "Termin płatności: 19.03.2024",
      "Nr rachunku: 61 1090 1014 0000 0712 1981 2874",
    ]),
    { x: 40, y: 410, text: `Do zapłaty: ${o.gross ?? "1 338,00"} zł`, size: 12 },
  ];
}

describe("invoice rules", () => {
  it("reads every field of a classic two-column Polish invoice", () => {
    const got = extractWithRules(modelOf({ lines: polishInvoice() }), "invoice");
    assert.deepEqual(values(got.fields), {
      document_number: "FV/12/03/2024",
      issue_date: "2024-03-05",
      sale_date: "2024-03-04",
      due_date: "2024-03-19",
      currency: "PLN",
      total_net: "1100.00",
      total_vat: "238.00",
      total_gross: "1338.00",
      seller_name: "Firma Handlowa ACME Sp. z o.o.",
      seller_tax_id: "7740001454",
      seller_address: "ul. Długa 5, 00-950 Warszawa",
      buyer_name: "Beta S.A.",
      buyer_tax_id: "5260250274",
      buyer_address: "al. Krótka 7/2, 31-000 Kraków",
      iban: "PL61109010140000071219812874",
      payment_method: "transfer",
    });
    assert.deepEqual(got.vat_breakdown, [
      { rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" },
      { rate: "8", net: "100.00", vat: "8.00", gross: "108.00" },
    ]);
  });

  it("gives each field its source box in page coordinates and a confidence", () => {
    const got = extractWithRules(modelOf({ lines: polishInvoice() }), "invoice");
    const gross = got.fields.total_gross!;
    assert.equal(gross.origin, "rule");
    assert.equal(gross.source?.page, 1);
    const [x0, y0, x1, y1] = gross.source!.bbox;
    assert.ok(x0 > 40 && x1 > x0 && y0 >= 410 && y1 <= 423, `${gross.source!.bbox.join(",")}`);
    for (const [name, field] of Object.entries(got.fields))
      assert.ok(field.confidence > 0.5 && field.confidence <= 1, `${name} ${field.confidence}`);
  });

  it("trusts OCRed words less than a text layer", () => {
    const layer = extractWithRules(modelOf({ lines: polishInvoice() }), "invoice");
    const scanned = extractWithRules(modelOf({ lines: polishInvoice({ confidence: 60 }), source: "ocr" }), "invoice");
    assert.equal(scanned.fields.issue_date?.value, "2024-03-05");
    assert.ok(scanned.fields.issue_date!.confidence < layer.fields.issue_date!.confidence);
  });

  it("reads a German invoice with the value under its label and the other amount convention", () => {
    const lines: TextLine[] = [
      { x: 40, y: 40, text: "Muster Software GmbH · Hauptstraße 1 · 10115 Berlin", size: 8 },
      { x: 40, y: 80, text: "Rechnung", size: 16 },
      { x: 40, y: 110, text: "Rechnungsnummer      Rechnungsdatum      Fälligkeitsdatum", size: 8 },
      { x: 40, y: 122, text: "RE-2024-0042" },
      { x: 40 + 21 * 4.4, y: 122, text: "5. März 2024" },
      { x: 40 + 41 * 4.4, y: 122, text: "19.03.2024" },
      { x: 300, y: 300, text: "Nettobetrag:          1.000,00 €" },
      { x: 300, y: 314, text: "zzgl. MwSt 19 %:         190,00 €" },
      { x: 300, y: 328, text: "Gesamtbetrag:         1.190,00 €" },
      { x: 40, y: 380, text: "USt-IdNr.: DE 136 695 976" },
      { x: 40, y: 394, text: "IBAN: DE89 3704 0044 0532 0130 00" },
      { x: 40, y: 408, text: "Zahlungsart: Überweisung" },
    ];
    const got = values(extractWithRules(modelOf({ lines }), "invoice").fields);
    assert.equal(got.document_number, "RE-2024-0042");
    assert.equal(got.issue_date, "2024-03-05");
    assert.equal(got.due_date, "2024-03-19");
    assert.equal(got.total_net, "1000.00");
    assert.equal(got.total_vat, "190.00");
    assert.equal(got.total_gross, "1190.00");
    assert.equal(got.currency, "EUR");
    assert.equal(got.seller_tax_id, "DE136695976");
    assert.equal(got.iban, "DE89370400440532013000");
    assert.equal(got.payment_method, "transfer");
  });

  it("reads an English invoice whose amounts use a dot and commas for thousands", () => {
    const lines: TextLine[] = [
      { x: 40, y: 40, text: "Northwind Traders Ltd", size: 14 },
      { x: 380, y: 40, text: "INVOICE", size: 16 },
      { x: 380, y: 70, text: "Invoice No:     INV-7781" },
      { x: 380, y: 84, text: "Invoice Date:   March 5, 2024" },
      { x: 380, y: 98, text: "Due Date:       April 4, 2024" },
      { x: 40, y: 120, text: "Bill To:" },
      ...stack(40, 134, ["Contoso GmbH", "Hauptstrasse 5", "80331 Munich"]),
      { x: 350, y: 300, text: "Subtotal       $12,000.00" },
      { x: 350, y: 314, text: "Tax            $1,200.00" },
      { x: 350, y: 328, text: "Total Due      $13,200.00" },
    ];
    const got = values(extractWithRules(modelOf({ lines }), "invoice").fields);
    assert.equal(got.document_number, "INV-7781");
    assert.equal(got.issue_date, "2024-03-05");
    assert.equal(got.due_date, "2024-04-04");
    assert.equal(got.total_net, "12000.00");
    assert.equal(got.total_vat, "1200.00");
    assert.equal(got.total_gross, "13200.00");
    assert.equal(got.currency, "USD");
    assert.equal(got.seller_name, "Northwind Traders Ltd");
    assert.equal(got.buyer_name, "Contoso GmbH");
  });

  it("reads a French invoice", () => {
    const lines: TextLine[] = [
      { x: 40, y: 40, text: "Facture", size: 16 },
      { x: 40, y: 70, text: "Numéro de facture : F-2024-118" },
      { x: 40, y: 84, text: "Date de facture : 5 mars 2024" },
      { x: 40, y: 98, text: "Échéance : 4 avril 2024" },
      { x: 40, y: 130, text: "Vendeur :" },
      { x: 300, y: 130, text: "Client :" },
      ...stack(40, 144, ["Atelier Dupont SARL", "12 rue de la Paix", "75002 Paris", "N° TVA : FR40303265045"]),
      ...stack(300, 144, ["Martin SAS", "3 avenue Foch", "69006 Lyon"]),
      { x: 320, y: 300, text: "Total HT         1 000,00 €" },
      { x: 320, y: 314, text: "TVA 20 %           200,00 €" },
      { x: 320, y: 328, text: "Montant TTC      1 200,00 €" },
    ];
    const got = values(extractWithRules(modelOf({ lines }), "invoice").fields);
    assert.equal(got.document_number, "F-2024-118");
    assert.equal(got.issue_date, "2024-03-05");
    assert.equal(got.due_date, "2024-04-04");
    assert.equal(got.total_net, "1000.00");
    assert.equal(got.total_vat, "200.00");
    assert.equal(got.total_gross, "1200.00");
    assert.equal(got.seller_name, "Atelier Dupont SARL");
    assert.equal(got.seller_tax_id, "FR40303265045");
    assert.equal(got.buyer_name, "Martin SAS");
    assert.equal(got.buyer_address, "3 avenue Foch, 69006 Lyon");
    assert.equal(got.currency, "EUR");
  });

  it("reports a printed checksum-invalid NIP as printed (the checks judge it)", () => {
    const got = extractWithRules(modelOf({ lines: polishInvoice({ nip: "774-00-01-455" }) }), "invoice");
    assert.equal(got.fields.seller_tax_id?.value, "7740001455");
  });

  it("returns nothing for a document of type other", () => {
    assert.deepEqual(extractWithRules(modelOf({ lines: polishInvoice() }), "other"), {
      fields: {},
      line_items: [],
      vat_breakdown: [],
    });
  });
});
