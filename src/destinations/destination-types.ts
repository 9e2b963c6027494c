import { z } from "zod";

/** The kinds of destination (API.md "Destinations and webhooks") and their configs. */
export const DESTINATION_KINDS = ["webhook", "folder", "s3", "webdav"] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** What a masked secret looks like in answers; sending it back keeps the stored value. */
export const SECRET_MASK = "********";

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s/]+/i.test(v), "must be an http(s) URL");

/** Default: outputs up to this size travel inside a webhook's JSON, larger ones as links. */
export const DEFAULT_INLINE_MAX_BYTES = 256 * 1024;

export const CONFIG_SCHEMAS = {
  webhook: z.strictObject({
    url: httpUrl,
    secret: z.string().min(8, "at least 8 characters").max(500).optional(),
    inline_max_bytes: z
      .number()
      .int()
      .min(0)
      .max(10 * 1024 * 1024)
      .optional(),
  }),
  folder: z.strictObject({
    path: z.string().trim().min(1).max(1000),
  }),
  s3: z.strictObject({
    bucket: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
    prefix: z.string().trim().max(500).optional(),
    endpoint: httpUrl.optional(),
    region: z.string().trim().min(1).max(50).optional(),
    access_key_id: z.string().trim().min(1).max(200),
    secret_access_key: z.string().min(1).max(500),
  }),
  webdav: z.strictObject({
    url: httpUrl,
    username: z.string().max(200).optional(),
    password: z.string().max(500).optional(),
  }),
} as const;

export type DestinationConfig = {
  [K in DestinationKind]: z.infer<(typeof CONFIG_SCHEMAS)[K]>;
};

/** The config fields that are secrets: stored encrypted, never returned, never logged. */
export const SECRET_FIELDS: Record<DestinationKind, readonly string[]> = {
  webhook: ["secret"],
  folder: [],
  s3: ["secret_access_key"],
  webdav: ["password"],
};

/** A destination as the services use it, secrets decrypted. */
export interface Destination<K extends DestinationKind = DestinationKind> {
  id: string;
  ownerId: string;
  name: string;
  kind: K;
  config: DestinationConfig[K];
  isDefault: boolean;
  createdAt: number;
}

/** A destination as API.md shows it: secrets masked. */
export interface DestinationJson {
  id: string;
  name: string;
  kind: DestinationKind;
  config: Record<string, unknown>;
  is_default: boolean;
  created_at: string;
}

/** Destination names become step names (`deliver:<name>`): printable, no slashes or colons. */
export const DESTINATION_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,62}$/u;

export function maskConfig(kind: DestinationKind, config: Record<string, unknown>): Record<string, unknown> {
  const shown = { ...config };
  for (const field of SECRET_FIELDS[kind]) if (shown[field] !== undefined) shown[field] = SECRET_MASK;
  return shown;
}
