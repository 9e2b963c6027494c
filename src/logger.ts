import { pino, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output (pretty) instead of JSON lines; defaults to "stdout is a TTY". */
  pretty?: boolean;
}

/**
 * Structured JSON logs; child loggers carry ids (`{ jobId, documentId, step }`), never
 * string prefixes. Secrets are redacted by path so a careless `log.info({ req })` cannot
 * leak a token or password.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    redact: {
      paths: [
        "password",
        "token",
        "*.password",
        "*.token",
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "headers.cookie",
        "databaseUrl",
        "config.databaseUrl",
        "config.adminPassword",
      ],
      censor: "[redacted]",
    },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } } }
      : {}),
  });
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
