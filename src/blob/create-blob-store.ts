import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BlobStore } from "./blob-store.js";
import { LocalBlobStore } from "./local-blob-store.js";
import { S3BlobStore } from "./s3-blob-store.js";
import { blobUrlError } from "./blob-url-error.js";

export interface BlobStoreConfig {
  /**
   * `DOCKET_BLOB_URL`: unset or empty → `<dataDir>/blobs`; `file:///abs/dir` or a plain
   * path → local files there; `s3://bucket[/prefix]?endpoint=…` → an S3-compatible bucket
   * (see s3-blob-store.ts).
   */
  url?: string | undefined;
  /** `DOCKET_DATA_DIR`: the default home of local blobs. */
  dataDir: string;
  /** See LocalBlobStoreOptions.fsync (default true). */
  fsync?: boolean;
}

/** Build the blob store the configuration names. Called once by each composition root. */
export function createBlobStore(config: BlobStoreConfig): BlobStore {
  const url = config.url?.trim() ?? "";
  const options = config.fsync === undefined ? {} : { fsync: config.fsync };
  if (url === "") return new LocalBlobStore(join(resolve(config.dataDir), "blobs"), options);

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || (scheme.length === 1 && /^[a-z]:[\\/]/i.test(url))) {
    // A plain path (or a Windows drive path): treat it as a local directory.
    return new LocalBlobStore(isAbsolute(url) ? url : resolve(url), options);
  }
  switch (scheme) {
    case "file": {
      let path: string;
      try {
        path = fileURLToPath(url);
      } catch (error) {
        throw blobUrlError(
          `DOCKET_BLOB_URL ${JSON.stringify(url)} is not a valid file:// URL (use file:///absolute/path)`,
          error,
        );
      }
      return new LocalBlobStore(path, options);
    }
    case "s3":
      return S3BlobStore.fromUrl(url);
    default:
      throw blobUrlError(`DOCKET_BLOB_URL: unsupported scheme "${scheme}:" (supported: file://, s3://)`);
  }
}
