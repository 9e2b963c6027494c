import type { ApiClient } from "../api/client";
import type { DocumentStatus, Job } from "../api/types";

/** The collection routes' shapes (API.md "Collections: work in stages"). */
export const COMPILE_OUTPUTS = ["pdf", "csv", "xlsx", "zip", "json"] as const;
export type CompileOutput = (typeof COMPILE_OUTPUTS)[number];

export interface Collection {
  id: string;
  name: string;
  document_ids: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

export type CollectionJob = Omit<Job, "document_id"> & { document_id: null; collection_id: string };

export interface CollectionStatus {
  stages: [
    {
      name: "process";
      status: "empty" | "pending" | "processing" | "completed" | "attention";
      total: number;
      counts: Record<DocumentStatus, number>;
      percentage: number;
    },
    {
      name: "compile";
      status: "locked" | "ready" | "queued" | "processing" | "completed" | "failed" | "cancelled";
      locked: boolean;
      reason: string | null;
      blocking: { document_id: string; filename: string; status: DocumentStatus }[];
      job: CollectionJob | null;
    },
  ];
  progress: {
    phase_index: number;
    phase_total: number;
    phase: "process" | "compile";
    percentage: number;
    elapsed_ms: number;
    message: string;
  };
  version: number;
}

export interface ProcessResult {
  batch_id: string | null;
  jobs: Job[];
  skipped: { document_id: string; reason: string; job_id: string | null; message: string }[];
}

const path = (id: string, rest = "") => `/collections/${encodeURIComponent(id)}${rest}`;

/** The collection calls, on the app's ApiClient (its CSRF header, errors and 401 handling). */
export const collectionsApi = {
  list: (api: ApiClient) => api.request<{ items: Collection[]; total: number }>("GET", "/collections?page_size=100"),
  get: (api: ApiClient, id: string) => api.request<Collection>("GET", path(id)),
  create: (api: ApiClient, name: string) => api.request<Collection>("POST", "/collections", { json: { name } }),
  add: (api: ApiClient, id: string, documentIds: string[]) =>
    api.request<Collection>("POST", path(id, "/documents"), { json: { document_ids: documentIds } }),
  remove: (api: ApiClient, id: string, documentId: string) =>
    api.request<Collection>("DELETE", path(id, `/documents/${encodeURIComponent(documentId)}`)),
  process: (api: ApiClient, id: string) => api.request<ProcessResult>("POST", path(id, "/process"), { json: {} }),
  compile: (api: ApiClient, id: string) => api.request<CollectionJob>("POST", path(id, "/compile"), { json: {} }),
  status: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api.request<CollectionStatus>("GET", path(id, "/status"), { signal }),
  resultUrl: (id: string, format: CompileOutput) => `/api/v1${path(id, `/result/${format}`)}`,
};
