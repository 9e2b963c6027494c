import { Link } from "wouter";
import { useDocument, useStatus } from "../api/queries";
import type { DocumentJson, DocumentStatus } from "../api/types";
import { useI18n } from "../i18n/i18n";
import type { LiveStatus } from "../live/cache";
import { IconFile, IconImage, IconPdf } from "./icons";
import { Progress, StatusBadge } from "./status";

export function FileIcon({ mime, size = 20 }: { mime: string; size?: number }) {
  if (mime === "application/pdf") return <IconPdf size={size} className="file-icon file-pdf" />;
  if (mime.startsWith("image/")) return <IconImage size={size} className="file-icon file-image" />;
  return <IconFile size={size} className="file-icon" />;
}

/** A status for a row before its own is known: what the list said, without progress. */
function fallbackStatus(status: DocumentStatus): LiveStatus {
  return {
    status,
    phase: null,
    step: 0,
    total_steps: 0,
    percentage: 0,
    message: null,
    elapsed_ms: 0,
    error: null,
    can_cancel: false,
    can_retry: false,
    version: -1,
    observed_at: Date.now(),
  };
}

export function DocumentMeta({ doc }: { doc: DocumentJson }) {
  const i18n = useI18n();
  const kind =
    doc.mime_type === "application/pdf" ? "PDF" : (doc.mime_type.split("/")[1] ?? doc.mime_type).toUpperCase();
  return (
    <span className="meta">
      <span className="meta-kind">{kind}</span>
      {doc.num_pages !== null ? <span>{i18n.tc("docs.pages", doc.num_pages)}</span> : null}
      <span>{i18n.bytes(doc.size_bytes)}</span>
      <time className="meta-time" dateTime={doc.created_at} title={i18n.dateTime(doc.created_at)}>
        {i18n.relative(doc.created_at)}
      </time>
    </span>
  );
}

/**
 * One document in a list: name, badge and live progress. The status comes from the live
 * cache (pushed by the event stream); the list's own status string is the fallback.
 */
export function DocumentRow({ doc }: { doc: DocumentJson }) {
  const status = useStatus(doc.id);
  const live = status.data && status.data.version >= 0 ? status.data : fallbackStatus(doc.status);
  return (
    <li className="doc-row" data-testid="document-row" data-document-id={doc.id} data-status={live.status}>
      <div className="doc-row-icon">
        <FileIcon mime={doc.mime_type} />
      </div>
      <div className="doc-row-main">
        <Link href={`/documents/${doc.id}`} className="doc-row-name" title={doc.filename}>
          {doc.filename}
        </Link>
        <DocumentMeta doc={doc} />
      </div>
      <div className="doc-row-status">
        <StatusBadge status={live.status} />
      </div>
      <div className="doc-row-progress">
        <Progress status={live} />
      </div>
    </li>
  );
}

/** A row known only by id (batch page): loads the document, then renders the row. */
export function DocumentRowById({ id }: { id: string }) {
  const doc = useDocument(id);
  if (!doc.data) return <li className="doc-row doc-row-skeleton" aria-hidden="true" />;
  return <DocumentRow doc={doc.data} />;
}
