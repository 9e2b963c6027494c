import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { readConfigFile } from "./config-file.js";
import { z } from "zod";
import { fraction, optionalText, positiveInt, seconds } from "./config-values.js";
import { DEFAULT_TIME_LIMITS, parseKindLimits, type TimeLimits } from "./engine/time-limits.js";

/**
 * The process configuration, parsed once by a composition root from the environment and an
 * optional config file (`DOCKET_CONFIG` or `docket --config`), and passed down. Nothing else
 * reads `process.env` (except the logger's LOG_LEVEL default). The variable names are fixed
 * by API.md; the config file uses the same names, and the environment overrides it.
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
  /** /readyz fails below this much free space in the data dir (DOCKET_MIN_FREE_DISK_MB, default 512). */
  minFreeDiskBytes: number;
  /** How often each server sweeps orphaned blobs (DOCKET_BLOB_SWEEP_MINUTES, default 60; 0: never). */
  blobSweepIntervalMs: number;
  ocrLanguages: string[];
  /** Worker concurrency in this process; 0 = no worker. */
  workers: number;
  ocrEngine: "auto" | "wasm" | "cli";
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `auto`: pretty when stdout is a terminal, JSON lines otherwise. */
  logFormat: "auto" | "json" | "pretty";
  rateLimit: RateLimitConfig;
  /** Trust X-Forwarded-For (behind a reverse proxy); off by default. */
  trustProxy: boolean;
  extraction: ExtractionConfig;
  destinations: DestinationsConfig;
  /** How long jobs and steps may run (DOCKET_STEP_TIMEOUT_S, DOCKET_OCR_PAGE_TIMEOUT_S, DOCKET_STEP_TIMEOUTS, DOCKET_JOB_TIMEOUT_S). */
  timeLimits: TimeLimits;
  lease: LeaseConfig;
}

/** Leases of running jobs: how fast a crashed worker's job is taken over (docs/OPERATIONS.md). */
export interface LeaseConfig {
  /** A claim lives this long without a heartbeat (DOCKET_LEASE_S, default 10); heartbeats every quarter of it. */
  leaseMs: number;
  /** How often each node looks for expired leases (DOCKET_RESCUE_INTERVAL_S, default 1). */
  rescueIntervalMs: number;
}

/** Destinations and outgoing requests (#16). */
export interface DestinationsConfig {
  /** Absolute folders a `folder` destination may write inside (DOCKET_FOLDER_ROOTS); empty: none. */
  folderRoots: string[];
  /** DOCKET_SECRET_KEY; unset: a key file generated in the data dir. */
  secretKey: string | undefined;
  /** DOCKET_ALLOW_PRIVATE_URLS: outgoing requests may reach loopback and private addresses. */
  allowPrivateUrls: boolean;
}

/** Field extraction (#14): templates, the optional LLM, and when a document needs review. */
export interface ExtractionConfig {
  /** A folder of invoice2data YAML templates; unset: only uploaded templates. */
  templatesDir: string | undefined;
  /** An OpenAI-compatible chat endpoint (Ollama, vLLM, …); unset: no LLM extraction. */
  llm: LlmConfig | undefined;
  /** Mean OCR confidence (0–100) below which a document needs review. */
  reviewOcrConfidence: number;
  /** Field confidence (0–1) below which a required field needs review. */
  reviewFieldConfidence: number;
}

