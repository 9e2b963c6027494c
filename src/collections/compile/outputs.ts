/** The compile stage's outputs (API.md) and the step that builds each, in build order. */
export const COMPILE_OUTPUTS = ["pdf", "csv", "xlsx", "zip", "json"] as const;
export type CompileOutput = (typeof COMPILE_OUTPUTS)[number];

export const COMPILE_STEP: Record<CompileOutput, string> = {
  pdf: "compile_pdf",
  csv: "compile_csv",
  xlsx: "compile_xlsx",
  zip: "compile_zip",
  json: "compile_summary",
};

export const COMPILE_MIME: Record<CompileOutput, string> = {
  pdf: "application/pdf",
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  zip: "application/zip",
  json: "application/json",
};

/** The file names of the downloads: `<collection name>.<ext>` (the summary as `-summary.json`). */
export function compileFileName(collectionName: string, output: CompileOutput): string {
  const stem =
    collectionName
      .replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_")
      .trim()
      .slice(0, 100) || "collection";
  return output === "json" ? `${stem}-summary.json` : `${stem}.${output}`;
}
