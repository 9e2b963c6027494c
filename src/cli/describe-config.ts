import { maskUrl } from "../db/database.js";
import type { Config, Settings, SettingSource } from "../config.js";

export interface ConfigRow {
  name: string;
  value: string | number | boolean;
  source: SettingSource;
}

/** The effective configuration by its environment names, with where each value came from; secrets masked. */
export function describeConfig(config: Config, settings: Settings): ConfigRow[] {
  const values: Record<string, string | number | boolean> = {
    PORT: config.port,
    HOST: config.host,
    DOCKET_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl ? maskUrl(config.databaseUrl) : "(SQLite in the data dir)",
    DOCKET_BLOB_URL: config.blobUrl ? maskUrl(config.blobUrl) : "(files in the data dir)",
    DOCKET_ADMIN_EMAIL: config.adminEmail ?? "(unset)",
    DOCKET_ADMIN_PASSWORD: config.adminPassword ? "***" : "(unset)",
    DOCKET_MAX_UPLOAD_MB: Math.round((config.maxUploadBytes / (1024 * 1024)) * 100) / 100,
    DOCKET_MIN_FREE_DISK_MB: Math.round(config.minFreeDiskBytes / (1024 * 1024)),
    DOCKET_BLOB_SWEEP_MINUTES: config.blobSweepIntervalMs / 60_000,
    DOCKET_OCR_LANGS: config.ocrLanguages.join(","),
    DOCKET_WORKERS: config.workers,
    DOCKET_OCR_ENGINE: config.ocrEngine,
    LOG_LEVEL: config.logLevel,
    DOCKET_LOG_FORMAT: config.logFormat,
    DOCKET_RATE_LIMIT_PER_MIN: config.rateLimit.perMinute,
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: config.rateLimit.loginPerMinute,
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: config.rateLimit.uploadPerMinute,
    DOCKET_TRUST_PROXY: config.trustProxy,
    DOCKET_FOLDER_ROOTS: config.destinations.folderRoots.join(",") || "(none: folder destinations are refused)",
    DOCKET_SECRET_KEY: config.destinations.secretKey ? "***" : "(unset: <data dir>/secret.key)",
    DOCKET_ALLOW_PRIVATE_URLS: config.destinations.allowPrivateUrls,
    DOCKET_STEP_TIMEOUT_S: config.timeLimits.stepMs / 1000,
    DOCKET_OCR_PAGE_TIMEOUT_S: (config.timeLimits.kinds.ocr?.perUnitMs ?? 0) / 1000,
    DOCKET_STEP_TIMEOUTS:
      Object.entries(config.timeLimits.kinds)
        .filter(([, limit]) => limit.ms !== undefined)
        .map(([kind, limit]) => `${kind}=${limit.ms! / 1000}`)
        .join(",") || "(none)",
    DOCKET_JOB_TIMEOUT_S: config.timeLimits.jobMs / 1000,
    DOCKET_LEASE_S: config.lease.leaseMs / 1000,
    DOCKET_RESCUE_INTERVAL_S: config.lease.rescueIntervalMs / 1000,
    DOCKET_URL: settings.values.DOCKET_URL ?? "(unset: the CLI works on the data dir)",
    DOCKET_TOKEN: settings.values.DOCKET_TOKEN ? `${settings.values.DOCKET_TOKEN.slice(0, 4)}***` : "(unset)",
  };
  return Object.entries(values).map(([name, value]) => ({ name, value, source: settings.sources[name] ?? "default" }));
}
