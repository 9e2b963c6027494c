import { safeRequest } from "../net/safe-http.js";
import { signedHeaders } from "../webhooks/signature.js";
import type { Deliverer, DelivererOptions, DeliveryRequest } from "./deliverer.js";
import { checkHttpStatus, fromOutgoing } from "./delivery-errors.js";
import { DEFAULT_INLINE_MAX_BYTES, type DestinationConfig } from "./destination-types.js";

/**
 * POSTs the job's outputs as one signed JSON document. Files travel inline (base64) while
 * their total stays under `inline_max_bytes`; the rest as `path`s of the API that serve
 * them (the receiver fetches those with its own token). The same delivery id is sent on
 * every retry, so a receiver can drop repeats.
 */
export function webhookDeliverer(config: DestinationConfig["webhook"], options: DelivererOptions): Deliverer {
  const policy = {
    allowPrivate: options.allowPrivateUrls,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxResponseBytes: 64 * 1024,
  };
  const post = async (event: string, deliveryId: string, data: unknown, signal: AbortSignal) => {
    const body = JSON.stringify({ id: deliveryId, type: event, created_at: new Date().toISOString(), data });
    const headers = signedHeaders({ secret: config.secret, body, deliveryId, event });
    const response = await safeRequest({ method: "POST", url: config.url, headers, body, signal }, policy).catch(
      (error: unknown) => {
        throw fromOutgoing(error, `webhook ${new URL(config.url).host}`);
      },
    );
    checkHttpStatus(response.status, `webhook ${new URL(config.url).host} answered`);
    return response.status;
  };
  return {
    async deliver({ job, deliveryId, signal }: DeliveryRequest) {
      let budget = config.inline_max_bytes ?? DEFAULT_INLINE_MAX_BYTES;
      const files = [];
      for (const file of job.files) {
        const inline = file.size <= budget;
        if (inline) budget -= file.size;
        files.push({
          name: file.name,
          format: file.format,
          mime_type: file.mimeType,
          size_bytes: file.size,
          path: file.path,
          ...(inline ? { content_base64: (await file.read()).toString("base64") } : {}),
        });
      }
      await post(
        "job.delivery",
        deliveryId,
        { job_id: job.jobId, document_id: job.documentId, filename: job.filename, files },
        signal,
      );
      return { location: config.url };
    },
    async test(signal) {
      const status = await post("destination.test", `test_${Date.now()}`, { test: true }, signal);
      return `${new URL(config.url).host} answered HTTP ${status}`;
    },
  };
}
