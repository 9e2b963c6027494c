/**
 * What every command gets: the environment, the global options, the settings (environment
 * over config file), and the client for the mode it runs in (remote with --url / DOCKET_URL,
 * else local on the data dir).
 */
import type { Command } from "commander";
import { collectSettings, configFromSettings, type Config, type Settings } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import type { DocketClient } from "./client/client.js";
import { CliError } from "./errors.js";

export interface GlobalOptions {
  url?: string;
  token?: string;
  config?: string;
  as?: string;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
}

export class CliContext {
  private cachedSettings: Settings | null = null;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly globals: GlobalOptions,
    readonly streams: Streams,
  ) {}

  /** The context of the command being run (its options merged with the program's). */
  static of(command: Command, env: NodeJS.ProcessEnv, streams: Streams): CliContext {
    return new CliContext(env, command.optsWithGlobals<GlobalOptions>(), streams);
  }

  settings(): Settings {
    // --config wins over DOCKET_CONFIG; the environment wins over the file's values.
    this.cachedSettings ??= collectSettings(this.env, { file: this.globals.config });
    return this.cachedSettings;
  }

  /** The server configuration, validated (ConfigError lists every problem). */
  config(): Config {
    return configFromSettings(this.settings());
  }

  /** The remote server, when one is named. */
  remote(): { url: string; token: string | null } | null {
    const values = this.settings().values;
    const url = this.globals.url ?? values.DOCKET_URL;
    if (!url) return null;
    return { url, token: this.globals.token ?? values.DOCKET_TOKEN ?? null };
  }

  /**
   * The logger of a client command: stderr (stdout is the command's output), level warn
   * unless LOG_LEVEL is set.
   */
  clientLogger(config: Config): Logger {
    const level = this.settings().sources.LOG_LEVEL === "default" ? "warn" : config.logLevel;
    return createLogger({ level, format: config.logFormat, destination: 2 });
  }

  /** Human messages: always stderr, so stdout stays clean for results and --json. */
  info(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  /** A result line for people (stdout). */
  print(text: string): void {
    this.streams.stdout.write(`${text}\n`);
  }

  /** The machine-readable result (stdout, one JSON document). */
  printJson(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Opens the client for this invocation's mode; the caller closes it. */
  async client(hooks: { onWorkersStarted?: (concurrency: number) => void } = {}): Promise<DocketClient> {
    const remote = this.remote();
    if (remote) {
      if (this.globals.as) throw new CliError("--as is for local mode; in remote mode the token decides who you are");
      const { RemoteClient } = await import("./client/remote.js");
      return new RemoteClient(remote);
    }
    if (this.globals.token)
      this.info("docket: note: --token is ignored without --url (local mode works on the data dir directly)");
    const config = this.config();
    const { openLocalClient } = await import("./client/local.js");
    return openLocalClient({
      config,
      log: this.clientLogger(config),
      as: this.globals.as,
      ...(hooks.onWorkersStarted ? { onWorkersStarted: hooks.onWorkersStarted } : {}),
    });
  }

  /** Runs `work` with a client and always closes it. */
  async withClient<T>(
    work: (client: DocketClient) => Promise<T>,
    hooks: { onWorkersStarted?: (concurrency: number) => void } = {},
  ): Promise<T> {
    const client = await this.client(hooks);
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  }
}
