import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextLayerPool } from "../../src/pdf/text-layer-pool.js";
import { FIXTURE_LINES, textLayerPdf } from "../fixtures/generate.js";

const firstWord = FIXTURE_LINES[0]!.split(" ")[0]!;

describe("TextLayerPool", () => {
  it("starts threads on demand: one while calls come one at a time, a second only for a concurrent call", async () => {
    const pool = new TextLayerPool(2);
    try {
      const { bytes } = await textLayerPdf([{}, {}]);
      assert.equal(pool.startedThreads, 0);
      for (let i = 0; i < 3; i++) {
        const pages = await pool.extract(bytes);
        assert.equal(pages.length, 2);
      }
      assert.equal(pool.startedThreads, 1, "sequential calls reuse the warm thread");
      const both = await Promise.all([pool.extract(bytes), pool.extract(bytes)]);
      assert.equal(pool.startedThreads, 2);
      for (const pages of both) {
        const text = pages.flatMap((p) =>
          p.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text))),
        );
        assert.ok(text.includes(firstWord), text.join(" "));
      }
      // Never more threads than its size, however many calls queue.
      await Promise.all([1, 2, 3, 4].map(() => pool.extract(bytes)));
      assert.equal(pool.startedThreads, 2);
    } finally {
      await pool.close();
    }
    assert.equal(pool.startedThreads, 0);
  });

  it("refuses a size that is not a positive integer", () => {
    assert.throws(() => new TextLayerPool(0), RangeError);
    assert.throws(() => new TextLayerPool(1.5), RangeError);
  });
});
