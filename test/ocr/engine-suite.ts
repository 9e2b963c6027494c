/**
 * One behavioural suite run against every OCR engine (like a conformance suite): real OCR of
 * generated pages with known text and known word positions. Each engine's test file calls
 * describeEngine() with a factory, so both engines are held to the same contract.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page, Word } from "../../src/domain/document-model.js";
import { DocketError } from "../../src/errors.js";
import { openImageForOcr } from "../../src/imaging/image-normalize.js";
import { deskewedToUpright } from "../../src/imaging/page-geometry.js";
import { characterErrorRate } from "../../src/ocr/cer.js";
import type { OcrEngine, OcrOptions } from "../../src/ocr/ocr-engine.js";
import { pageText } from "../../src/ocr/page-text.js";
import {
  FIXTURE_LINES,
  multiPageTiff,
  rotated,
  skewed,
  textImage,
  type TextImage,
  type WordLayout,
} from "../fixtures/generate.js";

const BASE: Omit<OcrOptions, "pageNumber"> = { languages: ["eng"], mode: "document" };

function words(page: Page): Word[] {
  return page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
}

const clean = (s: string): string => s.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase();

/**
 * Every expected word that OCR found (same text) must have its box over the true word: the
 * centre inside the true box (with `slack` px) and sizes within a factor of 1.6. At least 90%
 * of the expected words must be found at all.
 */
function assertBoxesOverWords(page: Page, expected: WordLayout[], slack = 4): void {
  const found = words(page);
  let matched = 0;
  for (const want of expected) {
    const candidates = found.filter((w) => clean(w.text) === clean(want.text) && clean(want.text) !== "");
    if (candidates.length === 0) continue;
    const e = want.bbox;
    const ok = candidates.some(({ bbox: b }) => {
      const cx = (b.x0 + b.x1) / 2;
      const cy = (b.y0 + b.y1) / 2;
      const inside = cx >= e.x0 - slack && cx <= e.x1 + slack && cy >= e.y0 - slack && cy <= e.y1 + slack;
      const wRatio = (b.x1 - b.x0) / (e.x1 - e.x0);
      const hRatio = (b.y1 - b.y0) / (e.y1 - e.y0);
      return inside && wRatio > 1 / 1.6 && wRatio < 1.6 && hRatio > 1 / 1.8 && hRatio < 1.8;
    });
    assert.ok(
      ok,
      `box of "${want.text}" ${JSON.stringify(e)} not matched by ${JSON.stringify(candidates.map((c) => c.bbox))}`,
    );
    matched++;
  }
  assert.ok(matched >= expected.length * 0.9, `only ${matched}/${expected.length} words found`);
  for (const w of found) {
    assert.ok(
      w.bbox.x0 >= 0 && w.bbox.y0 >= 0 && w.bbox.x1 <= page.width && w.bbox.y1 <= page.height,
      `box outside page: ${JSON.stringify(w)}`,
    );
  }
}

