import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "../../src/logger.js";
import { characterErrorRate } from "../../src/ocr/cer.js";
import { CliTesseractBackend } from "../../src/ocr/cli/cli-backend.js";
import { LanguageCatalog } from "../../src/ocr/language-catalog.js";
import { SmallImageRouter } from "../../src/ocr/small-image-router.js";
import type { TesseractBackend, TsvRequest } from "../../src/ocr/tesseract-backend.js";
import { tsvToBlocks } from "../../src/ocr/tsv-to-page.js";
import { WasmTesseractBackend } from "../../src/ocr/wasm/wasm-backend.js";
import { textImage, type TextImage } from "../fixtures/generate.js";
import { tesseractBinary, tesseractSkipReason } from "../support/tesseract.js";

/** A real backend with its calls counted, and the recognitions in flight across all of them. */
function counted(
  backend: TesseractBackend,
  inFlight: { now: number; max: number },
): TesseractBackend & { calls: number } {
  const wrapper = Object.create(backend) as TesseractBackend & { calls: number };
  wrapper.calls = 0;
  wrapper.recognizeTsv = async (request: TsvRequest) => {
    wrapper.calls++;
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    try {
      return await backend.recognizeTsv(request);
    } finally {
      inFlight.now--;
    }
  };
  return wrapper;
}

const textOf = (tsv: string): string =>
  tsvToBlocks(tsv, (b) => b)
    .flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" ")))
    .join("\n");

describe("SmallImageRouter (CLI for pages, warm tesseract.js for small images)", () => {
  let skipReason: string | undefined;
  let cli: CliTesseractBackend;
  let wasm: WasmTesseractBackend;
  let small: TextImage;
  let large: TextImage;

  before(async () => {
    skipReason = await tesseractSkipReason();
    if (skipReason !== undefined) return;
    cli = await CliTesseractBackend.create({ binary: (await tesseractBinary())!, concurrency: 1, log: silentLogger() });
    wasm = new WasmTesseractBackend({
      catalog: new LanguageCatalog(),
      poolSize: 1,
      log: silentLogger(),
      idleTimeoutMs: 400,
    });
    small = await textImage(200);
    large = await textImage(300);
  });
  after(async () => {
    await wasm?.close();
  });

  const request = (image: TextImage, languages = ["eng"]): TsvRequest => ({
    ...image.image,
    languages,
    psm: 3,
    variables: {},
  });

  it("reads small images on the warm threads and pages with the CLI, never more at once than the CLI's limit", async (t) => {
    if (skipReason !== undefined) return t.skip(skipReason);
    assert.ok(small.image.width * small.image.height <= 1_000_000, "the small fixture is under a megapixel");
    assert.ok(large.image.width * large.image.height > 1_000_000, "the large fixture is over a megapixel");
    const inFlight = { now: 0, max: 0 };
    const primary = counted(cli, inFlight);
    const warm = counted(wasm, inFlight);
    const router = new SmallImageRouter({ primary, warm, maxWarmPixels: 1_000_000 });
    assert.equal(router.name, "tesseract-cli+wasm");
    assert.equal(router.concurrency, 1);

    const [a, b, c] = await Promise.all([
      router.recognizeTsv(request(small)),
      router.recognizeTsv(request(large)),
      router.recognizeTsv(request(small)),
    ]);
    assert.equal(warm.calls, 2);
    assert.equal(primary.calls, 1);
    assert.equal(inFlight.max, 1, "the CLI's permit count bounds both engines together");
    for (const tsv of [a, b, c]) {
      const cer = characterErrorRate(textOf(tsv), small.text);
      assert.ok(cer < 0.05, `CER ${cer} for:\n${textOf(tsv)}`);
    }
  });

  it("sends a small image to the CLI when the warm engine lacks one of the job's languages", async (t) => {
    if (skipReason !== undefined) return t.skip(skipReason);
    const inFlight = { now: 0, max: 0 };
    const bare = new WasmTesseractBackend({
      catalog: new LanguageCatalog({ useNpmPackages: false, systemTessdataDirs: [] }),
      poolSize: 1,
      log: silentLogger(),
    });
    try {
      const primary = counted(cli, inFlight);
      const warm = counted(bare, inFlight);
      const router = new SmallImageRouter({ primary, warm, maxWarmPixels: 1_000_000 });
      assert.equal(router.backendFor(request(small)), primary);
      const cer = characterErrorRate(textOf(await router.recognizeTsv(request(small))), small.text);
      assert.ok(cer < 0.05, `CER ${cer}`);
      assert.deepEqual([primary.calls, warm.calls], [1, 0]);
      // The router answers for the CLI's languages only: a job is never accepted that only
      // small images could be read for.
      assert.throws(() => router.requireLanguages(["xyz"]), /language/);
    } finally {
      await bare.close();
    }
  });

  it("ends idle warm threads after idleTimeoutMs and starts them again on demand", async (t) => {
    if (skipReason !== undefined) return t.skip(skipReason);
    const router = new SmallImageRouter({ primary: cli, warm: wasm, maxWarmPixels: 1_000_000 });
    await router.recognizeTsv(request(small));
    assert.equal(wasm.liveWorkers, 1);
    await sleep(150);
    assert.equal(wasm.liveWorkers, 1, "still warm shortly after use");
    const deadline = Date.now() + 5_000;
    while (wasm.liveWorkers > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(wasm.liveWorkers, 0, "the idle thread ended");
    const cer = characterErrorRate(textOf(await router.recognizeTsv(request(small))), small.text);
    assert.ok(cer < 0.05, `CER ${cer} after a restart`);
  });

  it("cancels a recognition on the warm threads within a second", async (t) => {
    if (skipReason !== undefined) return t.skip(skipReason);
    const router = new SmallImageRouter({ primary: cli, warm: wasm, maxWarmPixels: 1_000_000 });
    await router.recognizeTsv(request(small));
    const controller = new AbortController();
    const started = Date.now();
    const pending = router.recognizeTsv({ ...request(small), signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(pending, (e: unknown) => (e as { code?: string }).code === "cancelled");
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
    const cer = characterErrorRate(textOf(await router.recognizeTsv(request(small))), small.text);
    assert.ok(cer < 0.05, "usable after a cancel");
  });
});
