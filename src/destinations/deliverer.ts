import type { DeliveryJob } from "./delivery-files.js";

/** What one delivery step asks of a destination. */
export interface DeliveryRequest {
  job: DeliveryJob;
  /** Stable for the (job, step): a webhook repeats it as `Docket-Delivery` on every retry. */
  deliveryId: string;
  signal: AbortSignal;
}

/**
 * One destination kind. `deliver` is idempotent: the same job goes to the same path or key,
 * so a retry after a crash overwrites instead of duplicating. Failures are DocketErrors with
 * `destination_unreachable`, `destination_auth` or `destination_rejected`.
 */
export interface Deliverer {
  deliver(request: DeliveryRequest): Promise<{ location: string }>;
  /** Checks the connection and credentials without delivering; returns what was checked. */
  test(signal: AbortSignal): Promise<string>;
}

/** Settings every deliverer shares (from the server's configuration). */
export interface DelivererOptions {
  allowPrivateUrls: boolean;
  folderRoots: readonly string[];
  /** Per request (default 30 s; uploads of large files get more through multipart parts). */
  timeoutMs?: number;
}
