import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { JobOptions } from "../../src/domain/types.js";
import { BlobSweeper } from "../../src/blob/blob-sweeper.js";
import type { BlobStore } from "../../src/blob/blob-store.js";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { S3BlobStore } from "../../src/blob/s3-blob-store.js";
import { DocumentService } from "../../src/documents/document-service.js";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { uploadKeyFor } from "../../src/intake/store-upload.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { startLocalS3, type LocalS3 } from "../support/s3-server.js";
import { seedDocuments } from "../support/seed.js";

const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
  extract: "off",
};

const HOUR = 3_600_000;
const uploadKey = () => uploadKeyFor(randomBytes(32).toString("hex"));

for (const dialect of DIALECTS) {
  for (const storeKind of ["local", "s3"] as const) {
    describe(`blob sweeper (${dialect}, ${storeKind} store)`, async () => {
      const skip = await skipReasonFor(dialect);
      let db: TestDatabase;
      let engine: Engine;
      let s3: LocalS3 | undefined;
      let store: BlobStore;
      before(async () => {
        if (skip) return;
        db = await createTestDatabase(dialect);
        engine = await createEngine({ database: db.database, log: silentLogger() });
        if (storeKind === "s3") {
          s3 = await startLocalS3();
          store = S3BlobStore.fromUrl(s3.url(`sweep-${randomBytes(4).toString("hex")}`));
        } else {
          store = new LocalBlobStore(join(db.dataDir, "blobs"), { fsync: false });
        }
      });
      after(async () => {
        if (skip) return;
        store.close?.();
        await s3?.close();
        await engine.close();
        await db.drop();
      });

      it("removes old orphans (partial, unrecorded, of deleted jobs) and nothing else", { skip }, async () => {
        const { ownerId, documentIds } = await seedDocuments(db.database, 2);
        const recorded = uploadKey();
        const deletedDocs = uploadKey();
        await db.database.db
          .updateTable("documents")
          .set({ blob_key: recorded })
          .where("id", "=", documentIds[0]!)
          .execute();
        // A deleted document still owns its bytes (another upload of them may share the blob).
        await db.database.db
          .updateTable("documents")
          .set({ blob_key: deletedDocs, deleted_at: Date.now() })
          .where("id", "=", documentIds[1]!)
          .execute();
        const job = await engine.queue.enqueue({
          documentId: documentIds[0]!,
          ownerId,
          pipeline: "test",
          options: OPTIONS,
          plan: ["a"],
        });
        const unrecorded = uploadKey();
        const partial = "uploads/tmp/5b0c0a3e-0000-4000-8000-000000000000";
        const liveJobBlob = `jobs/${job.id}/a/out.txt`;
        const orphanJobBlobs = ["jobs/0190aaaa-gone/a/out.txt", "jobs/0190aaaa-gone/b/page-1.png"];
        for (const key of [recorded, deletedDocs, unrecorded, partial, liveJobBlob, ...orphanJobBlobs])
          await store.put(key, "bytes");

        // Everything is young: an upload may be streaming or about to be recorded.
        const young = await new BlobSweeper({ database: db.database, blobStore: store, log: silentLogger() }).sweep();
        assert.deepEqual(young, { tempUploads: 0, unrecordedUploads: 0, orphanJobBlobs: 0 });

        const later = () => Date.now() + 2 * HOUR;
        const sweeper = new BlobSweeper({ database: db.database, blobStore: store, log: silentLogger(), clock: later });
        assert.deepEqual(await sweeper.sweep(), { tempUploads: 1, unrecordedUploads: 1, orphanJobBlobs: 2 });
        assert.deepEqual(await store.list(""), [liveJobBlob, recorded, deletedDocs].sort());
        assert.deepEqual(await sweeper.sweep(), { tempUploads: 0, unrecordedUploads: 0, orphanJobBlobs: 0 });
      });

      it("an upload recorded while the sweeper runs keeps its blob, or is told to upload again", { skip }, async () => {
        const { ownerId } = await seedDocuments(db.database, 0);
        const key = uploadKey();
        await store.put(key, "old bytes no document points at");
        const sweeper = new BlobSweeper({
          database: db.database,
          blobStore: store,
          log: silentLogger(),
          clock: () => Date.now() + 2 * HOUR,
        });
        const documents = new DocumentService(db.database, store, engine.queue, silentLogger(), 1024);
        const stored = {
          key,
          sha256: key.slice(-64),
          size: 31,
          mimeType: "application/pdf" as const,
          originalFilename: "a.pdf",
          safeFilename: "a.pdf",
          blobExisted: true,
        };
        const [swept, recorded] = await Promise.allSettled([sweeper.sweep(), documents.record(ownerId, stored)]);
        assert.equal(swept.status, "fulfilled");
        const blobThere = await store.exists(key);
        if (recorded.status === "fulfilled") assert.equal(blobThere, true, "a recorded document lost its blob");
        else {
          assert.equal((recorded.reason as { code?: string }).code, "transient_error");
          assert.equal(blobThere, false);
        }
      });
    });
  }
}
