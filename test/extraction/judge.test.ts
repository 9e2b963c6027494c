import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeExtraction } from "../../src/extraction/judge.js";
import {
  DEFAULT_REVIEW_THRESHOLDS,
  type ExtractionCandidates,
  type Field,
  type FieldName,
  type Fields,
} from "../../src/extraction/types.js";

function field(value: string, confidence = 0.8, origin: Field["origin"] = "rule"): Field {
  return { value, raw: value, confidence, source: null, origin };
}

function candidates(values: Partial<Record<FieldName, string | Field>>): ExtractionCandidates {
  const fields: Fields = {};
  for (const [k, v] of Object.entries(values) as Array<[FieldName, string | Field]>)
    fields[k] = typeof v === "string" ? field(v) : v;
  return { fields, line_items: [], vat_breakdown: [] };
}

const opts = { thresholds: DEFAULT_REVIEW_THRESHOLDS, ocrConfidence: null };
const complete = {
  document_number: "FV/1",
  issue_date: "2024-03-05",
  currency: "PLN",
  seller_name: "ACME",
  total_net: "100.00",
  total_vat: "23.00",
  total_gross: "123.00",
};

describe("judgeExtraction", () => {
  it("finds nothing to review in a complete, consistent invoice, and raises confidence the checks confirm", () => {
    const judged = judgeExtraction(candidates({ ...complete, seller_tax_id: "7740001454" }), "invoice", opts);
    assert.deepEqual(judged.review_reasons, []);
    assert.ok(judged.fields.total_gross!.confidence > 0.8, "totals confirmed");
    assert.ok(judged.fields.seller_tax_id!.confidence > 0.8, "checksum confirmed");
    assert.equal(judged.fields.seller_name!.confidence, 0.8, "nothing checks a name");
  });

  it("never reports a field that fails a check as fine, whoever set it", () => {
    const judged = judgeExtraction(
      candidates({
        ...complete,
        seller_tax_id: field("7740001455", 1, "manual"),
        iban: field("PL61109010140000071219812875", 0.95),
      }),
      "invoice",
      opts,
    );
    assert.ok(judged.fields.seller_tax_id!.confidence <= 0.3);
    assert.ok(judged.fields.iban!.confidence <= 0.3);
    assert.ok(
      judged.review_reasons.some((r) => /seller_tax_id 7740001455 fails the NIP checksum/.test(r)),
      judged.review_reasons.join("; "),
    );
    assert.ok(judged.review_reasons.some((r) => /iban .* fails the IBAN check/.test(r)));
  });

  it("lowers all three totals when they do not add up", () => {
    const judged = judgeExtraction(candidates({ ...complete, total_gross: "132.00" }), "invoice", opts);
    for (const name of ["total_net", "total_vat", "total_gross"] as const)
      assert.ok(judged.fields[name]!.confidence <= 0.3, name);
    assert.ok(judged.review_reasons.some((r) => /off by 9\.00/.test(r)));
  });

  it("names missing required fields, low confidence and low OCR confidence", () => {
    const judged = judgeExtraction(
      candidates({ issue_date: field("2024-03-05", 0.42), seller_name: "Shop" }),
      "receipt",
      { ...opts, ocrConfidence: 35 },
    );
    assert.deepEqual(judged.review_reasons, [
      "Low OCR confidence (35 %)",
      "Required field total_gross is missing",
      "Low confidence for issue_date (0.42)",
    ]);
  });

  it("asks nothing of a document of type other but still checks what a person entered", () => {
    assert.deepEqual(judgeExtraction(candidates({}), "other", opts).review_reasons, []);
    const judged = judgeExtraction(candidates({ buyer_tax_id: field("DE136695978", 1, "manual") }), "other", opts);
    assert.equal(judged.review_reasons.length, 1);
    assert.ok(judged.fields.buyer_tax_id!.confidence <= 0.3);
  });
});
