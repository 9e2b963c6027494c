import type { DocumentStatus } from "../domain/types.js";

/**
 * Display metadata of a unified status for clients that draw it (API `display`): a label in
 * the language the request prefers (English or Polish, the UI's two) and a colour, the same
 * the web UI uses, so every client shows a status alike. The status string itself stays the
 * machine-readable truth.
 */
export const DISPLAY_LANGUAGES = ["en", "pl"] as const;
export type DisplayLanguage = (typeof DISPLAY_LANGUAGES)[number];

export interface StatusDisplay {
  label: string;
  /** A CSS colour (#rrggbb). */
  color: string;
}

const LABELS: Record<DisplayLanguage, Record<DocumentStatus, string>> = {
  en: {
    uploaded: "Uploaded",
    queued: "Queued",
    processing: "Processing",
    completed: "Completed",
    failed: "Failed",
    cancelled: "Cancelled",
    manual_review: "Manual review",
  },
  pl: {
    uploaded: "Przesłany",
    queued: "W kolejce",
    processing: "Przetwarzanie",
    completed: "Zakończony",
    failed: "Błąd",
    cancelled: "Anulowany",
    manual_review: "Do weryfikacji",
  },
};

const COLORS: Record<DocumentStatus, string> = {
  uploaded: "#6a7487",
  queued: "#6a7487",
  processing: "#2563eb",
  completed: "#1f8a4c",
  failed: "#c23a2f",
  cancelled: "#6a7487",
  manual_review: "#b7791f",
};

/**
 * The best of en/pl for an Accept-Language header (RFC 9110 §12.5.4: ranges with q-values;
 * `pl-PL` matches `pl`; `*` and anything unknown fall back to English).
 */
export function displayLanguage(header: string | string[] | undefined): DisplayLanguage {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  let best: { language: DisplayLanguage; q: number } = { language: "en", q: 0 };
  for (const part of value.split(",")) {
    const [range, ...params] = part.trim().toLowerCase().split(";");
    const q = Number(
      params
        .find((p) => p.trim().startsWith("q="))
        ?.trim()
        .slice(2) ?? "1",
    );
    const primary = range?.split("-")[0] ?? "";
    const language = DISPLAY_LANGUAGES.find((l) => l === primary);
    if (language && Number.isFinite(q) && q > best.q) best = { language, q };
  }
  return best.language;
}

export function statusDisplay(status: DocumentStatus, language: DisplayLanguage): StatusDisplay {
  return { label: LABELS[language][status], color: COLORS[status] };
}
