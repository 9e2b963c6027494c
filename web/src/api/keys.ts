import type { QueryClient } from "@tanstack/react-query";
import type { DocumentQuery } from "./client";

/** TanStack Query keys: one place, so live updates and pages agree on them. */
export const keys = {
  me: ["me"] as const,
  setup: ["setup"] as const,
  documentsAll: ["documents"] as const,
  documents: (q: DocumentQuery) => ["documents", q] as const,
  document: (id: string) => ["document", id] as const,
  status: (id: string) => ["status", id] as const,
  job: (id: string) => ["job", id] as const,
  history: (documentId: string) => ["history", documentId] as const,
  result: (jobId: string) => ["result", jobId] as const,
  model: (jobId: string) => ["model", jobId] as const,
  fields: (documentId: string) => ["fields", documentId] as const,
  /** Everything about the review queue: its pages and the count in the navigation. */
  reviewAll: ["review"] as const,
  reviewQueue: (page: number, pageSize: number) => ["review", page, pageSize] as const,
  batchAll: ["batch"] as const,
  batch: (id: string) => ["batch", id] as const,
  tokens: ["tokens"] as const,
  users: ["users"] as const,
};

/** After sign-out or an expired session: no user, and nothing of theirs left in the cache. */
export function forgetSession(qc: QueryClient): void {
  qc.setQueryData(keys.me, null);
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] && q.queryKey[0] !== keys.setup[0] });
}