export function describeEngine(
  name: string,
  makeEngine: () => Promise<OcrEngine | undefined>,
  skip?: () => Promise<string | undefined>,
): void {
  describe(`OCR engine: ${name}`, () => {
    let engine: OcrEngine;
    let fx: TextImage;
    let skipReason: string | undefined;

    before(async () => {
      skipReason = await skip?.();
      if (skipReason !== undefined) return;
      engine = (await makeEngine())!;
      fx = await textImage(200);
    });

    after(async () => {
      await engine?.close();
    });

    const test = (title: string, fn: () => Promise<void>): void => {
      it(title, async (t) => {
        if (skipReason !== undefined) {
          t.skip(skipReason);
          return;
        }
        await fn();
      });
    };

    test("is ready and lists its languages", async () => {
      const health = await engine.check();
      assert.equal(health.ok, true, health.detail);
      assert.ok(engine.languages().includes("eng"));
      assert.ok(!engine.languages().includes("osd"), "osd is not a language");
    });

    test("recognises known text with CER under 2% and words over the right places", async () => {
      const page = await engine.recognize(fx.image, { ...BASE, pageNumber: 3 });
      const cer = characterErrorRate(pageText(page), fx.text);
      assert.ok(cer < 0.02, `CER ${cer}: ${pageText(page)}`);
      assert.equal(page.number, 3);
      assert.equal(page.source, "ocr");
      assert.equal(page.width, fx.image.width);
      assert.equal(page.height, fx.image.height);
      assert.equal(page.dpi, 200);
      assert.equal(page.rotation, 0);
      assert.equal(page.skew, 0);
      assert.ok(page.confidence > 80, `confidence ${page.confidence}`);
      const lines = page.blocks.flatMap((b) => b.lines);
      assert.equal(lines.length, FIXTURE_LINES.length);
      for (const w of words(page)) assert.ok(w.confidence >= 0 && w.confidence <= 100);
      assertBoxesOverWords(page, fx.words);
    });

    for (const rotation of [90, 180, 270]) {
      test(`puts a page turned ${rotation}° upright and reports it`, async () => {
        const turned = await rotated(fx.image, rotation);
        const page = await engine.recognize(turned, { ...BASE, pageNumber: 1 });
        // The fixture was turned `rotation` clockwise, so making it upright takes the rest of the turn.
        assert.equal(page.rotation, (360 - rotation) % 360);
        assert.equal(page.width, fx.image.width, "page size is the upright size");
        assert.equal(page.height, fx.image.height);
        const cer = characterErrorRate(pageText(page), fx.text);
        assert.ok(cer < 0.02, `CER ${cer}`);
        // Upright frame = the fixture's own frame, so the true boxes apply unchanged.
        assertBoxesOverWords(page, fx.words);
      });
    }

    test("straightens a 3° skew and maps boxes back onto the skewed page", async () => {
      const crooked = await skewed(fx.image, 3);
      const page = await engine.recognize(crooked, { ...BASE, pageNumber: 1 });
      assert.ok(Math.abs(page.skew + 3) <= 0.3, `skew ${page.skew}`);
      assert.equal(page.rotation, 0);
      assert.equal(page.width, crooked.width);
      const cer = characterErrorRate(pageText(page), fx.text);
      assert.ok(cer < 0.02, `CER ${cer}`);
      // Where each word really is on the skewed page: its box turned 3° clockwise.
      const expected = fx.words.map((w) => ({ text: w.text, bbox: deskewedToUpright(w.bbox, -3, fx.image, crooked) }));
      assertBoxesOverWords(page, expected, 8);
    });

    test("recognises each page of a multi-page TIFF", async () => {
      const one = await textImage(200, { lines: ["First page of the scan"] });
      const two = await textImage(200, { lines: ["Second sheet here"] });
      const tiff = await openImageForOcr(await multiPageTiff([one.image, two.image], 200));
      assert.equal(tiff.pageCount, 2);
      const texts: string[] = [];
      for (let i = 0; i < tiff.pageCount; i++) {
        const page = await engine.recognize(await tiff.page(i), { ...BASE, pageNumber: i + 1, autoRotate: false });
        texts.push(pageText(page));
      }
      assert.ok(characterErrorRate(texts[0]!, one.text) < 0.05, texts[0]);
      assert.ok(characterErrorRate(texts[1]!, two.text) < 0.05, texts[1]);
    });

    test("reads with several languages and in the sparse modes", async () => {
      const small = await textImage(200, { lines: FIXTURE_LINES.slice(0, 2) });
      for (const options of [
        { languages: ["eng", "pol"], mode: "document" as const },
        { languages: ["eng"], mode: "general" as const },
        { languages: ["eng"], mode: "figure" as const },
      ]) {
        const page = await engine.recognize(small.image, { ...options, pageNumber: 1, autoRotate: false });
        const cer = characterErrorRate(pageText(page), small.text);
        assert.ok(cer < 0.05, `${JSON.stringify(options)}: CER ${cer}: ${pageText(page)}`);
      }
    });

    test("rejects an unknown language with a permanent language_unavailable", async () => {
      await assert.rejects(
        engine.recognize(fx.image, { ...BASE, languages: ["eng", "xyz"], pageNumber: 1 }),
        (e: unknown) =>
          e instanceof DocketError && e.code === "language_unavailable" && e.permanent && /xyz/.test(e.message),
      );
      await assert.rejects(
        engine.recognize(fx.image, { ...BASE, languages: ["../../etc/passwd"], pageNumber: 1 }),
        (e: unknown) => e instanceof DocketError && e.code === "language_unavailable",
      );
    });

    test("cancels mid-recognition within 1 s and stays usable", async () => {
      const big = await textImage(300, { lines: [...FIXTURE_LINES, ...FIXTURE_LINES] });
      const controller = new AbortController();
      const options = { ...BASE, pageNumber: 1, autoRotate: false, deskew: false, signal: controller.signal };
      const started = Date.now();
      const running = engine.recognize(big.image, options);
      // Let it get into Tesseract proper, then cancel.
      await new Promise((r) => setTimeout(r, 400));
      const abortedAt = Date.now();
      controller.abort();
      await assert.rejects(running, (e: unknown) => e instanceof DocketError && e.code === "cancelled");
      const latency = Date.now() - abortedAt;
      assert.ok(latency < 1000, `cancel took ${latency} ms (started ${abortedAt - started} ms in)`);
      // Several pages at once after a cancel: the pool replaced the killed worker.
      const pages = await Promise.all(
        [1, 2, 3].map((n) => engine.recognize(fx.image, { ...BASE, pageNumber: n, autoRotate: false })),
      );
      for (const page of pages) assert.ok(characterErrorRate(pageText(page), fx.text) < 0.02);
      // An already-aborted signal is refused at once.
      await assert.rejects(
        engine.recognize(fx.image, { ...BASE, pageNumber: 1, signal: AbortSignal.abort() }),
        (e: unknown) => e instanceof DocketError && e.code === "cancelled",
      );
    });

    test("tiles tall pages at the gundam preset without losing text", async () => {
      const lines = Array.from({ length: 4 }, () => FIXTURE_LINES).flat();
      const tall = await textImage(300, { lines });
      assert.ok(tall.image.height > 3000, `fixture height ${tall.image.height}`);
      const page = await engine.recognize(tall.image, {
        ...BASE,
        pageNumber: 1,
        resolution: "gundam",
        autoRotate: false,
      });
      const cer = characterErrorRate(pageText(page), tall.text);
      assert.ok(cer < 0.02, `CER ${cer}`);
      assertBoxesOverWords(page, tall.words);
    });
  });
}
