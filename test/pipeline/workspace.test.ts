import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { DocketError } from "../../src/errors.js";
import { readJson, writeJson } from "../../src/pipeline/workspace.js";

describe("step workspace JSON", () => {
  let root: string;
  let store: LocalBlobStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-workspace-"));
    store = new LocalBlobStore(root, { fsync: false });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("reads back what a step wrote", async () => {
    await writeJson(store, "jobs/j1/check_text/check.json", { ocrPages: [2], textPages: [1] });
    assert.deepEqual(await readJson(store, "jobs/j1/check_text/check.json"), { ocrPages: [2], textPages: [1] });
  });

  it("calls a missing step output a permanent internal error, naming the key", async () => {
    await assert.rejects(readJson(store, "jobs/j1/ocr/pages.json"), (error: unknown) => {
      assert.ok(error instanceof DocketError);
      assert.equal(error.code, "internal_error");
      assert.equal(error.permanent, true);
      assert.match(error.message, /missing step output jobs\/j1\/ocr\/pages\.json/);
      return true;
    });
  });

  it("passes other failures through unchanged", async () => {
    await assert.rejects(
      readJson(store, "../escape.json"),
      (error: unknown) => error instanceof DocketError && error.code === "validation_error",
    );
  });
});
