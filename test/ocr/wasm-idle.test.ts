/**
 * tesseract.js threads that give their memory back: a backend made with idleTimeoutMs (the
 * OSD the CLI engine borrows when the system has no osd data) ends a thread left idle and
 * starts it again on demand, reading as well as before.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "../../src/logger.js";
import { characterErrorRate } from "../../src/ocr/cer.js";
import { LanguageCatalog } from "../../src/ocr/language-catalog.js";
import type { TsvRequest } from "../../src/ocr/tesseract-backend.js";
import { tsvToBlocks } from "../../src/ocr/tsv-to-page.js";
import { WasmTesseractBackend } from "../../src/ocr/wasm/wasm-backend.js";
import { textImage, type TextImage } from "../fixtures/generate.js";

const textOf = (tsv: string): string =>
  tsvToBlocks(tsv, (b) => b)
    .flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" ")))
    .join("\n");

describe("tesseract.js threads with an idle timeout", () => {
  let wasm: WasmTesseractBackend;
  let page: TextImage;

  before(async () => {
    wasm = new WasmTesseractBackend({
      catalog: new LanguageCatalog(),
      poolSize: 1,
      log: silentLogger(),
      idleTimeoutMs: 400,
    });
    page = await textImage(200);
  });
  after(async () => {
    await wasm.close();
  });

  const request = (): TsvRequest => ({ ...page.image, languages: ["eng"], psm: 3, variables: {} });

  it("ends an idle thread after idleTimeoutMs and starts it again on demand", async () => {
    await wasm.recognizeTsv(request());
    assert.equal(wasm.liveWorkers, 1);
    await sleep(150);
    assert.equal(wasm.liveWorkers, 1, "still warm shortly after use");
    const deadline = Date.now() + 5_000;
    while (wasm.liveWorkers > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(wasm.liveWorkers, 0, "the idle thread ended");
    const cer = characterErrorRate(textOf(await wasm.recognizeTsv(request())), page.text);
    assert.ok(cer < 0.05, `CER ${cer} after a restart`);
  });
});
