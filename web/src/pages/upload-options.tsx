import { useState } from "react";
import {
  EXTRACT_MODES,
  OCR_MODES,
  OUTPUT_FORMATS,
  RESOLUTION_MODES,
  type ExtractMode,
  type OcrMode,
  type OutputFormat,
  type ResolutionMode,
  type SubmitOptions,
} from "../api/types";
import { useI18n } from "../i18n/i18n";

export interface UploadOptions {
  processNow: boolean;
  /** Empty: the server's default languages. */
  languages: string[];
  ocrMode: OcrMode;
  resolution: ResolutionMode;
  outputs: OutputFormat[];
  priority: number;
  ocr: "auto" | "force" | "skip";
  /** Field extraction; `auto` is the server's default. */
  extract: ExtractMode;
}

const STORAGE_KEY = "docket.uploadOptions";
const COMMON_LANGUAGES = [
  { code: "eng", label: "English" },
  { code: "pol", label: "Polski" },
];

const DEFAULT_OPTIONS: UploadOptions = {
  processNow: true,
  languages: [],
  ocrMode: "document",
  resolution: "base",
  outputs: [...OUTPUT_FORMATS],
  priority: 5,
  ocr: "auto",
  extract: "auto",
};

/** The options last used on this browser (a person uploading scans keeps the same settings). */
export function loadUploadOptions(): UploadOptions {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Partial<UploadOptions> | null;
    return saved ? { ...DEFAULT_OPTIONS, ...saved } : DEFAULT_OPTIONS;
  } catch {
    return DEFAULT_OPTIONS;
  }
}

export function useUploadOptions(): [UploadOptions, (next: UploadOptions) => void] {
  const [options, setOptions] = useState<UploadOptions>(loadUploadOptions);
  const save = (next: UploadOptions) => {
    setOptions(next);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  };
  return [options, save];
}

/** Options in the API's shape (only what differs from the server defaults is sent). */
export function toSubmitOptions(o: UploadOptions): SubmitOptions {
  return {
    ...(o.languages.length > 0 ? { languages: o.languages } : {}),
    ocr_mode: o.ocrMode,
    resolution_mode: o.resolution,
    outputs: o.outputs,
    priority: o.priority,
    ocr: o.ocr,
    // Sent only when it differs from the default, so servers without extraction accept it too.
    ...(o.extract !== "auto" ? { extract: o.extract } : {}),
  };
}

/** The same options as multipart form fields of the upload (`process=true`). */
export function toFormFields(o: UploadOptions): Record<string, string> {
  const s = toSubmitOptions(o);
  const fields: Record<string, string> = { process: String(o.processNow) };
  if (!o.processNow) return fields;
  if (s.languages) fields.languages = s.languages.join(",");
  if (s.ocr_mode) fields.ocr_mode = s.ocr_mode;
  if (s.resolution_mode) fields.resolution_mode = s.resolution_mode;
  if (s.outputs) fields.outputs = s.outputs.join(",");
  if (s.priority !== undefined) fields.priority = String(s.priority);
  if (s.ocr) fields.ocr = s.ocr;
  if (s.extract) fields.extract = s.extract;
  return fields;
}

