/** The people's view of a document's fields (`docket fields`), and `fields set`'s argument parsing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FieldsJson } from "../../src/cli/client/client.js";
import { parseAssignments } from "../../src/cli/commands/fields.js";
import { CliError } from "../../src/cli/errors.js";
import { describeReview, fieldsLines } from "../../src/cli/output/fields-table.js";
import type { Field } from "../../src/extraction/types.js";

const field = (value: string, confidence: number, origin: Field["origin"] = "rule"): Field => ({
  value,
  raw: value,
  confidence,
  source: null,
  origin,
});

function invoice(overrides: Partial<FieldsJson> = {}): FieldsJson {
  return {
    document_id: "doc-1",
    job_id: "job-1",
    document_type: "invoice",
    type_confidence: 0.934,
    fields: {
      document_number: field("FV/1/2024", 0.95),
      issue_date: field("2024-03-05", 0.9),
      total_net: field("1000.00", 0.9),
      total_vat: field("230.00", 0.9),
      total_gross: field("1240.00", 0.25),
      currency: field("PLN", 1, "manual"),
      seller_tax_id: field("5260250274", 0.97),
      iban: field("PL61109010140000071219812874", 0.9),
    },
    line_items: [
      {
        description: "Usługa\u0007 doradcza",
        quantity: "1",
        unit: "szt",
        unit_price: "1000.00",
        net: "1000.00",
        vat_rate: "23",
        vat: "230.00",
        gross: "1230.00",
        source: null,
      },
    ],
    vat_breakdown: [
      { rate: "23", net: "1000.00", vat: "230.00", gross: "1230.00" },
      { rate: "zw", net: "0.00", vat: null, gross: "0.00" },
    ],
    checks: [
      { name: "seller_tax_id", ok: true, fields: ["seller_tax_id"], message: "valid NIP" },
      {
        name: "totals",
        ok: false,
        fields: ["total_net", "total_vat", "total_gross"],
        message: "1000.00 + 230.00 = 1230.00, not 1240.00",
      },
    ],
    template: null,
    needs_review: true,
    review_reasons: ["seller_name: missing", "totals: 1000.00 + 230.00 = 1230.00, not 1240.00"],
    review: { state: "pending", by: null, at: null, note: null },
    version: 7,
    ...overrides,
  };
}

test("the table marks each field by the checks that judged it, lists a missing required field, the checks, line items and the VAT summary", () => {
  const lines = fieldsLines(invoice(), { id: "doc-1", filename: "fv\u001b[31m.pdf", status: "manual_review" } as never);
  const text = lines.join("\n");
  assert.match(
    text,
    /^document\s+doc-1 {2}fv \[31m\.pdf \(manual_review\)$/m,
    "control characters from elsewhere are blanked",
  );
  assert.match(text, /^type\s+invoice \(93%\)$/m);
  assert.match(
    text,
    /^review\s+pending — needs review: seller_name: missing; totals: 1000\.00 \+ 230\.00 = 1230\.00, not 1240\.00$/m,
  );
  assert.match(text, /^version\s+7 \(job job-1\)$/m);
  assert.match(text, /^total_net\s+1000\.00\s+90%\s+rule\s+✗$/m, "judged by a failing check");
  assert.match(text, /^total_gross\s+1240\.00\s+25%\s+rule\s+✗$/m);
  assert.match(text, /^seller_tax_id\s+5260250274\s+97%\s+rule\s+✓$/m);
  assert.match(text, /^currency\s+PLN\s+100%\s+manual$/m, "judged by no check: no mark");
  assert.match(text, /^seller_name\s+\(missing\)\s+-\s+-\s+✗ required for invoice$/m);
  assert.doesNotMatch(text, /^buyer_name/m, "an optional field not found is not listed");
  assert.match(text, /^ {2}✓ seller_tax_id\s+valid NIP$/m);
  assert.match(text, /^ {2}✗ totals\s+1000\.00 \+ 230\.00 = 1230\.00, not 1240\.00$/m);
  assert.match(text, /^ {2}1\s+Usługa  doradcza\s+1\s+1000\.00\s+1000\.00\s+23%\s+1230\.00$/m);
  assert.match(text, /^ {2}zw\s+0\.00\s+-\s+0\.00$/m);
  // Fields in the API's order.
  const order = lines
    .filter((l) => /^(document_number|issue_date|currency|total_net|seller_name|iban) /.test(l))
    .map((l) => l.split(" ")[0]);
  assert.deepEqual(order, ["document_number", "issue_date", "currency", "total_net", "seller_name", "iban"]);
});

test("a document of type other with nothing found, and the review states", () => {
  const other = invoice({
    document_type: "other",
    fields: {},
    checks: [],
    line_items: [],
    vat_breakdown: [],
    needs_review: false,
    review_reasons: [],
  });
  const text = fieldsLines(other, null).join("\n");
  assert.match(text, /^no fields found$/m);
  assert.doesNotMatch(text, /^(document|checks|line items|VAT summary)/m);
  assert.equal(describeReview(other), "pending — nothing to review");
  assert.equal(
    describeReview(
      invoice({ review: { state: "approved", by: "a@b.test", at: "2024-05-06T07:08:09.123Z", note: "ok" } }),
    ),
    "approved by a@b.test at 2024-05-06 07:08:09: ok",
  );
  assert.equal(describeReview(invoice({ review: { state: "rejected", by: null, at: null, note: null } })), "rejected");
});

test("fields set arguments: name=value, name= clears, values keep their = signs; anything else is a usage error", () => {
  assert.deepEqual(
    parseAssignments(["total_gross=1 230,00", "payment_method=", "document_number=A=B", "buyer_name=  "]),
    {
      total_gross: "1 230,00",
      payment_method: null,
      document_number: "A=B",
      buyer_name: null,
    },
  );
  assert.throws(
    () => parseAssignments(["total_gross"]),
    (e: unknown) => e instanceof CliError && /expected name=value/.test(e.message) && e.exitCode === 2,
  );
  assert.throws(() => parseAssignments(["=5"]), CliError);
});