export interface LlmConfig {
  /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 (the client appends /chat/completions). */
  url: string;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

export interface RateLimitConfig {
  /** Requests per minute per token (or per IP when anonymous). */
  perMinute: number;
  /** Login attempts per minute per IP. */
  loginPerMinute: number;
  /** Uploads per minute per token/IP. */
  uploadPerMinute: number;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const EnvSchema = z
  .object({
    PORT: positiveInt(3000, 65_535),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    DOCKET_DATA_DIR: z.string().trim().min(1).default("./data"),
    DATABASE_URL: optionalText.refine(
      (v) => v === undefined || /^(postgres(ql)?:\/\/|sqlite:)/i.test(v),
      "must start with postgres://, postgresql:// or sqlite:",
    ),
    DOCKET_BLOB_URL: optionalText,
    DOCKET_ADMIN_EMAIL: optionalText.refine(
      (v) => v === undefined || z.email().safeParse(v).success,
      "must be an email address",
    ),
    DOCKET_ADMIN_PASSWORD: optionalText.refine(
      (v) => v === undefined || v.length >= 8,
      "must be at least 8 characters",
    ),
    DOCKET_MIN_FREE_DISK_MB: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v === undefined || v === "" ? "512" : v))
      .transform(Number)
      .pipe(z.number({ error: "must be a number" }).min(0, "must be 0 or more")),
    DOCKET_BLOB_SWEEP_MINUTES: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v === undefined || v === "" ? "60" : v))
      .transform(Number)
      .pipe(z.number({ error: "must be a number" }).min(0, "must be 0 or more")),
    DOCKET_MAX_UPLOAD_MB: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v === undefined || v === "" ? "50" : v))
      .transform(Number)
      .pipe(
        z.number({ error: "must be a number" }).positive("must be more than 0").max(100_000, "must be at most 100000"),
      ),
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
    DOCKET_LOG_FORMAT: z.enum(["auto", "json", "pretty"], { error: "must be auto, json or pretty" }).default("auto"),
    DOCKET_TRUST_PROXY: z.enum(["true", "false", "1", "0", ""], { error: "must be true or false" }).optional(),
    DOCKET_TEMPLATES_DIR: optionalText,
    DOCKET_LLM_URL: optionalText.refine(
      (v) => v === undefined || /^https?:\/\/[^\s]+$/i.test(v),
      "must be an http(s) URL",
    ),
    DOCKET_LLM_MODEL: optionalText,
    DOCKET_LLM_API_KEY: optionalText,
    DOCKET_LLM_TIMEOUT_S: positiveInt(120, 3600),
    DOCKET_REVIEW_OCR_CONFIDENCE: fraction(40, 100),
    DOCKET_REVIEW_FIELD_CONFIDENCE: fraction(0.5, 1),
    DOCKET_FOLDER_ROOTS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? "")
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().startsWith("/", "folder roots must be absolute paths"))),
    DOCKET_SECRET_KEY: optionalText.refine(
      (v) => v === undefined || /^[0-9a-f]{64}$/i.test(v) || Buffer.from(v, "base64").length === 32,
      "must be 32 bytes: 64 hex characters or base64",
    ),
    DOCKET_ALLOW_PRIVATE_URLS: z.enum(["true", "false", "1", "0", ""], { error: "must be true or false" }).optional(),
    DOCKET_STEP_TIMEOUT_S: seconds(DEFAULT_TIME_LIMITS.stepMs / 1000, 7 * 86_400),
    DOCKET_OCR_PAGE_TIMEOUT_S: seconds(DEFAULT_TIME_LIMITS.kinds.ocr!.perUnitMs! / 1000, 86_400),
    DOCKET_JOB_TIMEOUT_S: seconds(DEFAULT_TIME_LIMITS.jobMs / 1000, 7 * 86_400),
    DOCKET_STEP_TIMEOUTS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        try {
          return parseKindLimits(v ?? "");
        } catch (error) {
          ctx.addIssue({ code: "custom", message: `must be kind=seconds pairs: ${(error as Error).message}` });
          return z.NEVER;
        }
      }),
    DOCKET_LEASE_S: seconds(10, 3600),
    DOCKET_RESCUE_INTERVAL_S: seconds(1, 3600),
  })
  .superRefine((env, ctx) => {
    // Every OpenAI-compatible server serves several models: guessing one would fail later, per job.
    if (env.DOCKET_LLM_URL && !env.DOCKET_LLM_MODEL)
      ctx.addIssue({
        code: "custom",
        path: ["DOCKET_LLM_MODEL"],
        message: "must be set when DOCKET_LLM_URL is (the model to ask)",
      });
  });

/** What the `docket` client commands read besides the server configuration (remote mode). */
export const CLIENT_NAMES = ["DOCKET_URL", "DOCKET_TOKEN"] as const;

/** Every name a config file may hold. */
export const CONFIG_NAMES: readonly string[] = [...Object.keys(EnvSchema.shape), ...CLIENT_NAMES];

/** Values that are never shown (config command, error messages). */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  "DOCKET_ADMIN_PASSWORD",
  "DOCKET_TOKEN",
  "DATABASE_URL",
  "DOCKET_BLOB_URL",
  "DOCKET_LLM_API_KEY",
  "DOCKET_SECRET_KEY",
]);

export type SettingSource = "environment" | "file" | "default";

