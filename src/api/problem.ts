import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { isStorageFull } from "../blob/storage-full.js";
import { DocketError } from "../errors.js";
import type { Logger } from "../logger.js";

/**
 * An HTTP-level failure with a stable code that is not a domain error (wrong content type,
 * oversized body, reused idempotency key…). Domain failures are DocketErrors.
 */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpProblem";
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [key: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `https://docket.dev/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...extra,
  };
}

/** Fastify's own error codes for malformed requests, as stable Docket codes (never a 5xx). */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "invalid_json"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "invalid_json"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "body_too_large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "unsupported_media_type"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "bad_request"],
  FST_ERR_CTP_INVALID_TYPE: [415, "unsupported_media_type"],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, "unsupported_media_type"],
  FST_PARTS_LIMIT: [413, "too_many_parts"],
  FST_FILES_LIMIT: [400, "validation_error"],
  FST_FIELDS_LIMIT: [413, "too_many_parts"],
  FST_REQ_FILE_TOO_LARGE: [413, "file_too_large"],
  FST_PROTO_VIOLATION: [400, "invalid_json"],
  FST_ERR_VALIDATION: [400, "validation_error"],
  FST_ERR_BAD_URL: [400, "bad_request"],
  FST_ERR_ASYNC_CONSTRAINT: [400, "bad_request"],
};

/** Turns anything thrown into problem+json; logs 5xx with the request id and no secrets. */
export function toProblem(error: unknown, log: Logger): Problem {
  if (error instanceof DocketError) {
    const fields = error.details?.fields;
    // A service that knows each field's own message sends them as details.errors.
    const perField = error.details?.errors;
    return problem(error.status, error.code, error.message, {
      ...(Array.isArray(perField)
        ? { errors: perField as { field: string; message: string }[] }
        : Array.isArray(fields)
          ? { errors: fields.map((f) => ({ field: String(f), message: error.message })) }
          : {}),
      ...(error.details && !Array.isArray(fields) ? { details: error.details } : {}),
    });
  }
  if (error instanceof HttpProblem) return problem(error.statusCode, error.code, error.message, error.extra);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? "body";
    const errors = error.validation.map((v) => {
      const path = (v.instancePath ?? "").split("/").filter(Boolean);
      const keys = (v.params as { keys?: unknown } | undefined)?.keys;
      const field = [where, ...path].join(".");
      return Array.isArray(keys) && keys.length > 0
        ? {
            field: keys.map((k) => `${field}.${String(k)}`).join(", "),
            message: `unknown field${keys.length > 1 ? "s" : ""}: ${keys.join(", ")}`,
          }
        : { field, message: v.message ?? "invalid" };
    });
    return problem(400, "validation_error", errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });
  }
  if (isResponseSerializationError(error)) {
    log.error({ err: error }, "response did not match its schema");
    return problem(500, "internal_error", "internal error");
  }
  const fe = error as Partial<FastifyError> & { statusCode?: number };
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return problem(mapped[0], mapped[1], fe.message ?? mapped[1]);
  if (fe.statusCode === 429) return problem(429, "rate_limited", fe.message ?? "too many requests");
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.statusCode === 404 ? "not_found" : "bad_request", fe.message ?? "bad request");
  }
  if (isStorageFull(error)) {
    log.error({ err: error }, "out of disk space");
    return problem(503, "storage_full", "the server is out of disk space; try again later");
  }
  log.error({ err: error }, "unhandled error");
  return problem(500, "internal_error", "internal error");
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type("application/problem+json; charset=utf-8").send(JSON.stringify(p));
}

export function errorHandler(log: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const p = toProblem(error, (request.log as unknown as Logger) ?? log);
    if (p.status >= 500) request.log.error({ code: p.code }, "request failed");
    // A body we refused before reading it all (oversized, wrong type): close the connection
    // rather than leave unread bytes on a keep-alive socket.
    if (p.status === 413 || !request.raw.complete) reply.header("connection", "close");
    return sendProblem(reply, p);
  };
}
