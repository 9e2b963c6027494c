import { maskUrl } from "../db/database.js";
import type { Config } from "../config.js";

/** The effective configuration by its environment names, secrets masked. */
export function describeConfig(config: Config): Record<string, string | number | boolean> {
  return {
    PORT: config.port,
    HOST: config.host,
    DOCKET_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl ? maskUrl(config.databaseUrl) : "(SQLite in the data dir)",
    DOCKET_BLOB_URL: config.blobUrl ?? "(files in the data dir)",
    DOCKET_ADMIN_EMAIL: config.adminEmail ?? "(unset)",
    DOCKET_ADMIN_PASSWORD: config.adminPassword ? "***" : "(unset)",
    DOCKET_MAX_UPLOAD_MB: Math.round(config.maxUploadBytes / (1024 * 1024)),
    DOCKET_OCR_LANGS: config.ocrLanguages.join(","),
    DOCKET_WORKERS: config.workers,
    DOCKET_OCR_ENGINE: config.ocrEngine,
    LOG_LEVEL: config.logLevel,
  };
}
