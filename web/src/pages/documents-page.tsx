import { useEffect, useState } from "react";
import { Link, useSearchParams } from "wouter";
import { useDocuments } from "../api/queries";
import { DOCUMENT_STATUSES, type DocumentStatus } from "../api/types";
import { DocumentRow } from "../components/document-row";
import { IconChevronLeft, IconChevronRight, IconDocuments, IconSearch, IconUpload } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { useWatch } from "../live/live-context";

const PAGE_SIZE = 20;
const SORTS = [
  { value: "-created_at", key: "docs.sort.newest" },
  { value: "created_at", key: "docs.sort.oldest" },
  { value: "filename", key: "docs.sort.name" },
  { value: "-size_bytes", key: "docs.sort.size" },
] as const;

function isStatus(value: string | null): value is DocumentStatus {
  return value !== null && (DOCUMENT_STATUSES as readonly string[]).includes(value);
}

/** The documents list. Filter, search, sort and page live in the URL, so a reload keeps them. */
export function DocumentsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [params, setParams] = useSearchParams();
  const statusParam = params.get("status");
  const status = isStatus(statusParam) ? statusParam : undefined;
  const q = params.get("q") ?? "";
  const sort = params.get("sort") ?? "-created_at";
  const page = Math.max(1, Number(params.get("page") ?? "1") || 1);
  const [search, setSearch] = useState(q);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === "") next.delete(key);
      else next.set(key, value);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  };

  // Search as you type, once typing pauses (runs on `search` only: `update` reads the current params).
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => update({ q: search.trim() || undefined }), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const list = useDocuments({ page, page_size: PAGE_SIZE, status, q: q || undefined, sort });
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  useWatch(items.map((d) => d.id));
  const filtered = !!status || !!q;

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">{t("docs.title")}</h1>
          <p className="page-lead" aria-live="polite">
            {list.data ? i18n.tc("docs.count", total) : "\u00a0"}
          </p>
        </div>
        <Link href="/upload" className="btn btn-primary">
          <IconUpload />
          <span>{t("nav.upload")}</span>
        </Link>
      </div>

      <div className="toolbar">
        <div className="toolbar-row">
          <label className="search">
            <IconSearch className="search-icon" />
            <span className="visually-hidden">{t("docs.search")}</span>
            <input
              className="input search-input"
              type="search"
              placeholder={t("docs.search")}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="search"
            />
          </label>
          <label className="sort">
            <span className="visually-hidden">{t("docs.sort")}</span>
            <select
              className="select"
              value={sort}
              onChange={(e) => update({ sort: e.target.value === "-created_at" ? undefined : e.target.value })}
            >
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {t(s.key)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="filters" role="group" aria-label={t("docs.filter")}>
          <button
            type="button"
            className={!status ? "pill active" : "pill"}
            aria-pressed={!status}
            onClick={() => update({ status: undefined })}
          >
            {t("docs.all")}
          </button>
          {DOCUMENT_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={status === s ? "pill active" : "pill"}
              aria-pressed={status === s}
              onClick={() => update({ status: s })}
              data-filter={s}
            >
              <span className={`pill-dot dot-${s}`} aria-hidden="true" />
              {i18n.status(s)}
            </button>
          ))}
        </div>
      </div>

      {list.isError ? (
        <div className="alert alert-error" role="alert">
          {t("common.error", { message: list.error.message })}{" "}
          <button type="button" className="btn btn-small" onClick={() => void list.refetch()}>
            {t("common.retry")}
          </button>
        </div>
      ) : list.isPending ? (
        <ul className="doc-list" aria-busy="true">
          {Array.from({ length: 4 }, (_, i) => (
            <li key={i} className="doc-row doc-row-skeleton" />
          ))}
        </ul>
      ) : items.length === 0 ? (
        <div className="empty card">
          <div className="empty-icon">
            <IconDocuments size={28} />
          </div>
          <h2 className="empty-title">{filtered ? t("docs.noMatch") : t("docs.empty")}</h2>
          {filtered ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setSearch("");
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              {t("docs.clearFilters")}
            </button>
          ) : (
            <>
              <p className="empty-lead">{t("docs.emptyLead")}</p>
              <Link href="/upload" className="btn btn-primary">
                <IconUpload />
                <span>{t("nav.upload")}</span>
              </Link>
            </>
          )}
        </div>
      ) : (
        <>
          <ul className="doc-list card" data-testid="document-list">
            {items.map((doc) => (
              <DocumentRow key={doc.id} doc={doc} />
            ))}
          </ul>
          {total > PAGE_SIZE ? (
            <nav className="pagination" aria-label={t("docs.pagination")}>
              <span className="pagination-range">
                {t("docs.range", { from: (page - 1) * PAGE_SIZE + 1, to: Math.min(total, page * PAGE_SIZE), total })}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={page <= 1}
                onClick={() => update({ page: String(page - 1) })}
              >
                <IconChevronLeft size={16} />
                {t("docs.prev")}
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={page * PAGE_SIZE >= total}
                onClick={() => update({ page: String(page + 1) })}
              >
                {t("docs.next")}
                <IconChevronRight size={16} />
              </button>
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