export function OptionsPanel({ options, onChange }: { options: UploadOptions; onChange(next: UploadOptions): void }) {
  const { t } = useI18n();
  const set = <K extends keyof UploadOptions>(key: K, value: UploadOptions[K]) =>
    onChange({ ...options, [key]: value });
  const common = new Set(COMMON_LANGUAGES.map((l) => l.code));
  const [other, setOther] = useState(options.languages.filter((l) => !common.has(l)).join(", "));
  const setLanguages = (chosen: string[], otherText: string) => {
    const extra = otherText
      .split(/[,\s+]+/)
      .map((s) => s.trim().toLowerCase())
      .filter((s) => /^[a-z_]{3,16}$/.test(s));
    set("languages", [...new Set([...chosen, ...extra])]);
  };
  const chosenCommon = options.languages.filter((l) => common.has(l));
  return (
    <section className="card options" aria-labelledby="options-title">
      <h2 className="card-title" id="options-title">
        {t("upload.options")}
      </h2>
      <label className="switch-row">
        <span>
          <span className="field-label">{t("upload.processNow")}</span>
          <span className="field-hint">{t("upload.processNowHelp")}</span>
        </span>
        <input
          type="checkbox"
          role="switch"
          className="switch"
          checked={options.processNow}
          onChange={(e) => set("processNow", e.target.checked)}
          data-testid="process-now"
        />
      </label>

      <fieldset className="field">
        <legend className="field-label">{t("upload.languages")}</legend>
        <div className="chips">
          {COMMON_LANGUAGES.map((l) => {
            const on = options.languages.includes(l.code);
            return (
              <button
                key={l.code}
                type="button"
                className={on ? "chip active" : "chip"}
                aria-pressed={on}
                onClick={() =>
                  setLanguages(on ? chosenCommon.filter((c) => c !== l.code) : [...chosenCommon, l.code], other)
                }
              >
                {l.label} <span className="chip-code">{l.code}</span>
              </button>
            );
          })}
        </div>
        <input
          className="input input-small"
          type="text"
          placeholder={t("upload.otherLanguages")}
          aria-label={t("upload.otherLanguages")}
          value={other}
          onChange={(e) => {
            setOther(e.target.value);
            setLanguages(chosenCommon, e.target.value);
          }}
        />
        <span className="field-hint">{t("upload.languagesHelp")}</span>
      </fieldset>

      <label className="field">
        <span className="field-label">{t("upload.ocrMode")}</span>
        <select
          className="select"
          value={options.ocrMode}
          onChange={(e) => set("ocrMode", e.target.value as OcrMode)}
          data-testid="ocr-mode"
        >
          {OCR_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`mode.${m}`)}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span className="field-label">{t("upload.resolution")}</span>
        <select
          className="select"
          value={options.resolution}
          onChange={(e) => set("resolution", e.target.value as ResolutionMode)}
          data-testid="resolution"
        >
          {RESOLUTION_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`res.${m}`)}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span className="field-label">{t("upload.ocrPolicy")}</span>
        <select
          className="select"
          value={options.ocr}
          onChange={(e) => set("ocr", e.target.value as UploadOptions["ocr"])}
        >
          {(["auto", "force", "skip"] as const).map((m) => (
            <option key={m} value={m}>
              {t(`policy.${m}`)}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span className="field-label">{t("extract.label")}</span>
        <select
          className="select"
          value={options.extract}
          onChange={(e) => set("extract", e.target.value as ExtractMode)}
          data-testid="extract"
        >
          {EXTRACT_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`extract.${m}`)}
            </option>
          ))}
        </select>
      </label>

      <fieldset className="field">
        <legend className="field-label">{t("upload.outputs")}</legend>
        <div className="checks">
          {OUTPUT_FORMATS.map((f) => {
            const on = options.outputs.includes(f);
            return (
              <label key={f} className="check">
                <input
                  type="checkbox"
                  checked={on}
                  disabled={on && options.outputs.length === 1}
                  onChange={() =>
                    set(
                      "outputs",
                      on
                        ? options.outputs.filter((o) => o !== f)
                        : OUTPUT_FORMATS.filter((o) => o === f || options.outputs.includes(o)),
                    )
                  }
                />
                <span>{t(`format.${f}`)}</span>
              </label>
            );
          })}
        </div>
      </fieldset>

      <label className="field">
        <span className="field-label field-label-row">
          {t("upload.priority")} <output className="priority-value">{options.priority}</output>
        </span>
        <input
          className="range"
          type="range"
          min={0}
          max={10}
          step={1}
          value={options.priority}
          onChange={(e) => set("priority", Number(e.target.value))}
        />
        <span className="field-hint">{t("upload.priorityHelp")}</span>
      </label>
    </section>
  );
}
