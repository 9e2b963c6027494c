import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /**
   * `json`: one JSON object per line (for log shippers). `pretty`: readable lines (pino-pretty).
   * `auto` (default): pretty when the destination is a terminal, JSON otherwise.
   */
  format?: "auto" | "json" | "pretty";
  /** @deprecated use `format`; true = "pretty", false = "json". */
  pretty?: boolean;
  /** 1 (stdout, default) or 2 (stderr: the CLI's client commands keep stdout for their output), or a stream (tests). */
  destination?: 1 | 2 | DestinationStream;
}

/**
 * Paths whose values never reach a log line. A careless `log.info({ req })` or
 * `log.info({ config })` must not leak a token, a password, a cookie or a database password.
 */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "cookie",
  "*.cookie",
  "csrfToken",
  "csrf_token",
  "*.csrfToken",
  "*.csrf_token",
  "adminPassword",
  "*.adminPassword",
  "databaseUrl",
  "*.databaseUrl",
  // Destination and webhook secrets (src/destinations, src/webhooks), should a config reach a log line.
  "secret",
  "*.secret",
  "secret_access_key",
  "*.secret_access_key",
  "config.password",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

let prettyAvailable: boolean | undefined;

/** pino-pretty is loaded by name in a worker thread: check it is installed before asking for it. */
function canPretty(): boolean {
  if (prettyAvailable === undefined) {
    try {
      createRequire(import.meta.url).resolve("pino-pretty");
      prettyAvailable = true;
    } catch {
      prettyAvailable = false;
    }
  }
  return prettyAvailable;
}

/**
 * Structured JSON logs; child loggers carry ids (`{ jobId, documentId, step }`), never
 * string prefixes. Secrets are redacted by path. Readable output in a terminal.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 1;
  const format = options.format ?? (options.pretty === undefined ? "auto" : options.pretty ? "pretty" : "json");
  const terminal =
    typeof destination === "number" && (destination === 1 ? process.stdout : process.stderr).isTTY === true;
  let pretty = format === "pretty" || (format === "auto" && terminal);
  if (pretty && !canPretty()) {
    if (format === "pretty")
      process.stderr.write("docket: DOCKET_LOG_FORMAT=pretty but pino-pretty is not installed; logging JSON\n");
    pretty = false;
  }
  const base = {
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
  if (pretty && typeof destination === "number") {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { destination, colorize: terminal, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  if (destination === 1) return pino(base);
  return pino(base, destination === 2 ? pino.destination({ dest: 2, sync: true }) : destination);
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
