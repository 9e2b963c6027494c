import assert from "node:assert/strict";
import { test } from "node:test";
import { DocketError } from "../../src/errors.js";
import { toHocr, toHocrAsync } from "../../src/exports/to-hocr.js";
import { toJson, toJsonAsync } from "../../src/exports/to-json.js";
import { toMarkdown, toMarkdownAsync } from "../../src/exports/to-markdown.js";
import { toPlainText, toPlainTextAsync } from "../../src/exports/to-text.js";
import { model, modelBlock, modelLine, modelPage } from "../pdf/fixtures.js";

// 300 pages × 320 words: large enough that a synchronous export holds the thread for a while.
const big = model(
  Array.from({ length: 300 }, (_, p) =>
    modelPage(p + 1, [
      modelBlock("heading", [modelLine(`Chapter ${p + 1}`, 100, 50, 80)]),
      modelBlock("paragraph", [modelLine("• a list item", 100, 150, 40)]),
      ...Array.from({ length: 8 }, (_, b) =>
        modelBlock(
          "paragraph",
          Array.from({ length: 4 }, (_, l) =>
            modelLine("lorem ipsum dolor sit amet consectetur adipiscing elit sed do", 100, 300 + b * 300 + l * 50, 40),
          ),
        ),
      ),
    ]),
  ),
);

test("async exports give exactly the sync output, without holding the event loop", async () => {
  const pairs: Array<[string, () => string, () => Promise<string>]> = [
    ["txt", () => toPlainText(big), () => toPlainTextAsync(big)],
    ["md", () => toMarkdown(big), () => toMarkdownAsync(big)],
    ["hocr", () => toHocr(big, { imageName: "x.pdf" }), () => toHocrAsync(big, { imageName: "x.pdf" })],
    ["json", () => toJson(big), () => toJsonAsync(big)],
  ];
  for (const [name, sync, async] of pairs) {
    // Other work must get turns while an export runs: count how often a callback queued
    // behind it runs. The export yields after each 20 ms slice of work (render-pages.ts), so
    // 300 pages give it at least one turn; a synchronous export gives it none. (A behaviour,
    // not a timing: a GC pause or a busy machine cannot make it fail.)
    let turns = 0;
    let exporting = true;
    const other = (): void => {
      if (!exporting) return;
      turns++;
      setImmediate(other);
    };
    setImmediate(other);
    const viaAsync = await async();
    exporting = false;
    assert.equal(viaAsync, sync(), name);
    assert.ok(turns >= 1, `${name}: other work never ran during the export of 300 pages`);
  }
  assert.deepEqual(JSON.parse(await toJsonAsync(model([]))), JSON.parse(toJson(model([]))));
});

test("async exports stop when aborted", async () => {
  const controller = new AbortController();
  controller.abort(new DocketError("cancelled", "stop"));
  await assert.rejects(
    toHocrAsync(big, { signal: controller.signal }),
    (e: unknown) => e instanceof DocketError && e.code === "cancelled",
  );
});
