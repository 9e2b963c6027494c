import { DocketError } from "../errors.js";

/** The `docket` exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A job the command waited for or showed failed or was cancelled (or `steps verify` found a mismatch). */
  jobFailed: 1,
  /** Usage, configuration, connection or authentication error, or a request the server refused. */
  usage: 2,
  /** Interrupted (Ctrl-C) while waiting: the jobs go on without us. */
  interrupted: 130,
} as const;

/** A failure the CLI reports as one clear line and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    /** The API's problem code, when the server (or a local service) refused. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * A command acting on several ids goes on past an error that concerns one id (its API
 * refusal) and stops at one that concerns every id: connection and authentication problems,
 * or anything that is not an API refusal. Rethrows the latter; returns the former.
 */
export function perIdRefusal(error: unknown): CliError & { code: string } {
  if (
    !(error instanceof CliError) ||
    error.code === "unreachable" ||
    error.code === "unauthorized" ||
    error.code === null
  )
    throw error;
  return error as CliError & { code: string };
}

/** An API refusal: problem+json from the server, or the same DocketError in local mode. */
export function refusal(status: number, code: string, detail: string): CliError {
  if (status === 401) {
    return new CliError(
      `authentication failed (401 ${code}): ${detail} — check --token / DOCKET_TOKEN (create one with \`docket tokens create\`)`,
      EXIT.usage,
      code,
    );
  }
  if (status === 403) return new CliError(`permission denied (403 ${code}): ${detail}`, EXIT.usage, code);
  return new CliError(`${detail} (${status} ${code})`, EXIT.usage, code);
}

/** Turns what a local service throws into the same message the API would have produced. */
export function toCliError(error: unknown): unknown {
  if (error instanceof DocketError) return refusal(error.status, error.code, error.message);
  return error;
}
