/**
 * Messages between the main thread (pdf-rendering.ts) and the render worker
 * (pdf-render.worker.ts). Errors cross the thread boundary as plain data and are rebuilt
 * as DocketErrors so their code and permanence survive.
 */
import { DocketError, type ErrorCode } from "../errors.js";
import type { PdfRendererOptions, RenderedPage, RenderPageRequest } from "./pdf-page-renderer.js";

export type RenderWorkerRequest =
  | { id: number; type: "open"; data: Uint8Array; options: PdfRendererOptions }
  | { id: number; type: "render"; request: RenderPageRequest }
  | { id: number; type: "close" };

export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  permanent?: boolean;
}

export type RenderWorkerResponse =
  | { id: number; ok: true; value: { numPages: number } | RenderedPage | null }
  | { id: number; ok: false; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof DocketError) {
    return { name: error.name, message: error.message, code: error.code, permanent: error.permanent };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

export function deserializeError(error: SerializedError): DocketError {
  if (error.code !== undefined) {
    return new DocketError(
      error.code,
      error.message,
      error.permanent === undefined ? {} : { permanent: error.permanent },
    );
  }
  return new DocketError("internal_error", `${error.name}: ${error.message}`, { permanent: false });
}
