import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  normalizeField,
  parseAmount,
  parseCurrency,
  parseDate,
  parsePaymentMethod,
} from "../../src/extraction/normalize/index.js";
import { labelKey } from "../../src/extraction/normalize/text.js";

describe("parseAmount", () => {
  const cases: Array<[string, string | null]> = [
    ["1 234,56", "1234.56"],
    ["1.234,56", "1234.56"],
    ["1,234.56", "1234.56"],
    ["1234", "1234.00"],
    ["-12,50", "-12.50"],
    ["12,50 zł", "12.50"],
    ["PLN 1 234,56", "1234.56"],
    ["1'234.50", "1234.50"],
    ["1\u00a0234,56", "1234.56"],
    ["1\u2009234,56", "1234.56"],
    ["1\u202f234\u202f567,89", "1234567.89"],
    ["$1,234,567.89", "1234567.89"],
    ["€ 12", "12.00"],
    ["RM9.00", "9.00"],
    ["12.5", "12.50"],
    ["(12.50)", "-12.50"],
    ["12.50-", "-12.50"],
    ["0,500", "0.50"],
    ["1,234", "1234.00"],
    ["1.234", "1234.00"],
    ["abc", null],
    ["", null],
    ["1,2,3", null],
    ["1.23.4", null],
    ["12 50", null],
    ["2 12,50", null],
    ["1234 567", null],
    ["1,234.567.8", null],
    ["12 kg", null],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => assert.equal(parseAmount(raw), expected));
  }

  it("a decimal separator hint resolves the ambiguous three-digit fraction", () => {
    assert.equal(parseAmount("1,234", { decimalSeparator: "," }), "1.234");
    assert.equal(parseAmount("1.234", { decimalSeparator: "," }), "1234.00");
    assert.equal(parseAmount("1.234", { decimalSeparator: "." }), "1.234");
    assert.equal(parseAmount("1,234.50", { decimalSeparator: "," }), null, "the hint contradicts the text");
  });
});

describe("parseDate", () => {
  const cases: Array<[string, string | null]> = [
    ["05.03.2024", "2024-03-05"],
    ["5-3-2024", "2024-03-05"],
    ["05/03/2024", "2024-03-05"],
    ["03/25/2024", "2024-03-25"],
    ["2024-03-05", "2024-03-05"],
    ["2024.03.05", "2024-03-05"],
    ["2024/03/05", "2024-03-05"],
    ["05.03.24", "2024-03-05"],
    ["5 marca 2024", "2024-03-05"],
    ["5 marzec 2024", "2024-03-05"],
    ["15 października 2023", "2023-10-15"],
    ["15 pazdziernika 2023", "2023-10-15"],
    ["3 grudnia 2023 r.", "2023-12-03"],
    ["5 March 2024", "2024-03-05"],
    ["5th March 2024", "2024-03-05"],
    ["March 5, 2024", "2024-03-05"],
    ["Sept. 9, 2023", "2023-09-09"],
    ["05-Mar-2024", "2024-03-05"],
    ["20 Dec 2017", "2017-12-20"],
    ["5. März 2024", "2024-03-05"],
    ["5. Maerz 2024", "2024-03-05"],
    ["5 mars 2024", "2024-03-05"],
    ["1er février 2024", "2024-02-01"],
    ["5 III 2024", "2024-03-05"],
    ["5.XII.2024", "2024-12-05"],
    ["25/12/2018 8:13:39 PM", "2018-12-25"],
    ["Data wystawienia: 2021-01-01", "2021-01-01"],
    ["31.04.2024", null],
    ["29.02.2023", null],
    ["29.02.2024", "2024-02-29"],
    ["2024-13-01", null],
    ["12.50", null],
    ["nothing here", null],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => assert.equal(parseDate(raw), expected));
  }

  it("reads slashed dates month first only when the hints say so", () => {
    assert.equal(parseDate("03/05/2024"), "2024-05-03");
    assert.equal(parseDate("03/05/2024", { languages: ["en-US"] }), "2024-03-05");
    assert.equal(parseDate("03/05/2024", { dateFormats: ["%m/%d/%Y"] }), "2024-03-05");
  });

  it("tries the hinted strptime formats first", () => {
    assert.equal(parseDate("Invoice date: März 05, 2024", { dateFormats: ["%B %d, %Y"] }), "2024-03-05");
    assert.equal(parseDate("20240305", { dateFormats: ["%Y%m%d"] }), "2024-03-05");
    assert.equal(parseDate("05 Mar 24", { dateFormats: ["%d %b %y"] }), "2024-03-05");
  });
});

