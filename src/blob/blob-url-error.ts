import { DocketError } from "../errors.js";

/** A refused DOCKET_BLOB_URL: permanent, naming the setting (never echoing a URL that may hold a secret). */
export function blobUrlError(message: string, cause?: unknown): DocketError {
  return new DocketError("validation_error", message, {
    permanent: true,
    details: { setting: "DOCKET_BLOB_URL" },
    ...(cause === undefined ? {} : { cause }),
  });
}