/** The raw settings before validation: environment over file, with where each value came from. */
export interface Settings {
  values: Record<string, string>;
  sources: Record<string, SettingSource>;
  /** The config file read, if any (absolute path). */
  file: string | null;
  /** Problems with the file itself (unreadable, unknown names); reported with the values' problems. */
  problems: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadOptions {
  /** The config file; default `DOCKET_CONFIG` from the environment; null: none. */
  file?: string | null | undefined;
}

/** Environment over config file; empty environment values count as unset (`FOO= docket serve`). */
export function collectSettings(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Settings {
  const requested = options.file === undefined ? env.DOCKET_CONFIG : options.file;
  const file = requested && requested.trim() !== "" ? resolve(requested) : null;
  const values: Record<string, string> = {};
  const sources: Record<string, SettingSource> = {};
  const read = file ? readConfigFile(file, CONFIG_NAMES) : { values: {}, problems: [] };
  if (file) {
    for (const [name, value] of Object.entries(read.values)) {
      if (value.trim() === "") continue;
      values[name] = value;
      sources[name] = "file";
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === "") continue;
    values[name] = value;
    sources[name] = "environment";
  }
  for (const name of CONFIG_NAMES) sources[name] ??= "default";
  return { values, sources, file, problems: read.problems };
}

/** Parses the environment (and the config file); throws ConfigError with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  return configFromSettings(collectSettings(env, options));
}

/** Validates collected settings; throws ConfigError with one line per invalid setting. */
export function configFromSettings(settings: Settings): Config {
  const parsed = EnvSchema.safeParse(settings.values);
  if (!parsed.success || settings.problems.length > 0) {
    const problems = new Map<string, string>(settings.problems.map((p, i) => [`file:${i}`, p]));
    for (const issue of parsed.error?.issues ?? []) {
      const name = String(issue.path[0] ?? "environment");
      if (!problems.has(name)) {
        const from = settings.sources[name] === "file" ? ` from ${settings.file}` : "";
        const shown = SECRET_NAMES.has(name)
          ? from
            ? ` (set${from})`
            : ""
          : ` (got ${JSON.stringify(settings.values[name])}${from})`;
        problems.set(name, `${name}: ${issue.message}${shown}`);
      }
    }
    throw new ConfigError([...problems.values()]);
  }
  const e = parsed.data!;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DOCKET_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    blobUrl: e.DOCKET_BLOB_URL,
    adminEmail: e.DOCKET_ADMIN_EMAIL,
    adminPassword: e.DOCKET_ADMIN_PASSWORD,
    maxUploadBytes: Math.floor(e.DOCKET_MAX_UPLOAD_MB * 1024 * 1024),
    minFreeDiskBytes: Math.floor(e.DOCKET_MIN_FREE_DISK_MB * 1024 * 1024),
    blobSweepIntervalMs: Math.floor(e.DOCKET_BLOB_SWEEP_MINUTES * 60_000),
    ocrLanguages: e.DOCKET_OCR_LANGS,
    workers: e.DOCKET_WORKERS,
    ocrEngine: e.DOCKET_OCR_ENGINE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.DOCKET_LOG_FORMAT,
    rateLimit: {
      perMinute: e.DOCKET_RATE_LIMIT_PER_MIN,
      loginPerMinute: e.DOCKET_LOGIN_RATE_LIMIT_PER_MIN,
      uploadPerMinute: e.DOCKET_UPLOAD_RATE_LIMIT_PER_MIN,
    },
    trustProxy: e.DOCKET_TRUST_PROXY === "true" || e.DOCKET_TRUST_PROXY === "1",
    extraction: {
      templatesDir: e.DOCKET_TEMPLATES_DIR,
      llm: e.DOCKET_LLM_URL
        ? {
            url: e.DOCKET_LLM_URL,
            model: e.DOCKET_LLM_MODEL!,
            apiKey: e.DOCKET_LLM_API_KEY,
            timeoutMs: e.DOCKET_LLM_TIMEOUT_S * 1000,
          }
        : undefined,
      reviewOcrConfidence: e.DOCKET_REVIEW_OCR_CONFIDENCE,
      reviewFieldConfidence: e.DOCKET_REVIEW_FIELD_CONFIDENCE,
    },
    destinations: {
      folderRoots: e.DOCKET_FOLDER_ROOTS,
      secretKey: e.DOCKET_SECRET_KEY,
      allowPrivateUrls: e.DOCKET_ALLOW_PRIVATE_URLS === "true" || e.DOCKET_ALLOW_PRIVATE_URLS === "1",
    },
    timeLimits: {
      stepMs: Math.round(e.DOCKET_STEP_TIMEOUT_S * 1000),
      // A fixed limit for `ocr` in DOCKET_STEP_TIMEOUTS replaces the per-page one.
      kinds: { ocr: { perUnitMs: Math.round(e.DOCKET_OCR_PAGE_TIMEOUT_S * 1000) }, ...e.DOCKET_STEP_TIMEOUTS },
      jobMs: Math.round(e.DOCKET_JOB_TIMEOUT_S * 1000),
      graceMs: DEFAULT_TIME_LIMITS.graceMs,
    },
    lease: {
      leaseMs: Math.round(e.DOCKET_LEASE_S * 1000),
      rescueIntervalMs: Math.round(e.DOCKET_RESCUE_INTERVAL_S * 1000),
    },
  };
}
