import { useState } from "react";

/**
 * What the last decision did, carried to the page opened next in the history entry's state
 * (not in a module-level store): the next document's review screen, or the queue page when
 * the queue is empty, announces it in its live region.
 */
export interface ReviewFlash {
  decision: "approve" | "reject";
  name: string;
  /** The document opened next, or null when the queue was empty. */
  next: string | null;
}

function isFlash(value: unknown): value is ReviewFlash {
  return typeof value === "object" && value !== null && "decision" in value && "name" in value;
}

/** The flash of the current history entry, read once when the page mounts. */
export function useReviewFlash(): ReviewFlash | null {
  const [flash] = useState<ReviewFlash | null>(() => {
    const state: unknown = window.history.state;
    const candidate =
      typeof state === "object" && state !== null && "reviewFlash" in state
        ? (state as { reviewFlash: unknown }).reviewFlash
        : null;
    return isFlash(candidate) ? candidate : null;
  });
  return flash;
}

export const flashState = (flash: ReviewFlash) => ({ reviewFlash: flash });
