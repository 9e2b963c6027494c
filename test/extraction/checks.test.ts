import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidEuVatId, isValidIban, isValidNip, runChecks } from "../../src/extraction/checks/index.js";
import type { ExtractionCandidates, Field, FieldName, Fields, VatBreakdownRow } from "../../src/extraction/types.js";

function field(value: string): Field {
  return { value, raw: value, confidence: 0.9, source: null, origin: "rule" };
}

function candidates(
  values: Partial<Record<FieldName, string>>,
  vat_breakdown: VatBreakdownRow[] = [],
): ExtractionCandidates {
  const fields: Fields = {};
  for (const [name, value] of Object.entries(values) as Array<[FieldName, string]>) fields[name] = field(value);
  return { fields, line_items: [], vat_breakdown };
}

/** Changes one digit: the typo a checksum exists to catch. */
function typo(value: string, at: number): string {
  const digit = Number(value[at]);
  return value.slice(0, at) + String((digit + 3) % 10) + value.slice(at + 1);
}

describe("isValidNip", () => {
  it("accepts valid NIPs however they are printed", () => {
    for (const nip of ["7740001454", "774-00-01-454", "526-025-02-74", "PL5260250274", "PL 526 025 02 74"])
      assert.equal(isValidNip(nip), true, nip);
  });
  it("rejects a changed digit, a wrong length and all zeros", () => {
    for (let at = 0; at < 10; at++) assert.equal(isValidNip(typo("7740001454", at)), false, typo("7740001454", at));
    for (const nip of ["774000145", "77400014541", "0000000000", "abcdefghij", ""])
      assert.equal(isValidNip(nip), false, nip);
  });
});

describe("isValidEuVatId", () => {
  // Every EU state, plus Northern Ireland, the UK, Switzerland and Norway (python-stdnum's examples).
  const valid = [
    "ATU13585627",
    "BE0403019261",
    "BG175074752",
    "CY10259033P",
    "CZ25123891",
    "DE136695976",
    "DK13585628",
    "EE100931558",
    "EL094259216",
    "ESA13585625",
    "FI20774740",
    "FR40303265045",
    "HR33392005961",
    "HU12892312",
    "IE6433435F",
    "IT00743110157",
    "LT119511515",
    "LU15027442",
    "LV40003521600",
    "MT11679112",
    "NL004495445B01",
    "PL7740001454",
    "PT501964843",
    "RO18547290",
    "SE123456789701",
    "SI50223054",
    "SK2022749619",
    "XI980780684",
    "GB980780684",
    "CHE-116.281.710 MWST",
    "NO974760673MVA",
  ];
  for (const id of valid) it(`accepts ${id}`, () => assert.equal(isValidEuVatId(id), true));

  it("accepts printed spacing and punctuation", () => {
    assert.equal(isValidEuVatId("DE 136 695 976"), true);
    assert.equal(isValidEuVatId("PL 774-00-01-454"), true);
  });

  it("rejects wrong check digits, unknown prefixes and bare numbers", () => {
    for (const id of [
      "DE136695978",
      "PL7740001455",
      "IT00743110158",
      "FR41303265045",
      "BE0403019262",
      "ATU13585628",
      "NL004495446B01",
    ]) {
      assert.equal(isValidEuVatId(id), false, id);
    }
    for (const id of ["7740001454", "ZZ123456789", "", "DE12"]) assert.equal(isValidEuVatId(id), false, id);
  });
});

describe("isValidIban", () => {
  it("accepts valid IBANs, grouped or not, and a Polish NRB", () => {
    for (const iban of [
      "PL61 1090 1014 0000 0712 1981 2874",
      "PL61109010140000071219812874",
      "61109010140000071219812874",
      "DE89 3704 0044 0532 0130 00",
      "GB29NWBK60161331926819",
      "FR1420041010050500013M02606",
    ]) {
      assert.equal(isValidIban(iban), true, iban);
    }
  });
  it("rejects a changed digit and a wrong length", () => {
    for (let at = 4; at < 28; at += 3) assert.equal(isValidIban(typo("PL61109010140000071219812874", at)), false);
    assert.equal(isValidIban("PL6110901014000007121981287"), false);
    assert.equal(isValidIban("DE89370400440532013000 1"), false);
  });
});

