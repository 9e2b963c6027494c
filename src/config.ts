import { availableParallelism } from "node:os";
import { z } from "zod";

/**
 * The process configuration, parsed once from the environment by a composition root and
 * passed down. Nothing else reads `process.env` (except the logger's LOG_LEVEL default).
 * The variable names are fixed by API.md.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: SQLite in the data dir. */
  databaseUrl: string | undefined;
  /** Unset: local files in the data dir. */
  blobUrl: string | undefined;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  maxUploadBytes: number;
  ocrLanguages: string[];
  /** Worker concurrency in this process; 0 = no worker. */
  workers: number;
  ocrEngine: "auto" | "wasm" | "cli";
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  rateLimit: RateLimitConfig;
  /** Trust X-Forwarded-For (behind a reverse proxy); off by default. */
  trustProxy: boolean;
}

export interface RateLimitConfig {
  /** Requests per minute per token (or per IP when anonymous). */
  perMinute: number;
  /** Login attempts per minute per IP. */
  loginPerMinute: number;
  /** Uploads per minute per token/IP. */
  uploadPerMinute: number;
}

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? String(fallback) : v))
    .transform(Number).pipe(z.number({ error: "must be a number" }).int("must be an integer").min(0, "must be 0 or more").max(max, `must be at most ${max}`));

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const EnvSchema = z.object({
  PORT: positiveInt(3000, 65_535),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  DOCKET_DATA_DIR: z.string().trim().min(1).default("./data"),
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^(postgres(ql)?:\/\/|sqlite:)/i.test(v),
    "must start with postgres://, postgresql:// or sqlite:",
  ),
  DOCKET_BLOB_URL: optionalText,
  DOCKET_ADMIN_EMAIL: optionalText.refine((v) => v === undefined || z.email().safeParse(v).success, "must be an email address"),
  DOCKET_ADMIN_PASSWORD: optionalText.refine((v) => v === undefined || v.length >= 8, "must be at least 8 characters"),
  DOCKET_MAX_UPLOAD_MB: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? "50" : v))
    .transform(Number).pipe(z.number({ error: "must be a number" }).positive("must be more than 0").max(100_000, "must be at most 100000")),
  DOCKET_OCR_LANGS: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === "" ? "eng" : v))
    .transform((v) => v.split(/[,+\s]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z_]{3,16}$/i, "languages are tesseract codes like eng,pol")).min(1)),
  DOCKET_WORKERS: positiveInt(availableParallelism(), 256),
  DOCKET_OCR_ENGINE: z.enum(["auto", "wasm", "cli"], { error: "must be auto, wasm or cli" }).default("auto"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  DOCKET_RATE_LIMIT_PER_MIN: positiveInt(600),
  DOCKET_LOGIN_RATE_LIMIT_PER_MIN: positiveInt(10),
  DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: positiveInt(60),
  DOCKET_TRUST_PROXY: z.enum(["true", "false", "1", "0", ""]).optional(),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError with one line per invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset (`FOO= docket serve`).
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      if (!problems.has(name)) {
        const shown = name === "DOCKET_ADMIN_PASSWORD" || name === "DATABASE_URL" ? "" : ` (got ${JSON.stringify(env[name])})`;
        problems.set(name, `${name}: ${issue.message}${shown}`);
      }
    }
    throw new ConfigError([...problems.values()]);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DOCKET_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    blobUrl: e.DOCKET_BLOB_URL,
    adminEmail: e.DOCKET_ADMIN_EMAIL,
    adminPassword: e.DOCKET_ADMIN_PASSWORD,
    maxUploadBytes: Math.floor(e.DOCKET_MAX_UPLOAD_MB * 1024 * 1024),
    ocrLanguages: e.DOCKET_OCR_LANGS,
    workers: e.DOCKET_WORKERS,
    ocrEngine: e.DOCKET_OCR_ENGINE,
    logLevel: e.LOG_LEVEL,
    rateLimit: {
      perMinute: e.DOCKET_RATE_LIMIT_PER_MIN,
      loginPerMinute: e.DOCKET_LOGIN_RATE_LIMIT_PER_MIN,
      uploadPerMinute: e.DOCKET_UPLOAD_RATE_LIMIT_PER_MIN,
    },
    trustProxy: e.DOCKET_TRUST_PROXY === "true" || e.DOCKET_TRUST_PROXY === "1",
  };
}
