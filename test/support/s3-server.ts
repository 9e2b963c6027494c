/**
 * A local S3-compatible server for tests (s3rver: speaks the S3 REST protocol, stores under a
 * temp directory). S3 itself cannot run here; this is the stand-in the real SDK talks to over
 * HTTP, signatures included (s3rver's fixed credentials S3RVER/S3RVER).
 */
import { mkdtemp, rm } from "node:fs/promises";
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