describe("runChecks", () => {
  const byName = (c: ExtractionCandidates, type: "invoice" | "receipt" | "other" = "invoice") => runChecks(c, type);

  it("passes a consistent Polish invoice", () => {
    const results = byName(
      candidates(
        {
          document_number: "FV 1/2024",
          issue_date: "2024-03-05",
          sale_date: "2024-03-04",
          due_date: "2024-03-19",
          currency: "PLN",
          seller_name: "ACME",
          seller_tax_id: "7740001454",
          buyer_tax_id: "PL5260250274",
          iban: "PL61109010140000071219812874",
          total_net: "1100.00",
          total_vat: "238.00",
          total_gross: "1338.00",
        },
        [
          { rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" },
          { rate: "8", net: "100.00", vat: "8.00", gross: "108.00" },
        ],
      ),
    );
    assert.deepEqual(
      results.filter((r) => !r.ok),
      [],
    );
    assert.deepEqual(
      new Set(results.map((r) => r.name)),
      new Set(["seller_tax_id", "buyer_tax_id", "iban", "totals", "vat_breakdown", "dates", "required"]),
    );
  });

  it("flags invalid tax ids and IBANs with the field they judged", () => {
    const results = byName(
      candidates({ seller_tax_id: "7740001455", buyer_tax_id: "DE136695978", iban: "PL61109010140000071219812875" }),
    );
    const failed = results.filter((r) => !r.ok && r.name !== "required");
    assert.deepEqual(
      failed.map((r) => [r.name, r.fields]),
      [
        ["seller_tax_id", ["seller_tax_id"]],
        ["buyer_tax_id", ["buyer_tax_id"]],
        ["iban", ["iban"]],
      ],
    );
    assert.match(failed[0]!.message, /seller_tax_id 7740001455 fails the NIP checksum/);
    assert.match(failed[1]!.message, /DE VAT id/);
  });

  it("does not pretend to check a tax id it has no rule for", () => {
    const results = byName(candidates({ seller_tax_id: "001234567890" }), "receipt");
    assert.equal(
      results.find((r) => r.name === "seller_tax_id"),
      undefined,
    );
  });

  it("checks net + VAT = gross within a cent per VAT rate", () => {
    const totals = (net: string, vat: string, gross: string, rows: VatBreakdownRow[] = []) =>
      byName(candidates({ total_net: net, total_vat: vat, total_gross: gross }, rows)).find((r) => r.name === "totals");
    assert.equal(totals("100.00", "23.00", "123.00")?.ok, true);
    assert.equal(totals("100.00", "23.00", "123.01")?.ok, true);
    assert.equal(totals("100.00", "23.00", "123.02")?.ok, false);
    assert.match(totals("100.00", "23.00", "132.00")!.message, /off by 9.00/);
    const rows = [
      { rate: "23", net: null, vat: null, gross: null },
      { rate: "8", net: null, vat: null, gross: null },
    ];
    assert.equal(totals("100.00", "23.00", "123.02", rows)?.ok, true, "two rates round twice");
    assert.equal(
      byName(candidates({ total_net: "100.00", total_gross: "123.00" })).find((r) => r.name === "totals"),
      undefined,
      "nothing to check without VAT",
    );
  });

  it("checks the VAT breakdown row by row and against the totals", () => {
    const check = (rows: VatBreakdownRow[], totals: Partial<Record<FieldName, string>> = {}) =>
      byName(candidates(totals, rows)).find((r) => r.name === "vat_breakdown");
    assert.equal(check([{ rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" }])?.ok, true);
    assert.equal(
      check([{ rate: "23", net: "1000.00", vat: "230.00", gross: "1231.00" }])?.ok,
      false,
      "row does not add up",
    );
    assert.equal(
      check([{ rate: "23", net: "1000.00", vat: "80.00", gross: "1080.00" }])?.ok,
      false,
      "VAT is not 23 % of net",
    );
    assert.equal(check([{ rate: "zw", net: "50.00", vat: "0.00", gross: "50.00" }])?.ok, true);
    const twoRates = [
      { rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" },
      { rate: "8", net: "100.00", vat: "8.00", gross: "108.00" },
    ];
    const ok = check(twoRates, { total_net: "1100.00", total_vat: "238.00", total_gross: "1338.00" });
    assert.equal(ok?.ok, true);
    assert.deepEqual(ok?.fields, ["total_net", "total_vat", "total_gross"]);
    const bad = check(twoRates, { total_net: "1100.00", total_vat: "238.00", total_gross: "1383.00" });
    assert.equal(bad?.ok, false);
    assert.match(bad!.message, /gross amounts sum to 1338.00, not total_gross 1383.00/);
    assert.equal(check([]), undefined);
  });

  it("checks that the due date is not before the issue date and the sale date is plausible", () => {
    const dates = (v: Partial<Record<FieldName, string>>) => byName(candidates(v)).filter((r) => r.name === "dates");
    assert.deepEqual(
      dates({ issue_date: "2024-03-05", due_date: "2024-03-05" }).map((r) => r.ok),
      [true],
    );
    const before = dates({ issue_date: "2024-03-05", due_date: "2024-03-04" });
    assert.deepEqual(
      before.map((r) => [r.ok, r.fields]),
      [[false, ["issue_date", "due_date"]]],
    );
    assert.match(before[0]!.message, /due_date 2024-03-04 is before issue_date 2024-03-05/);
    assert.equal(dates({ issue_date: "2024-03-05", due_date: "2026-03-05" })[0]?.ok, false, "a misread year");
    assert.equal(dates({ issue_date: "2024-03-05", sale_date: "2024-02-28" })[0]?.ok, true);
    assert.equal(dates({ issue_date: "2024-03-05", sale_date: "2021-02-28" })[0]?.ok, false);
  });

  it("lists the required fields that are missing for the type", () => {
    const invoice = byName(candidates({ issue_date: "2024-03-05", total_gross: "1.00" })).find(
      (r) => r.name === "required",
    );
    assert.equal(invoice?.ok, false);
    assert.deepEqual(invoice?.fields, ["document_number", "currency", "seller_name"]);
    assert.match(invoice!.message, /Required fields missing: document_number, currency, seller_name/);
    const receipt = byName(
      candidates({ issue_date: "2024-03-05", total_gross: "1.00", seller_name: "Shop" }),
      "receipt",
    ).find((r) => r.name === "required");
    assert.equal(receipt?.ok, true);
    assert.equal(
      byName(candidates({}), "other").find((r) => r.name === "required"),
      undefined,
    );
  });
});
