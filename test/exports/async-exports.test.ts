import assert from "node:assert/strict";
import { test } from "node:test";
import { DocketError } from "../../src/errors.js";
import { renderPages } from "../../src/exports/render-pages.js";
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

test("async exports give exactly the sync output", async () => {
  const pairs: Array<[string, () => string, () => Promise<string>]> = [
    ["txt", () => toPlainText(big), () => toPlainTextAsync(big)],
    ["md", () => toMarkdown(big), () => toMarkdownAsync(big)],
    ["hocr", () => toHocr(big, { imageName: "x.pdf" }), () => toHocrAsync(big, { imageName: "x.pdf" })],
    ["json", () => toJson(big), () => toJsonAsync(big)],
  ];
  for (const [name, sync, async] of pairs) assert.equal(await async(), sync(), name);
  assert.deepEqual(JSON.parse(await toJsonAsync(model([]))), JSON.parse(toJson(model([]))));
});

test("page rendering gives other work a turn once a slice of work has used its time", async () => {
  // Each page's render holds the thread for 5 ms by the clock, so 40 pages hold it for 200 ms:
  // whatever the machine's speed, that spans several 20 ms slices, and a render that never
  // yields gives the callback queued behind it no turn at all.
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const pages = big.pages.slice(0, 40);
  let turns = 0;
  let rendering = true;
  const other = (): void => {
    if (!rendering) return;
    turns++;
    setImmediate(other);
  };
  setImmediate(other);
  const out = await renderPages(pages, (page) => {
    busy(5);
    return String(page.number);
  });
  rendering = false;
  assert.deepEqual(
    out,
    pages.map((p) => String(p.number)),
  );
  assert.ok(turns >= 2, `other work ran ${turns} times during 200 ms of rendering`);
});

test("async exports stop when aborted", async () => {
  const controller = new AbortController();
  controller.abort(new DocketError("cancelled", "stop"));
  await assert.rejects(
    toHocrAsync(big, { signal: controller.signal }),
    (e: unknown) => e instanceof DocketError && e.code === "cancelled",
  );
});
