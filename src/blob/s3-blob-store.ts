import { Readable, Transform } from "node:stream";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { assertDeletablePrefix, assertValidBlobKey, assertValidBlobPrefix } from "./blob-key.js";
import type { BlobEntry } from "./blob-store.js";
import type { MovableBlobStore } from "./local-blob-store.js";
import { DocketError } from "../errors.js";
import { blobUrlError } from "./blob-url-error.js";

export interface S3Location {
  bucket: string;
  /** Key prefix inside the bucket ("" or ending in '/'), so several installations can share one. */
  prefix: string;
  endpoint: string | undefined;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`): what MinIO, Ceph and most self-hosted stores need. */
  forcePathStyle: boolean;
}

/**
 * Parses `DOCKET_BLOB_URL=s3://bucket[/prefix]?endpoint=…&region=…&path_style=true|false`.
 * Credentials are never in the URL: they come from the AWS SDK's usual sources
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or an instance role).
 */
export function parseS3Url(url: string): S3Location {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    // The URL is not echoed: a misplaced secret in it must not reach the logs.
    throw blobUrlError("DOCKET_BLOB_URL is not a valid URL (expected s3://bucket[/prefix]?endpoint=…)", error);
  }
  if (parsed.username || parsed.password) {
    throw blobUrlError(
      "DOCKET_BLOB_URL must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead",
    );
  }
  const bucket = parsed.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw blobUrlError(
      `DOCKET_BLOB_URL: ${JSON.stringify(bucket)} is not a valid bucket name (3–63 lower-case letters, digits, '.' or '-')`,
    );
  }
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, "");
  const prefix = path === "" ? "" : `${path}/`;
  if (prefix !== "") assertValidBlobPrefix(prefix);
  const known = new Set(["endpoint", "region", "path_style"]);
  for (const name of parsed.searchParams.keys()) {
    if (!known.has(name))
      throw blobUrlError(`DOCKET_BLOB_URL: unknown parameter "${name}" (known: ${[...known].join(", ")})`);
  }
  const endpoint = parsed.searchParams.get("endpoint") ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/i.test(endpoint)) {
    throw blobUrlError("DOCKET_BLOB_URL: the endpoint parameter must be an http(s):// URL");
  }
  const pathStyle = parsed.searchParams.get("path_style");
  if (pathStyle !== null && pathStyle !== "true" && pathStyle !== "false") {
    throw blobUrlError("DOCKET_BLOB_URL: path_style must be true or false");
  }
  return {
    bucket,
    prefix,
    endpoint,
    region:
      parsed.searchParams.get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    // A custom endpoint is almost always a self-hosted store that wants path-style requests.
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === "true",
  };
}

/**
 * Blobs as objects in an S3-compatible bucket, for running API and worker processes on
 * several hosts. A PUT is atomic in S3 (an object appears whole or not at all), which is
 * the guarantee the BlobStore interface asks for; streams of unknown length go up as a
 * multipart upload, so no blob is ever held whole in memory.
 */
export class S3BlobStore implements MovableBlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly location: Pick<S3Location, "bucket" | "prefix">,
  ) {}

  static fromUrl(url: string): S3BlobStore {
    const location = parseS3Url(url);
    const client = new S3Client({
      region: location.region,
      forcePathStyle: location.forcePathStyle,
      ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    });
    return new S3BlobStore(client, location);
  }

  async put(key: string, data: Readable | Buffer | Uint8Array | string): Promise<{ size: number }> {
    const objectKey = this.objectKey(key);
    if (typeof data === "string" || data instanceof Uint8Array) {
      const body = typeof data === "string" ? Buffer.from(data) : data;
      await new Upload({
        client: this.client,
        params: { Bucket: this.location.bucket, Key: objectKey, Body: body },
      }).done();
      return { size: body.length };
    }
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    data.on("error", (error) => counter.destroy(error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: objectKey, Body: data.pipe(counter) },
    });
    try {
      await upload.done();
    } catch (error) {
      // A failed multipart upload is aborted by lib-storage (leavePartsOnError is false).
      throw this.mapError(error, key);
    }
    return { size };
  }

  async get(key: string): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }),
      );
      if (!(result.Body instanceof Readable)) throw new Error("S3 returned no readable body");
      return result.Body;
    } catch (error) {
      throw this.mapError(error, key);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (error) {
      if (error instanceof DocketError && error.code === "not_found") return false;
      throw error;
    }
  }

  async size(key: string): Promise<number> {
    return (await this.head(key)).ContentLength ?? 0;
  }

  /** Idempotent, like S3's own DeleteObject. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertDeletablePrefix(prefix);
    const keys = await this.list(prefix);
    // DeleteObjects takes at most 1,000 keys per request.
    for (let i = 0; i < keys.length; i += 1_000) {
      const batch = keys.slice(i, i + 1_000).map((key) => ({ Key: this.objectKey(key) }));
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.location.bucket, Delete: { Objects: batch, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `could not delete ${failed.length} objects under ${prefix}: ${failed[0]?.Message ?? "unknown error"}`,
        );
    }
  }

  /** Keys under `prefix`, sorted (S3 lists in UTF-8 binary order already; sorted again for equality with the local store). */
  async list(prefix: string): Promise<string[]> {
    return (await this.listEntries(prefix)).map((entry) => entry.key);
  }

  async listEntries(prefix: string): Promise<BlobEntry[]> {
    assertValidBlobPrefix(prefix);
    const keys: BlobEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: `${this.location.prefix}${prefix}`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined)
          keys.push({
            key: object.Key.slice(this.location.prefix.length),
            modifiedAt: object.LastModified?.getTime() ?? 0,
          });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  localPath(): null {
    return null;
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
  }

  /** Server-side copy, then delete: no bytes pass through Docket. */
  async move(fromKey: string, toKey: string): Promise<void> {
    const source = `${this.location.bucket}/${this.objectKey(fromKey)}`;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.location.bucket,
          Key: this.objectKey(toKey),
          CopySource: encodeURIComponent(source).replace(/%2F/g, "/"),
        }),
      );
    } catch (error) {
      throw this.mapError(error, fromKey);
    }
    await this.delete(fromKey);
  }

  close(): void {
    this.client.destroy();
  }

  private async head(key: string) {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw this.mapError(error, key);
    }
  }

  private objectKey(key: string): string {
    assertValidBlobKey(key);
    return `${this.location.prefix}${key}`;
  }

  private mapError(error: unknown, key: string): unknown {
    if (
      error instanceof S3ServiceException &&
      (error.name === "NoSuchKey" || error.name === "NotFound" || error.$metadata.httpStatusCode === 404)
    ) {
      return new DocketError("not_found", `blob ${key} not found`);
    }
    return error;
  }
}
