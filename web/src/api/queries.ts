import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { newerJob, newerStatus, type LiveStatus } from "../live/cache";
import { useApi } from "./api-context";
import type { DocumentQuery } from "./client";
import { keys } from "./keys";

/**
 * Server state for the pages. Everything the event stream pushes (statuses, jobs, history)
 * has `staleTime: Infinity`: it is fetched once and then kept current by the stream (or the
 * long-poll fallback), never by polling intervals.
 */

export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: keys.me, queryFn: () => api.me(), staleTime: Infinity, retry: 1 });
}

export function useSetupState() {
  const api = useApi();
  return useQuery({ queryKey: keys.setup, queryFn: () => api.setupState(), staleTime: 60_000 });
}

export function useDocuments(q: DocumentQuery) {
  const api = useApi();
  return useQuery({
    queryKey: keys.documents(q),
    queryFn: () => api.documents(q),
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}

export function useDocument(id: string | null | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: keys.document(id ?? ""),
    queryFn: () => api.document(id!),
    enabled: !!id,
    staleTime: 30_000,
  });
}

export function useStatus(id: string | null | undefined) {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery<LiveStatus>({
    queryKey: keys.status(id ?? ""),
    queryFn: async ({ signal }) => newerStatus(qc, id!, await api.status(id!, signal)),
    enabled: !!id,
    staleTime: Infinity,
  });
}

export function useJob(id: string | null | undefined) {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.job(id ?? ""),
    queryFn: async () => newerJob(qc, await api.job(id!)),
    enabled: !!id,
    staleTime: Infinity,
  });
}

export function useHistory(documentId: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.history(documentId), queryFn: () => api.history(documentId), staleTime: Infinity });
}

export function useResult(jobId: string | null | undefined, ready: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: keys.result(jobId ?? ""),
    queryFn: () => api.result(jobId!),
    enabled: !!jobId && ready,
    staleTime: Infinity,
  });
}

export function useModel(jobId: string | null | undefined, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: keys.model(jobId ?? ""),
    queryFn: () => api.model(jobId!),
    enabled: !!jobId && enabled,
    staleTime: Infinity,
  });
}

export function useBatch(id: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.batch(id), queryFn: () => api.getBatch(id), staleTime: 5_000 });
}

export function useTokens() {
  const api = useApi();
  return useQuery({ queryKey: keys.tokens, queryFn: () => api.tokens() });
}

export function useUsers(enabled: boolean) {
  const api = useApi();
  return useQuery({ queryKey: keys.users, queryFn: () => api.users(), enabled });
}

/** The document's fields; `enabled` once its job may have extracted some (409 not_ready otherwise). */
export function useFields(documentId: string | null | undefined, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: keys.fields(documentId ?? ""),
    queryFn: ({ signal }) => api.fields(documentId!, signal),
    enabled: !!documentId && enabled,
    // Kept current by the event stream (field changes and review decisions are job events).
    staleTime: Infinity,
  });
}

export function useReviewQueue(page: number, pageSize: number) {
  const api = useApi();
  return useQuery({
    queryKey: keys.reviewQueue(page, pageSize),
    queryFn: () => api.reviewQueue(page, pageSize),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

/** How many documents wait for review (the navigation's badge); live through the event stream. */
export function useReviewCount() {
  const queue = useReviewQueue(1, 1);
  return queue.data?.total;
}
