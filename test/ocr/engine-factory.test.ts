import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../src/logger.js";
import { LanguageCatalog } from "../../src/ocr/language-catalog.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import { tesseractBinary } from "../support/tesseract.js";

describe("createOcrEngine", () => {
  it("auto falls back to tesseract.js when no binary is on PATH", async () => {
    const engine = await createOcrEngine({ engine: "auto", workers: 1 }, { log: silentLogger(), pathEnv: "" });
    try {
      assert.equal(engine.name, "tesseract-wasm");
    } finally {
      await engine.close();
    }
  });

  it("auto prefers the native binary when it is installed, with small images on warm tesseract.js threads", async (t) => {
    if ((await tesseractBinary()) === undefined) {
      t.skip("tesseract CLI not installed");
      return;
    }
    const engine = await createOcrEngine({ engine: "auto", workers: 1 }, { log: silentLogger(), pathEnv: process.env.PATH });
    try {
      assert.equal(engine.name, "tesseract-cli+wasm");
      const health = await engine.check();
      assert.ok(health.ok && /warm tesseract-wasm threads/.test(health.detail), health.detail);
    } finally {
      await engine.close();
    }
  });

  it("cli is the binary alone", async (t) => {
    if ((await tesseractBinary()) === undefined) {
      t.skip("tesseract CLI not installed");
      return;
    }
    const engine = await createOcrEngine({ engine: "cli", workers: 1 }, { log: silentLogger(), pathEnv: process.env.PATH });
    try {
      assert.equal(engine.name, "tesseract-cli");
    } finally {
      await engine.close();
    }
  });

  it("cli without a binary is a start-up error", async () => {
    await assert.rejects(createOcrEngine({ engine: "cli" }, { log: silentLogger(), pathEnv: "" }), /no tesseract binary/);
  });
});

describe("LanguageCatalog", () => {
  it("finds the npm language packages without any system folder", () => {
    const catalog = new LanguageCatalog({ systemTessdataDirs: [] });
    assert.deepEqual(catalog.recognitionLanguages().filter((c) => ["eng", "pol"].includes(c)), ["eng", "pol"]);
    assert.ok(catalog.osdFile()?.path.endsWith("osd.traineddata.gz"));
    assert.deepEqual(catalog.systemLanguages(), []);
  });
});
