/**
 * The rules' speed: extractWithRules on each document model, warm, many repetitions, as time
 * per page; and classify + rules + checks (what the step runs without templates or an LLM) beside it.
 */
import type { DocumentModel } from "../../src/domain/document-model.js";
import { extractWithRules } from "../../src/extraction/rules/index.js";
import type { DocumentType } from "../../src/extraction/types.js";
import { extractInProcess } from "./in-process.js";
import { median, quantile } from "./report.js";

export interface SpeedSample {
  group: string;
  model: DocumentModel;
  type: Exclude<DocumentType, "other">;
}

export interface SpeedResult {
  group: string;
  documents: number;
  pages: number;
  calls: number;
  rulesMedianMs: number;
  rulesP95Ms: number;
  wholeMedianMs: number;
  wholeP95Ms: number;
}

export function measureSpeed(samples: readonly SpeedSample[], reps: number): SpeedResult[] {
  const groups = [...new Set(samples.map((s) => s.group))];
  // Warm the code paths (JIT, lazily built tables) on every model first.
  for (const s of samples) {
    extractWithRules(s.model, s.type);
    extractInProcess(s.model, "auto");
  }
  const results: SpeedResult[] = [];
  for (const group of groups) {
    const of = samples.filter((s) => s.group === group);
    const rules: number[] = [];
    const whole: number[] = [];
    for (let r = 0; r < reps; r++) {
      for (const s of of) {
        const pages = Math.max(1, s.model.pages.length);
        let t = performance.now();
        extractWithRules(s.model, s.type);
        rules.push((performance.now() - t) / pages);
        t = performance.now();
        extractInProcess(s.model, "auto");
        whole.push((performance.now() - t) / pages);
      }
    }
    results.push({
      group,
      documents: of.length,
      pages: of.reduce((n, s) => n + s.model.pages.length, 0),
      calls: rules.length,
      rulesMedianMs: median(rules),
      rulesP95Ms: quantile(rules, 0.95),
      wholeMedianMs: median(whole),
      wholeP95Ms: quantile(whole, 0.95),
    });
  }
  return results;
}
