import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("prefers the npm models for recognition, or the system's own when asked (for threads beside the CLI)", () => {
    const dir = mkdtempSync(join(tmpdir(), "docket-tessdata-"));
    try {
      // The catalog only records where a language's file is; it does not read it.
      writeFileSync(join(dir, "eng.traineddata"), "");
      const npmFirst = new LanguageCatalog({ systemTessdataDirs: [dir] });
      assert.match(npmFirst.recognitionFile("eng")!.path, /4\.0\.0_best_int[/\\]eng\.traineddata\.gz$/);
      const systemFirst = new LanguageCatalog({ systemTessdataDirs: [dir], preferSystemModels: true });
      assert.equal(systemFirst.recognitionFile("eng")!.path, join(dir, "eng.traineddata"));
      assert.match(systemFirst.recognitionFile("pol")!.path, /pol\.traineddata\.gz$/, "npm still serves what the system lacks");
      assert.deepEqual(systemFirst.systemLanguages(), ["eng"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
