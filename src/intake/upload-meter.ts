import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DocketError } from "../errors.js";
import { SNIFF_BYTES, sniffMimeType, type SupportedMimeType } from "./sniff-type.js";

/**
 * A pass-through stream that, in one pass over an upload: counts bytes and fails with
 * `file_too_large` the moment the limit is crossed (so a 10 GB upload costs at most
 * maxBytes of disk, not 10 GB), hashes with SHA-256, and sniffs the type from the first
 * bytes, failing with `unsupported_type` as soon as the head is known (no need to store the
 * rest of a file we will refuse). Memory: one chunk plus SNIFF_BYTES.
 */
export class UploadMeter extends Transform {
  private readonly hash: Hash = createHash("sha256");
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private bytes = 0;
  private sniffed: SupportedMimeType | null | undefined;
  private digest: string | undefined;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.bytes += buffer.length;
    if (this.bytes > this.maxBytes) {
      callback(
        new DocketError("file_too_large", `the file is larger than the limit of ${formatBytes(this.maxBytes)}`, {
          details: { max_bytes: this.maxBytes },
        }),
      );
      return;
    }
    this.hash.update(buffer);
    if (this.sniffed === undefined) {
      this.collectHead(buffer);
      if (this.headLength >= SNIFF_BYTES) {
        const error = this.decideType();
        if (error) {
          callback(error);
          return;
        }
      }
    }
    callback(null, buffer);
  }

  override _flush(callback: TransformCallback): void {
    // Files shorter than SNIFF_BYTES are decided here. Empty files are the caller's concern
    // (they get a better error than "unsupported type").
    if (this.sniffed === undefined && this.bytes > 0) {
      const error = this.decideType();
      if (error) {
        callback(error);
        return;
      }
    }
    this.digest = this.hash.digest("hex");
    callback();
  }

  /** Bytes seen so far (all of them once the stream has finished). */
  get size(): number {
    return this.bytes;
  }

  /** The sniffed type; defined once the stream has finished without error and was non-empty. */
  get mimeType(): SupportedMimeType | null | undefined {
    return this.sniffed;
  }

  /** Hex SHA-256 of all bytes; defined once the stream has finished. */
  get sha256(): string | undefined {
    return this.digest;
  }

  private collectHead(buffer: Buffer): void {
    const wanted = SNIFF_BYTES - this.headLength;
    if (wanted <= 0) return;
    const part = buffer.subarray(0, wanted);
    // Copy: the caller may reuse the chunk's memory after we pass it on.
    this.headChunks.push(Buffer.from(part));
    this.headLength += part.length;
  }

  private decideType(): DocketError | undefined {
    const head = Buffer.concat(this.headChunks, this.headLength);
    this.headChunks.length = 0;
    this.sniffed = sniffMimeType(head);
    if (this.sniffed !== null) return undefined;
    return new DocketError(
      "unsupported_type",
      "unsupported file type: Docket accepts PDF, PNG, JPEG, TIFF, GIF, BMP and WebP (the content decides, not the file name)",
    );
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
