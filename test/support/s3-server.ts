/**
 * A local S3-compatible server for tests (s3rver: speaks the S3 REST protocol, stores under a
 * temp directory). S3 itself cannot run here; this is the stand-in the real SDK talks to over
 * HTTP, signatures included (s3rver's fixed credentials S3RVER/S3RVER).
 */
import { mkdtemp, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** A DOCKET_BLOB_URL for this server, optionally under a key prefix. */
  url(prefix?: string): string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = "docket-test"): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "docket-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  keepDirectoriesOnDelete(server);
  listInOnePage(server);
  const { port } = await server.run();
  // The AWS SDK's default credential chain reads these; s3rver accepts only its own pair.
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    url: (prefix = "") =>
      `s3://${bucket}${prefix ? `/${prefix}` : ""}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1`,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver removes a directory when a delete leaves it empty. Under concurrency that races:
 * a PUT into the directory between its mkdir and its open fails with ENOENT (uncaught, the
 * request hangs), and two deletes emptying one directory both rmdir it, the loser failing
 * with a 500 that repeats on every retry. S3 has no directories; keeping them keeps the
 * stand-in as atomic as the real thing. A delete removes the object's files only.
 */
function keepDirectoriesOnDelete(server: S3rver): void {
  const store = server.store;
  store.deleteObject = async (bucket, key) => {
    const files = ["object", "object.md5", "metadata.json"].map((r) => store.getResourcePath(bucket, key, r));
    await Promise.all(
      files.map((file) =>
        unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        }),
      ),
    );
  };
}

/**
 * s3rver pages a listing of more than 1000 keys with a continuation token it enciphers with
 * DES, which OpenSSL 3 (Node 18+) no longer offers: the page answers 500. The store lists
 * every key in one page instead (S3BlobStore follows tokens, and a single page is a valid answer).
 */
function listInOnePage(server: S3rver): void {
  const store = server.store;
  const list = store.listObjects.bind(store);
  store.listObjects = (bucket, options) => list(bucket, { ...options, maxKeys: Infinity });
}