describe("parseCurrency", () => {
  const cases: Array<[string, string | null]> = [
    ["zł", "PLN"],
    ["PLN", "PLN"],
    ["12,50 zł", "PLN"],
    ["€", "EUR"],
    ["EUR", "EUR"],
    ["euro", "EUR"],
    ["$", "USD"],
    ["£", "GBP"],
    ["CHF", "CHF"],
    ["RM", "MYR"],
    ["TOTAL RM 9.00", "MYR"],
    ["Kč", "CZK"],
    ["₹ 1,200.00", "INR"],
    ["Total: 12.00", null],
    ["", null],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => assert.equal(parseCurrency(raw), expected));
  }
});

describe("parsePaymentMethod", () => {
  const cases: Array<[string, string | null]> = [
    ["Przelew 14 dni", "transfer"],
    ["przelewem", "transfer"],
    ["Gotówka", "cash"],
    ["karta płatnicza", "card"],
    ["Überweisung", "transfer"],
    ["Banküberweisung", "transfer"],
    ["Virement bancaire", "transfer"],
    ["Bank transfer", "transfer"],
    ["CASH", "cash"],
    ["VISA", "card"],
    ["BLIK", "mobile"],
    ["za pobraniem", "cash_on_delivery"],
    ["something else", null],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => assert.equal(parsePaymentMethod(raw), expected));
  }
});

describe("normalizeField", () => {
  it("normalises each kind or says why it cannot", () => {
    assert.deepEqual(normalizeField("total_gross", "1 230,00 zł"), { ok: true, value: "1230.00" });
    assert.deepEqual(normalizeField("issue_date", "5 marca 2024"), { ok: true, value: "2024-03-05" });
    assert.deepEqual(normalizeField("currency", "zł"), { ok: true, value: "PLN" });
    assert.deepEqual(normalizeField("seller_tax_id", "NIP: 774-00-01-454"), { ok: true, value: "7740001454" });
    assert.deepEqual(normalizeField("buyer_tax_id", "PL 526 025 02 74"), { ok: true, value: "PL5260250274" });
    assert.deepEqual(normalizeField("buyer_tax_id", "DE 136.695.976"), { ok: true, value: "DE136695976" });
    assert.deepEqual(normalizeField("iban", "61 1090 1014 0000 0712 1981 2874"), {
      ok: true,
      value: "PL61109010140000071219812874",
    });
    assert.deepEqual(normalizeField("iban", "IBAN: DE89 3704 0044 0532 0130 00"), {
      ok: true,
      value: "DE89370400440532013000",
    });
    assert.deepEqual(normalizeField("payment_method", "Przelew"), { ok: true, value: "transfer" });
    assert.deepEqual(normalizeField("payment_method", "Barter"), { ok: true, value: "barter" });
    assert.deepEqual(normalizeField("seller_name", "  ACME   Sp. z o.o. "), { ok: true, value: "ACME Sp. z o.o." });
    assert.deepEqual(normalizeField("document_number", " FV/12/2024 "), { ok: true, value: "FV/12/2024" });
    for (const [name, raw] of [
      ["issue_date", "2024-13-01"],
      ["total_gross", "twelve"],
      ["currency", "XYZ dollars?"],
      ["seller_tax_id", "n/a"],
      ["iban", "12345"],
      ["seller_name", "   "],
    ] as const) {
      const result = normalizeField(name, raw);
      assert.equal(result.ok, false, `${name} ${raw}`);
      if (!result.ok) assert.match(result.message, new RegExp(name));
    }
  });
});

describe("labelKey", () => {
  it("folds accents, case and the usual OCR confusions alike", () => {
    assert.equal(labelKey("N1P"), labelKey("NIP"));
    assert.equal(labelKey("Data sprzedaży"), labelKey("DATA SPRZEDAZY"));
    assert.equal(labelKey("Fälligkeitsdatum:"), labelKey("Falligkeitsdatum"));
    assert.notEqual(labelKey("Netto"), labelKey("Brutto"));
  });
});
