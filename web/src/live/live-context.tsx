import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { useApi } from "../api/api-context";
import { LiveUpdates, type LiveMode } from "./live-updates";

const LiveContext = createContext<LiveUpdates | null>(null);

/** Opens the event stream for the signed-in user (one per tab) and closes it on sign-out. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const qc = useQueryClient();
  const [live] = useState(() => new LiveUpdates(api, qc));
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLiveMode(): LiveMode {
  const live = useContext(LiveContext);
  return useSyncExternalStore(live?.subscribe ?? noopSubscribe, live?.getMode ?? offlineMode);
}

/** Keeps these documents fresh while the calling component is on screen. */
export function useWatch(documentIds: readonly string[]): void {
  const live = useContext(LiveContext);
  const joined = documentIds.join(",");
  useEffect(() => {
    if (!live || joined === "") return;
    const stops = joined.split(",").map((id) => live.watch(id));
    return () => stops.forEach((stop) => stop());
  }, [live, joined]);
}

const noopSubscribe = () => () => undefined;
const offlineMode = (): LiveMode => "connecting";
