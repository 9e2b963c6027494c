import { z } from "zod";

/** The zod shapes of configuration values (strings from the environment or a file), for config.ts. */

export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

export const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? String(fallback) : v))
    .transform(Number)
    .pipe(
      z
        .number({ error: "must be a number" })
        .int("must be an integer")
        .min(0, "must be 0 or more")
        .max(max, `must be at most ${max}`),
    );

/** A number in [0, max] (thresholds). */
export const fraction = (fallback: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? String(fallback) : v))
    .transform(Number)
    .pipe(z.number({ error: "must be a number" }).min(0, "must be 0 or more").max(max, `must be at most ${max}`));

/** Seconds, more than 0 (fractions allowed, for tests), at most `max`. */
export const seconds = (fallback: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? String(fallback) : v))
    .transform(Number)
    .pipe(
      z
        .number({ error: "must be a number of seconds" })
        .positive("must be more than 0")
        .max(max, `must be at most ${max}`),
    );
