import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useApi } from "../api/api-context";
import { useModel, useResult } from "../api/queries";
import type { DocumentJson } from "../api/types";
import { IconDownload } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import type { LiveStatus } from "../live/cache";
import { PageViewer } from "./page-viewer";

const TABS = ["pages", "text", "markdown", "json"] as const;
type Tab = (typeof TABS)[number];
const JSON_LIMIT = 200_000;

/** Markdown from the OCR result, rendered and sanitised (the text came from a scanned page). */
function Markdown({ source }: { source: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(source, { async: false, gfm: true })), [source]);
  return <div className="markdown" data-testid="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

export function ResultViewer({ doc, jobId, status }: { doc: DocumentJson; jobId: string | null; status: LiveStatus }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const ready = status.status === "completed" || status.status === "manual_review";
  const result = useResult(jobId, ready);
  const [tab, setTab] = useState<Tab>("pages");
  const model = useModel(
    jobId,
    ready && (tab === "pages" || tab === "json") && !!result.data?.formats.some((f) => f.format === "json"),
  );
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === "ArrowRight"
        ? (i + 1) % TABS.length
        : e.key === "ArrowLeft"
          ? (i + TABS.length - 1) % TABS.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? TABS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next]!);
    tabRefs.current[next]?.focus();
  };

  if (!ready || !jobId) {
    return (
      <section className="card result result-placeholder" aria-labelledby="result-title">
        <h2 className="card-title" id="result-title">
          {t("result.title")}
        </h2>
        <div className="placeholder-body">
          <div className="placeholder-lines" aria-hidden="true">
            <span />
            <span />
            <span />
            <span />
          </div>
          <p className="muted">
            {status.status === "failed" || status.status === "cancelled"
              ? t("result.notReadyFailed")
              : t("result.notReady")}
          </p>
        </div>
      </section>
    );
  }

  const formats = (["pdf", "txt", "md", "json", "hocr"] as const).filter((f) =>
    result.data?.formats.some((x) => x.format === f),
  );
  const sizeOf = (f: string) => result.data?.formats.find((x) => x.format === f)?.size_bytes ?? 0;
  const json = model.data ? JSON.stringify(model.data, null, 2) : "";

  return (
    <section className="card result" aria-labelledby="result-title" data-testid="result">
      <div className="card-header result-header">
        <h2 className="card-title" id="result-title">
          {t("result.title")}
        </h2>
        {result.data ? (
          <span className="result-facts">
            {result.data.confidence !== null ? (
              <span>{t("result.confidence", { value: i18n.number(result.data.confidence, 1) })}</span>
            ) : null}
            {result.data.processing_time_ms !== null ? (
              <span>{t("result.time", { value: i18n.duration(result.data.processing_time_ms) })}</span>
            ) : null}
          </span>
        ) : null}
      </div>
      <div className="tabs" role="tablist" aria-label={t("result.title")} onKeyDown={onTabKey}>
        {TABS.map((name, i) => (
          <button
            key={name}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            className={tab === name ? "tab active" : "tab"}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
          >
            {t(`result.${name}`)}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} tabIndex={0}>
        {result.isPending ? (
          <p className="muted">{t("result.loading")}</p>
        ) : result.isError ? (
          <p className="alert alert-error">{t("common.error", { message: result.error.message })}</p>
        ) : tab === "text" ? (
          result.data.text ? (
            <pre className="text-view" data-testid="text-view">
              {result.data.text}
            </pre>
          ) : (
            <p className="muted">{t("result.empty")}</p>
          )
        ) : tab === "markdown" ? (
          result.data.markdown ? (
            <Markdown source={result.data.markdown} />
          ) : (
            <p className="muted">{t("result.empty")}</p>
          )
        ) : !formats.includes("json") ? (
          <p className="muted">{t("result.noModel")}</p>
        ) : model.isPending ? (
          <p className="muted">{t("result.loading")}</p>
        ) : model.isError ? (
          <p className="alert alert-error">{t("common.error", { message: model.error.message })}</p>
        ) : tab === "json" ? (
          <>
            {json.length > JSON_LIMIT ? (
              <p className="muted small">{t("result.truncated", { size: i18n.bytes(JSON_LIMIT) })}</p>
            ) : null}
            <pre className="code-view" data-testid="json-view">
              {json.slice(0, JSON_LIMIT)}
            </pre>
          </>
        ) : (
          <PageViewer doc={doc} model={model.data} />
        )}
      </div>
      <div className="downloads">
        <span className="downloads-label">{t("result.downloads")}</span>
        {formats.map((f) => (
          <a
            key={f}
            className={f === "pdf" ? "btn btn-small btn-primary-soft" : "btn btn-small"}
            href={api.resultUrl(jobId, f)}
            download
            title={`${t(`format.${f}`)} · ${i18n.bytes(sizeOf(f))}`}
            data-testid={`download-${f}`}
          >
            <IconDownload size={16} />
            {t(`format.${f}`)}
          </a>
        ))}
      </div>
    </section>
  );
}
