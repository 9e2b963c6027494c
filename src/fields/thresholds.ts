import type { Config } from "../config.js";
import type { ReviewThresholds } from "../extraction/types.js";

/** The review thresholds of a process's configuration. */
export function reviewThresholds(config: Pick<Config, "extraction">): ReviewThresholds {
  return {
    ocrConfidence: config.extraction.reviewOcrConfidence,
    fieldConfidence: config.extraction.reviewFieldConfidence,
  };
}
