import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
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
          Array.from({ length: 4 }, (_, l) => modelLine("lorem ipsum dolor sit amet consectetur adipiscing elit sed do", 100, 300 + b * 300 + l * 50, 40)),
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
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const viaAsync = await async();
    delay.disable();
    assert.equal(viaAsync, sync(), name);
    assert.ok(delay.max / 1e6 < 100, `${name}: event loop held for ${Math.round(delay.max / 1e6)} ms`);
  }
  assert.deepEqual(JSON.parse(await toJsonAsync(model([]))), JSON.parse(toJson(model([]))));
});

test("async exports stop when aborted", async () => {
  const controller = new AbortController();
  controller.abort(new DocketError("cancelled", "stop"));
  await assert.rejects(toHocrAsync(big, { signal: controller.signal }), (e: unknown) => e instanceof DocketError && e.code === "cancelled");
});
