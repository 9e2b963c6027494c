/**
 * The one error type of Docket. Every failure that crosses a module boundary is a
 * DocketError with a stable snake_case `code` (the API's problem+json `code`), the HTTP
 * status it maps to, and whether retrying could help (`permanent`).
 *
 * Job steps throw these: a permanent error fails the job at once, anything else is
 * treated as transient and retried with back-off until max_attempts is used.
 */
export type ErrorCode =
  | "validation_error"
  | "unauthorized"
  | "invalid_credentials"
  | "forbidden"
  | "csrf_failed"
  | "not_found"
  | "conflict"
  | "email_taken"
  | "setup_done"
  | "file_too_large"
  | "unsupported_type"
  | "no_file"
  | "malformed_multipart"
  | "not_cancellable"
  | "not_retryable"
  | "job_active"
  | "not_ready"
  | "stage_locked"
  | "rate_limited"
  | "encrypted_pdf"
  | "corrupt_file"
  | "too_many_pages"
  | "image_too_large"
  | "too_complex"
  | "last_admin"
  | "empty_file"
  | "ocr_failed"
  | "language_unavailable"
  | "lease_lost"
  | "cancelled"
  | "lease_expired"
  /** A step or a whole job ran past its time limit (engine/time-limits.ts). */
  | "timeout"
  | "transient_error"
  | "storage_full"
  | "version_mismatch"
  | "state_conflict"
  | "precondition_required"
  | "not_reviewable"
  | "review_rejected"
  | "llm_unavailable"
  | "destination_unreachable"
  | "destination_auth"
  | "destination_rejected"
  | "internal_error";

export interface DocketErrorOptions {
  status?: number;
  permanent?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

const DEFAULT_STATUS: Partial<Record<ErrorCode, number>> = {
  validation_error: 400,
  no_file: 400,
  malformed_multipart: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  setup_done: 409,
  not_cancellable: 409,
  not_retryable: 409,
  job_active: 409,
  last_admin: 409,
  not_ready: 409,
  stage_locked: 409,
  not_reviewable: 409,
  state_conflict: 409,
  version_mismatch: 412,
  precondition_required: 428,
  llm_unavailable: 503,
  file_too_large: 413,
  unsupported_type: 415,
  encrypted_pdf: 422,
  corrupt_file: 422,
  too_many_pages: 422,
  image_too_large: 422,
  too_complex: 422,
  empty_file: 422,
  language_unavailable: 422,
  rate_limited: 429,
  transient_error: 503,
  storage_full: 503,
  timeout: 504,
};

/** Codes that describe bad input: retrying the same input can never succeed. */
const PERMANENT_CODES = new Set<ErrorCode>([
  "validation_error",
  "file_too_large",
  "unsupported_type",
  "no_file",
  "malformed_multipart",
  "encrypted_pdf",
  "corrupt_file",
  "too_many_pages",
  "image_too_large",
  "too_complex",
  "empty_file",
  "language_unavailable",
]);

/**
 * Codes a job fails with because of its file. Processing the same file again fails the same
 * way, so such a job is not retryable (status `can_retry: false`, retry answers 409): the
 * user must upload a different file. Other permanent codes stay retryable where something
 * outside the file can change (a language installed, a review decision revised).
 */
const FILE_FAILURE_CODES = new Set<string>([
  "corrupt_file",
  "encrypted_pdf",
  "too_many_pages",
  "image_too_large",
  "too_complex",
  "empty_file",
  "unsupported_type",
  "file_too_large",
]);

/** False for failures that retrying the same file can only repeat. */
export function isRetryableFailure(code: string): boolean {
  return !FILE_FAILURE_CODES.has(code);
}

export class DocketError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly permanent: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: DocketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DocketError";
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code] ?? 500;
    this.permanent = options.permanent ?? PERMANENT_CODES.has(code);
    this.details = options.details;
  }
}

/** Coerce anything thrown into a DocketError; unknown errors become transient internal errors. */
export function toDocketError(error: unknown): DocketError {
  if (error instanceof DocketError) return error;
  if (error instanceof Error) {
    return new DocketError("internal_error", error.message, { cause: error, permanent: false });
  }
  return new DocketError("internal_error", String(error), { permanent: false });
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" || (error instanceof DocketError && error.code === "cancelled"))
  );
}
