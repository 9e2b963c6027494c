import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { silentLogger } from "../../src/logger.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { tesseractSkipReason } from "../support/tesseract.js";

test(
  "DOCKET_OCR_ENGINE=cli finds the installed tesseract on PATH and the pipeline is ready",
  { skip: await tesseractSkipReason() },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "docket-pipelines-"));
    const database = await openDatabase({ dataDir: dir });
    try {
      const config = loadConfig({ DOCKET_DATA_DIR: dir, DOCKET_OCR_ENGINE: "cli", LOG_LEVEL: "silent" });
      const [ocr] = await createPipelines({
        config,
        database,
        blobStore: new LocalBlobStore(join(dir, "blobs")),
        log: silentLogger(),
      });
      assert.equal(ocr?.name, "ocr");
      await ocr.check?.();
      assert.doesNotThrow(() =>
        ocr.checkOptions?.({
          ocr_mode: "document",
          resolution_mode: "base",
          languages: ["eng"],
          outputs: ["txt"],
          ocr: "auto",
        }),
      );
      await ocr.close?.();
    } finally {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
