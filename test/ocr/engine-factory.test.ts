import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../src/logger.js";
import { LanguageCatalog } from "../../src/ocr/language-catalog.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import type { OcrEngineChoice } from "../../src/ocr/ocr-config.js";
import type { OcrEngine } from "../../src/ocr/ocr-engine.js";
import { tesseractBinary } from "../support/tesseract.js";

/** Builds the engine `choice` makes with `pathEnv` as PATH, hands it to `check`, closes it. */
async function withEngine(
  choice: OcrEngineChoice,
  pathEnv: string | undefined,
  check: (engine: OcrEngine) => Promise<void>,
): Promise<void> {
  const engine = await createOcrEngine(
    { engine: choice, workers: 1 },
    { log: silentLogger(), ...(pathEnv === undefined ? {} : { pathEnv }) },
  );
  try {
    await check(engine);
  } finally {
    await engine.close();
  }
}

describe("createOcrEngine", () => {
  it("auto falls back to tesseract.js when no binary is on PATH", () =>
    withEngine("auto", "", async (engine) => {
      assert.equal(engine.name, "tesseract-wasm");
    }));

  it("auto prefers the native binary when it is installed", async (t) => {
    if ((await tesseractBinary()) === undefined) return t.skip("tesseract CLI not installed");
    await withEngine("auto", process.env.PATH, async (engine) => {
      assert.equal(engine.name, "tesseract-cli");
      const health = await engine.check();
      assert.ok(health.ok && /tesseract-cli \(tesseract \d/.test(health.detail), health.detail);
    });
  });

  it("cli is the binary alone", async (t) => {
    if ((await tesseractBinary()) === undefined) return t.skip("tesseract CLI not installed");
    await withEngine("cli", process.env.PATH, async (engine) => {
      assert.equal(engine.name, "tesseract-cli");
    });
  });

  it("cli without a binary is a start-up error", async () => {
    await assert.rejects(
      createOcrEngine({ engine: "cli" }, { log: silentLogger(), pathEnv: "" }),
      /no tesseract binary/,
    );
  });
});

describe("LanguageCatalog", () => {
  it("finds the npm language packages without any system folder", () => {
    const catalog = new LanguageCatalog({ systemTessdataDirs: [] });
    assert.deepEqual(
      catalog.recognitionLanguages().filter((c) => ["eng", "pol"].includes(c)),
      ["eng", "pol"],
    );
    assert.ok(catalog.osdFile()?.path.endsWith("osd.traineddata.gz"));
    assert.deepEqual(catalog.systemLanguages(), []);
  });
});
