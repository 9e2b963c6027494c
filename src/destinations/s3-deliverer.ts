import http from "node:http";
import https from "node:https";
import { HeadBucketCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { DocketError } from "../errors.js";
import { checkOutgoingUrl, guardedLookup, OutgoingRequestError } from "../net/safe-http.js";
import type { Deliverer, DelivererOptions, DeliveryRequest } from "./deliverer.js";
import { authFailed, fromOutgoing, rejected, unreachable } from "./delivery-errors.js";
import type { DestinationConfig } from "./destination-types.js";

/** Files above this go up in parts (lib-storage's multipart upload); S3's minimum part is 5 MiB. */
export const S3_PART_SIZE = 5 * 1024 * 1024;

const AUTH_ERRORS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "InvalidToken",
  "ExpiredToken",
  "Forbidden",
]);

function s3Error(error: unknown, where: string): DocketError {
  if (error instanceof DocketError) return error;
  if (error instanceof OutgoingRequestError) return fromOutgoing(error, where);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof OutgoingRequestError) return fromOutgoing(cause, where);
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    if (AUTH_ERRORS.has(error.name) || status === 401 || status === 403)
      return authFailed(`${where}: ${error.name} (check the access key and secret)`);
    if (status >= 500 || status === 429 || error.name === "SlowDown") return unreachable(`${where}: ${error.name}`);
    return rejected(`${where}: ${error.name}${error.name === "NoSuchBucket" ? " (the bucket does not exist)" : ""}`);
  }
  return fromOutgoing(error, where);
}

/**
 * Uploads each output as `<prefix>/<file name>` to an S3-compatible bucket (AWS, MinIO,
 * Ceph, Garage…). The key depends only on the job, so a retry overwrites. Connections go
 * through the outgoing-request guard like every other user-given address.
 */
export function s3Deliverer(config: DestinationConfig["s3"], options: DelivererOptions): Deliverer {
  if (config.endpoint) checkOutgoingUrl(config.endpoint, options.allowPrivateUrls);
  const lookup = guardedLookup(options.allowPrivateUrls);
  const client = () =>
    new S3Client({
      region: config.region ?? "us-east-1",
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      credentials: { accessKeyId: config.access_key_id, secretAccessKey: config.secret_access_key },
      maxAttempts: 1, // the engine retries the step with its own back-off
      requestHandler: {
        httpAgent: new http.Agent({ lookup }),
        httpsAgent: new https.Agent({ lookup }),
        connectionTimeout: 10_000,
        requestTimeout: options.timeoutMs ?? 60_000,
      },
    });
  const prefix = (config.prefix ?? "").replace(/^\/+|\/+$/g, "");
  const keyOf = (name: string) => (prefix ? `${prefix}/${name}` : name);
  const where = `s3://${config.bucket}`;
  return {
    async deliver({ job, signal }: DeliveryRequest) {
      const s3 = client();
      try {
        for (const file of job.files) {
          signal.throwIfAborted();
          const upload = new Upload({
            client: s3,
            params: {
              Bucket: config.bucket,
              Key: keyOf(file.name),
              Body: await file.read(),
              ContentType: file.mimeType,
            },
            partSize: S3_PART_SIZE,
            queueSize: 2,
            leavePartsOnError: false,
          });
          const abort = () => void upload.abort();
          signal.addEventListener("abort", abort, { once: true });
          try {
            await upload.done();
          } finally {
            signal.removeEventListener("abort", abort);
          }
        }
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw s3Error(error, where);
      } finally {
        s3.destroy();
      }
      return { location: `${where}/${prefix ? `${prefix}/` : ""}` };
    },
    async test(signal) {
      const s3 = client();
      try {
        await s3.send(new HeadBucketCommand({ Bucket: config.bucket }), { abortSignal: signal });
      } catch (error) {
        throw s3Error(error, where);
      } finally {
        s3.destroy();
      }
      return `bucket ${config.bucket} is reachable with these credentials`;
    },
  };
}
