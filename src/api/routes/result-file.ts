import type { FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { contentDisposition } from "./documents.js";

const EXTENSIONS: Record<string, string> = { txt: "txt", md: "md", json: "json", hocr: "hocr", pdf: "pdf" };

/** The origin the result's links start with (the request's own). */
export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * Sends one output file as a download named after the document (`<stem>.<ext>`): the one
 * answer of GET /ocr/jobs/:id/result/:format and GET /documents/:id/result/:format.
 */
export function sendResultFile(
  reply: FastifyReply,
  file: { stream: Readable; mimeType: string; size: number; documentName: string },
  format: string,
) {
  const stem = file.documentName.replace(/\.[^.]*$/, "") || "document";
  return reply
    .type(file.mimeType)
    .header("content-length", String(file.size))
    .header("content-disposition", contentDisposition("attachment", `${stem}.${EXTENSIONS[format] ?? format}`))
    .header("x-content-type-options", "nosniff")
    .send(file.stream as never);
}
