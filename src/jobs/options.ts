import { z } from "zod";
import type { DestinationService } from "../destinations/destination-service.js";
import { DocketError } from "../errors.js";
import { EXTRACT_MODES } from "../extraction/types.js";
import {
  MAX_PRIORITY,
  MIN_PRIORITY,
  OCR_MODES,
  OCR_POLICIES,
  OUTPUT_FORMATS,
  RESOLUTION_MODES,
  type JobOptions,
} from "../domain/types.js";

/** Submit options as clients send them (API.md): every field optional, defaults applied in `resolveOptions`. */
export const SubmitOptionsShape = {
  ocr_mode: z.enum(OCR_MODES).optional().describe("default document"),
  resolution_mode: z.enum(RESOLUTION_MODES).optional().describe("default base"),
  priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).optional().describe("0–10, higher first; default 5"),
  languages: z
    .array(z.string().regex(/^[a-z_]{3,16}$/i, "a tesseract language code such as eng"))
    .min(1)
    .max(10)
    .optional()
    .describe("default from DOCKET_OCR_LANGS"),
  outputs: z.array(z.enum(OUTPUT_FORMATS)).min(1).max(OUTPUT_FORMATS.length).optional().describe("default all"),
  ocr: z.enum(OCR_POLICIES).optional().describe("auto: OCR only pages without a usable text layer"),
  extract: z
    .enum(EXTRACT_MODES)
    .optional()
    .describe(
      "field extraction: auto (classify, then extract what the type has), invoice, receipt or off; default auto",
    ),
  destinations: z
    .array(z.string().min(1).max(100))
    .max(20)
    .optional()
    .describe("destination ids to deliver the outputs to (a deliver:<name> step each); default: your default ones"),
};

export const SubmitOptionsSchema = z.strictObject(SubmitOptionsShape);
export type SubmitOptions = z.infer<typeof SubmitOptionsSchema>;

export interface ResolvedSubmit {
  options: JobOptions;
  priority: number;
}

export function resolveOptions(input: SubmitOptions, defaultLanguages: readonly string[]): ResolvedSubmit {
  return {
    options: {
      ocr_mode: input.ocr_mode ?? "document",
      resolution_mode: input.resolution_mode ?? "base",
      languages: input.languages ? [...new Set(input.languages)] : [...defaultLanguages],
      outputs: input.outputs ? OUTPUT_FORMATS.filter((f) => input.outputs!.includes(f)) : [...OUTPUT_FORMATS],
      ocr: input.ocr ?? "auto",
      extract: input.extract ?? "auto",
    },
    priority: input.priority ?? 5,
  };
}

/**
 * The job options of its destinations: the names its `deliver:<name>` steps carry, each
 * name's destination id, and whose destinations they are (the submitter's). No destinations
 * given: the submitter's defaults.
 */
export async function destinationOptions(
  resolver: Pick<DestinationService, "resolveForSubmit"> | undefined,
  userId: string,
  ids: readonly string[] | undefined,
): Promise<Partial<JobOptions>> {
  if (!resolver) {
    if (ids && ids.length > 0)
      throw new DocketError("validation_error", "this server delivers to no destinations", {
        details: { fields: ["destinations"] },
      });
    return {};
  }
  const { names, ids: byName } = await resolver.resolveForSubmit(userId, ids);
  return names.length > 0 ? { destinations: names, destination_ids: byName, destination_owner: userId } : {};
}

/**
 * Options sent as multipart form fields (upload with process=true): strings, lists as
 * repeated fields, comma-separated or JSON arrays. Turned into the JSON shape, then
 * validated by the same schema as the JSON routes.
 */
export function formFieldsToOptions(fields: ReadonlyMap<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of fields) {
    if (name === "process") continue;
    if (name === "languages" || name === "outputs" || name === "destinations") {
      out[name] = values.flatMap((v) => {
        const t = v.trim();
        if (t.startsWith("[")) {
          try {
            const parsed: unknown = JSON.parse(t);
            return Array.isArray(parsed) ? parsed.map(String) : [t];
          } catch {
            return [t];
          }
        }
        return t.split(/[,\s]+/).filter(Boolean);
      });
    } else if (name === "priority") {
      const v = values.at(-1)!.trim();
      out[name] = /^-?\d+$/.test(v) ? Number(v) : v;
    } else {
      out[name] = values.at(-1);
    }
  }
  return out;
}
