import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildDocumentText } from "../../../src/extraction/document-text.js";
import { DocketError } from "../../../src/errors.js";
import { applyTemplate } from "../../../src/extraction/templates/apply-template.js";
import { parseTemplate } from "../../../src/extraction/templates/parse-template.js";
import { modelFromLayout } from "./support.js";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/templates/${name}`, import.meta.url)), "utf8");

function refused(yaml: string, problem: RegExp): void {
  assert.throws(
    () => parseTemplate(yaml, "t1"),
    (e: unknown) =>
      e instanceof DocketError &&
      e.code === "validation_error" &&
      e.status === 400 &&
      e.message.startsWith('template "t1": ') &&
      problem.test(e.message),
    `${problem} for ${yaml}`,
  );
}

describe("parseTemplate", () => {
  it("reads both fixture forms", () => {
    const legacy = parseTemplate(fixture("pl.acme-legacy.yml"), "legacy");
    assert.equal(legacy.issuer, "ACME Sp. z o.o.");
    assert.equal(legacy.priority, 5);
    assert.deepEqual(
      legacy.keywords.map((k) => k.source),
      ["ACME Sp\\. z o\\.o\\.", "NIP 525-000-00-03"],
    );
    assert.deepEqual(
      legacy.fields.map((f) => [f.name, f.spec.parser]),
      [
        ["invoice_number", "regex"],
        ["date", "regex"],
        ["date_due", "regex"],
        ["amount", "regex"],
        ["amount_untaxed", "regex"],
        ["amount_tax", "regex"],
        ["vat", "regex"],
        ["partner_website", "static"],
        ["order_number", "regex"],
      ],
    );
    const tax = legacy.fields[5]!.spec;
    assert.ok(tax.parser === "regex" && tax.group === "sum" && tax.type === "float" && tax.regexes.length === 2);
    assert.deepEqual(legacy.options, {
      currency: "PLN",
      dateFormats: ["%d.%m.%Y", "%d %B %Y"],
      decimalSeparator: ",",
      removeWhitespace: false,
      removeAccents: false,
      lowercase: false,
      languages: ["pl"],
      replace: [],
    });
    assert.deepEqual(legacy.warnings, []);

    const lines = parseTemplate(fixture("de.muster-lines.yml"), "lines");
    assert.equal(lines.priority, 6);
    const items = lines.fields.find((f) => f.name === "lines")!.spec;
    assert.ok(items.parser === "lines");
    assert.equal(items.rules.length, 1);
    assert.deepEqual(items.rules[0]!.types, { qty: "int", price_unit: "float", price_subtotal: "float" });
    assert.equal(items.rules[0]!.skipLine.length, 1);
  });

  it("keeps scalars exactly as written (YAML never turns a regex or a value into a number or a date)", () => {
    const t = parseTemplate(
      "keywords: [0012, 2024-01-01]\nfields:\n  static_vat: 0700000000\n  code: 0012\n  when:\n    parser: static\n    value: 2023-03-01\noptions:\n  remove_accents: yes\n  lowercase: off\n",
      "t",
    );
    assert.deepEqual(
      t.keywords.map((k) => k.source),
      ["0012", "2024-01-01"],
    );
    assert.deepEqual(
      t.fields.map((f) =>
        f.spec.parser === "static" ? f.spec.value : f.spec.parser === "regex" ? f.spec.regexes[0]!.source : null,
      ),
      ["0700000000", "0012", "2023-03-01"],
    );
    assert.equal(t.options.removeAccents, true);
    assert.equal(t.options.lowercase, false);
    assert.equal(t.issuer, null, "no issuer: invoice2data names it by a keyword, Docket leaves it unset");
  });

  it("accepts keywords that are not valid regexes as plain text, as invoice2data ≥ 0.4 matches them", () => {
    const t = parseTemplate("keywords: ['C++ (Poland']\n", "t");
    assert.equal(t.keywords[0]!.regex, null);
  });

  it("takes the legacy top-level lines, also as a list of rules, and tables", () => {
    const t = parseTemplate(
      [
        "keywords: [X]",
        "lines:",
        "  - start: Items",
        "    end: Total",
        "    line: (?P<name>\\w+)\\s+(?P<price_total>\\d+)",
        "tables:",
        "  - start: Guest\\s+Room",
        "    end: Booking",
        "    body: (?P<guest>\\w+)\\s+(?P<amount_room>\\d+)",
      ].join("\n"),
      "t",
    );
    assert.equal(t.fields.at(-1)!.name, "lines");
    assert.equal(t.tables.length, 1);
    const dt = buildDocumentText(
      modelFromLayout([["X", "Items", "Apple  3", "Pear   4", "Total 7", "Guest   Room", "Anna    120", "Booking"]]),
    );
    const r = applyTemplate(t, dt);
    assert.deepEqual(
      r.line_items.map((i) => [i.description, i.gross]),
      [
        ["Apple", "3.00"],
        ["Pear", "4.00"],
      ],
    );
    assert.deepEqual(r.extras.guest, "Anna");
    assert.deepEqual(r.extras.amount_room, 120);
  });

  it("warns about what Docket ignores", () => {
    const t = parseTemplate(
      "keywords: [X]\ninput_module: pdftotext\nfields:\n  amount:\n    parser: regex\n    regex: T (\\d+)\n    area: {f: 1, l: 1, x: 0, y: 0, r: 72, W: 10, H: 10}\n  odd:\n    regex: x\n  other:\n    parser: magic\nwhatever: 1\n",
      "t",
    );
    assert.deepEqual(t.warnings, [
      "Docket reads documents its own way: input_module is ignored",
      'unknown key "whatever" is ignored',
      "fields.odd has no parser: ignored (as invoice2data does)",
      'fields.other has an unknown parser "magic": ignored',
    ]);
  });

  it("refuses a template it cannot read, naming the problem", () => {
    refused("keywords: [X\n", /not valid YAML/);
    refused("- a\n- b\n", /a template is a mapping/);
    refused("issuer: X\n", /keywords are required/);
    refused(
      "keywords: [X]\nfields:\n  amount: T (\\d+\n",
      /fields\.amount\[0\]: invalid regular expression "T \(\\\\d\+"/,
    );
    refused("keywords: [X]\nfields:\n  amount:\n    parser: regex\n", /fields\.amount: parser regex needs a regex/);
    refused(
      "keywords: [X]\nfields:\n  amount:\n    parser: regex\n    regex: (\\d+)\n    type: money\n",
      /fields\.amount\.type "money" is not one of int, float, date/,
    );
    refused(
      "keywords: [X]\nfields:\n  amount:\n    parser: regex\n    regex: (\\d+)\n    group: avg\n",
      /fields\.amount\.group "avg"/,
    );
    refused("keywords: [X]\nfields:\n  amount:\n    parser: static\n", /needs a value/);
    refused(
      "keywords: [X]\nfields:\n  lines:\n    parser: lines\n    start: A\n    end: B\n",
      /lines need a line regex/,
    );
    refused(
      "keywords: [X]\nfields:\n  lines:\n    parser: lines\n    end: B\n    line: (?P<a>x)\n",
      /fields\.lines\.start is required/,
    );
    refused(
      "keywords: [X]\noptions:\n  replace:\n    - ['a']\n",
      /options\.replace\[0\]: a replace entry is a \[pattern, replacement\] pair/,
    );
    refused(
      "keywords: [X]\noptions:\n  remove_whitespace: maybe\n",
      /options\.remove_whitespace must be true or false/,
    );
    refused("keywords: [X]\npriority: high\n", /priority must be a number/);
    refused("keywords: [X]\nfields:\n  amount: (?>atomic)\n", /atomic groups/);
  });
});
