import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `Docket-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (API.md),
 * the scheme of Stripe: the timestamp is signed with the body, so a captured request
 * cannot be replayed later than the receiver's tolerance.
 */
export const SIGNATURE_HEADER = "Docket-Signature";
export const DELIVERY_HEADER = "Docket-Delivery";
export const EVENT_HEADER = "Docket-Event";

export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** The receiver's side (used by the tests and shown in docs/WEBHOOK-SIGNATURES.md). */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Headers of one signed JSON POST. */
export function signedHeaders(options: {
  secret: string | undefined;
  body: string;
  deliveryId: string;
  event: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Docket-Webhook/1",
    [DELIVERY_HEADER]: options.deliveryId,
    [EVENT_HEADER]: options.event,
  };
  if (options.secret)
    headers[SIGNATURE_HEADER] = signPayload(options.secret, options.body, Math.floor(Date.now() / 1000));
  return headers;
}
