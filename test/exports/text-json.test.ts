import assert from "node:assert/strict";
import { test } from "node:test";
import { meanConfidence } from "../../src/exports/model-text.js";
import { normalizeModel, toJson } from "../../src/exports/to-json.js";
import { toPlainText } from "../../src/exports/to-text.js";
import { model, modelBlock, modelLine, modelPage } from "../pdf/fixtures.js";

const doc = model([
  modelPage(1, [
    modelBlock("heading", [modelLine("Quarterly Report", 100, 100, 80)]),
    modelBlock("paragraph", [modelLine("First line of text", 100, 300, 40), modelLine("second line.", 100, 350, 40)]),
    modelBlock("table", [modelLine("A B", 100, 500, 40), modelLine("1 2", 100, 550, 40)], {
      rows: [
        ["A", "B"],
        ["1", "2"],
      ],
    }),
  ]),
  modelPage(2, [modelBlock("paragraph", [modelLine("Page two.", 100, 100, 40)])]),
  modelPage(3, []),
]);

test("plain text: lines, blank lines between blocks, tabs in tables, form feeds between pages", () => {
  assert.equal(
    toPlainText(doc),
    "Quarterly Report\n\nFirst line of text\nsecond line.\n\nA\tB\n1\t2\n\f\nPage two.\n\f\n",
  );
  assert.deepEqual(
    toPlainText(doc)
      .split("\f")
      .map((p) => p.trim()),
    ["Quarterly Report\n\nFirst line of text\nsecond line.\n\nA\tB\n1\t2", "Page two.", ""],
  );
  assert.equal(toPlainText(doc, { pageSeparator: "\n\n" }).includes("\f"), false);
  assert.equal(toPlainText(model([])), "\n");
});

test("JSON: the model itself, stable bytes, rounded numbers, unknown fields dropped", () => {
  const noisy = structuredClone(doc) as typeof doc & { extra?: string };
  noisy.extra = "not part of the model";
  const word = noisy.pages[0]!.blocks[0]!.lines[0]!.words[0]!;
  word.bbox.x0 = 100.123456;
  (word as unknown as Record<string, unknown>).debug = true;
  const json = toJson(noisy);
  assert.equal(json, toJson(structuredClone(noisy)), "deterministic");
  const parsed = JSON.parse(json) as typeof doc;
  assert.deepEqual(parsed, normalizeModel(noisy));
  assert.equal(parsed.pages[0]!.blocks[0]!.lines[0]!.words[0]!.bbox.x0, 100.12);
  assert.ok(!json.includes("extra") && !json.includes("debug"));
  assert.deepEqual(Object.keys(parsed), ["version", "documentId", "languages", "engine", "pages"]);
  assert.ok(toJson(doc, { pretty: true }).includes('\n  "documentId": "doc-1"'));
});

test("mean confidence", () => {
  assert.equal(meanConfidence(doc), 90);
  assert.equal(meanConfidence(model([])), null);
});
