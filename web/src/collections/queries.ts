import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../api/api-context";
import { keys } from "../api/keys";
import { newerJob, newerStatus, type LiveStatus } from "../live/cache";
import { useLiveMode, useWatch } from "../live/live-context";
import { collectionsApi } from "./api";

export const collectionKeys = {
  all: ["collections"] as const,
  one: (id: string) => ["collection", id] as const,
  /** The status is refetched whenever its `fingerprint` (the live versions it depends on) changes. */
  status: (id: string, fingerprint: string) => ["collection-status", id, fingerprint] as const,
  statusAll: (id: string) => ["collection-status", id] as const,
};

export function useCollections() {
  const api = useApi();
  return useQuery({ queryKey: collectionKeys.all, queryFn: () => collectionsApi.list(api), staleTime: 5_000 });
}

export function useCollection(id: string) {
  const api = useApi();
  return useQuery({ queryKey: collectionKeys.one(id), queryFn: () => collectionsApi.get(api, id), staleTime: 5_000 });
}

/**
 * The members' unified statuses from the live cache (the event stream writes every document's
 * status there, and `useWatch` long-polls them when the stream is down): what makes the page
 * move without a reload.
 */
export function useMemberStatuses(documentIds: readonly string[]): (LiveStatus | undefined)[] {
  const api = useApi();
  const qc = useQueryClient();
  useWatch(documentIds);
  const results = useQueries({
    queries: documentIds.map((id) => ({
      queryKey: keys.status(id),
      queryFn: async ({ signal }: { signal: AbortSignal }) => newerStatus(qc, id, await api.status(id, signal)),
      staleTime: Infinity,
    })),
  });
  return results.map((r) => r.data);
}

/** The compile job as the stream keeps it (its events carry the job). */
export function useCompileJob(jobId: string | null | undefined) {
  const api = useApi();
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.job(jobId ?? ""),
    queryFn: async () => newerJob(qc, await api.job(jobId!)),
    enabled: !!jobId,
    staleTime: Infinity,
  });
}

/**
 * The collection's status (stages, gate, aggregate progress), read again as soon as anything
 * it is made of moves: a member's status version or the compile job's version. Without the
 * live stream it is also re-read every 10 s.
 */
export function useCollectionStatus(id: string, fingerprint: string) {
  const api = useApi();
  const mode = useLiveMode();
  return useQuery({
    queryKey: collectionKeys.status(id, fingerprint),
    queryFn: ({ signal }) => collectionsApi.status(api, id, signal),
    staleTime: Infinity,
    placeholderData: (previous) => previous,
    refetchInterval: mode === "live" ? false : 10_000,
  });
}
