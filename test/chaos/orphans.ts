import type { BlobStore } from "../../src/blob/blob-store.js";
import type { Database } from "../../src/db/database.js";

/**
 * Blobs nothing in the database accounts for, judged independently of the sweeper: upload
 * blobs no document points at, anything under uploads/tmp/, and blobs under jobs/<id>/ of a
 * job that does not exist.
 */
export async function orphanBlobs(database: Database, store: BlobStore): Promise<string[]> {
  const documents = new Set(
    (await database.db.selectFrom("documents").select("blob_key").execute()).map((r) => r.blob_key),
  );
  const jobs = new Set((await database.db.selectFrom("jobs").select("id").execute()).map((r) => r.id));
  const orphans: string[] = [];
  for (const key of await store.list("")) {
    if (key.startsWith("uploads/tmp/")) orphans.push(key);
    else if (key.startsWith("uploads/")) {
      if (!documents.has(key)) orphans.push(key);
    } else if (key.startsWith("jobs/")) {
      if (!jobs.has(key.split("/")[1]!)) orphans.push(key);
    } else orphans.push(key);
  }
  return orphans;
}
