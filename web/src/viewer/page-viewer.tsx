import { useQuery } from "@tanstack/react-query";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { useEffect, useMemo, useRef, useState } from "react";
import { useApi } from "../api/api-context";
import type { DocumentJson, DocumentModel, FieldSource, ModelPage } from "../api/types";
import { IconChevronLeft, IconChevronRight } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { openPdf, renderPdfPage } from "./pdf";
import { useWordPicking, wordsOf, type WordPick } from "./word-picking";

/**
 * The original page with the OCR word boxes drawn over it. There is no page-image route in
 * the API, so the page is drawn here from the original file (`/documents/:id/file`): PDF pages
 * with pdf.js, images with the browser's decoder. The document model's boxes are in the
 * "upright frame" (the page turned `rotation`° clockwise before recognition, `width × height`
 * pixels at `dpi`), so the original is turned the same way and the boxes scale onto it.
 */

type Source = { kind: "pdf"; pdf: PDFDocumentProxy } | { kind: "image"; bitmap: ImageBitmap } | { kind: "none" };

/** Browsers decode these; TIFF they do not (the boxes are then drawn on a blank page). */
const DRAWABLE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"]);

function useSource(doc: DocumentJson) {
  const api = useApi();
  return useQuery<Source>({
    queryKey: ["source", doc.id],
    queryFn: async ({ signal }) => {
      if (doc.mime_type === "application/pdf")
        return { kind: "pdf", pdf: await openPdf(await api.fileBytes(doc.id, signal)) };
      if (DRAWABLE_IMAGES.has(doc.mime_type)) {
        const blob = new Blob([await api.fileBytes(doc.id, signal)], { type: doc.mime_type });
        return { kind: "image", bitmap: await createImageBitmap(blob, { imageOrientation: "from-image" }) };
      }
      return { kind: "none" };
    },
    staleTime: Infinity,
    gcTime: 60_000,
    structuralSharing: false,
    retry: false,
  });
}

function tone(confidence: number): "high" | "medium" | "low" {
  return confidence >= 85 ? "high" : confidence >= 60 ? "medium" : "low";
}

/** Draws the page in the model's upright frame onto `canvas`, `width` pixels wide. */
async function drawPage(canvas: HTMLCanvasElement, source: Source, page: ModelPage, width: number): Promise<void> {
  const quarter = page.rotation % 180 !== 0;
  const height = Math.round((width * page.height) / page.width);
  let image: HTMLCanvasElement | ImageBitmap | null = null;
  if (source.kind === "pdf") image = await renderPdfPage(source.pdf, page.number, quarter ? height : width);
  else if (source.kind === "image" && page.number === 1) image = source.bitmap;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  if (!image) return;
  ctx.save();
  ctx.translate(width / 2, height / 2);
  ctx.rotate((page.rotation * Math.PI) / 180);
  // The original, turned, fills the frame: its long side maps to the frame's matching side.
  const w = quarter ? height : width;
  const h = quarter ? width : height;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(image, -w / 2, -h / 2, w, h);
  ctx.restore();
}

export interface PageViewerProps {
  doc: DocumentJson;
  model: DocumentModel;
  /** A box to show (a field's source): the viewer turns to its page and scrolls it into view. */
  highlight?: (FieldSource & { field: string; label: string }) | null;
  /** Makes words pickable (click, Shift-click, drag); see useWordPicking. */
  onPick?: (pick: WordPick) => void;
}

export function PageViewer({ doc, model, highlight = null, onPick }: PageViewerProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const source = useSource(doc);
  const [index, setIndex] = useState(0);
  const [showBoxes, setShowBoxes] = useState(true);
  const [hover, setHover] = useState<number | null>(null);
  const [drawError, setDrawError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const highlightRef = useRef<SVGRectElement>(null);
  const page = model.pages[Math.min(index, model.pages.length - 1)];
  const words = useMemo(() => (page ? wordsOf(page) : []), [page]);
  const picking = useWordPicking(stage, page, words, onPick);
  const highlightKey = highlight ? `${highlight.page}:${highlight.bbox.join(",")}` : "";

  // A new highlight brings its page and its place on the page into view.
  useEffect(() => {
    if (!highlight) return;
    const wanted = model.pages.findIndex((p) => p.number === highlight.page);
    if (wanted >= 0 && wanted !== index) setIndex(wanted);
    else highlightRef.current?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [highlightKey, index]);

  useEffect(() => {
    if (!page || !source.data || !canvas.current) return;
    let stale = false;
    const target = canvas.current;
    const width = Math.min(
      2000,
      Math.max(600, Math.round((stage.current?.clientWidth ?? 800) * Math.min(2, window.devicePixelRatio || 1))),
    );
    const scratch = document.createElement("canvas");
    setDrawError(null);
    drawPage(scratch, source.data, page, width)
      .then(() => {
        if (stale) return;
        target.width = scratch.width;
        target.height = scratch.height;
        target.getContext("2d")?.drawImage(scratch, 0, 0);
        target.dataset.rendered = String(page.number);
      })
      .catch((error: unknown) => {
        if (!stale) setDrawError(error instanceof Error ? error.message : String(error));
      });
    return () => {
      stale = true;
    };
  }, [page, source.data]);

  if (!page) return <p className="muted">{t("result.empty")}</p>;
  const hovered = hover !== null ? words[hover] : undefined;
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  const shown = highlight && highlight.page === page.number ? highlight : null;
  const drag = picking.drag;

  return (
    <div className="page-viewer" data-testid="page-viewer">
      <div className="viewer-toolbar">
        <div className="pager">
          <button
            type="button"
            className="btn btn-icon btn-small"
            disabled={index === 0}
            onClick={() => setIndex(index - 1)}
            aria-label={t("result.prevPage")}
            title={t("result.prevPage")}
          >
            <IconChevronLeft size={16} />
          </button>
          <span className="pager-label" aria-live="polite">
            {t("result.pageOf", { n: index + 1, total: model.pages.length })}
          </span>
          <button
            type="button"
            className="btn btn-icon btn-small"
            disabled={index >= model.pages.length - 1}
            onClick={() => setIndex(index + 1)}
            aria-label={t("result.nextPage")}
            title={t("result.nextPage")}
            data-testid="next-page"
          >
            <IconChevronRight size={16} />
          </button>
        </div>
        <span className="viewer-facts">
          {i18n.tc("result.words", words.length)} · {t(`result.source.${page.source}`)} ·{" "}
          {t("result.confidence", { value: i18n.number(page.confidence, 1) })}
        </span>
        <label className="check">
          <input type="checkbox" checked={showBoxes} onChange={(e) => setShowBoxes(e.target.checked)} />
          <span>{t("result.boxes")}</span>
        </label>
      </div>
      {source.data?.kind === "none" ? <p className="muted small">{t("result.noPreview")}</p> : null}
      {drawError || source.error ? (
        <p className="alert alert-error" role="alert">
          {t("result.previewFailed", { error: drawError ?? source.error?.message ?? "" })}
        </p>
      ) : null}
      <div className="page-frame">
        <div
          className={onPick ? "page-stage picking" : "page-stage"}
          ref={stage}
          style={{ aspectRatio: `${page.width} / ${page.height}` }}
          onMouseDown={picking.onMouseDown}
        >
          <canvas ref={canvas} className="page-canvas" data-testid="page-canvas" />
          <svg
            className="page-boxes"
            viewBox={`0 0 ${page.width} ${page.height}`}
            preserveAspectRatio="none"
            role="group"
            aria-label={t("result.boxes")}
          >
            {showBoxes &&
              words.map((w, i) => (
                <rect
                  key={i}
                  className={`word word-${tone(w.confidence)}${hover === i ? " word-hover" : ""}`}
                  x={w.bbox.x0}
                  y={w.bbox.y0}
                  width={Math.max(1, w.bbox.x1 - w.bbox.x0)}
                  height={Math.max(1, w.bbox.y1 - w.bbox.y0)}
                  data-testid="word-box"
                  data-word={w.text}
                  onMouseEnter={() => setHover(i)}
                  onMouseLeave={() => setHover((h) => (h === i ? null : h))}
                />
              ))}
            {shown ? (
              <rect
                ref={highlightRef}
                className="field-highlight"
                x={shown.bbox[0]}
                y={shown.bbox[1]}
                width={Math.max(1, shown.bbox[2] - shown.bbox[0])}
                height={Math.max(1, shown.bbox[3] - shown.bbox[1])}
                data-testid="field-highlight"
                data-field={shown.field}
              >
                <title>{shown.label}</title>
              </rect>
            ) : null}
            {drag ? (
              <rect
                className="pick-rect"
                x={Math.min(drag.x0, drag.x1)}
                y={Math.min(drag.y0, drag.y1)}
                width={Math.abs(drag.x1 - drag.x0)}
                height={Math.abs(drag.y1 - drag.y0)}
                data-testid="pick-rect"
              />
            ) : null}
          </svg>
          {hovered && showBoxes ? (
            <div
              className="word-tip"
              role="tooltip"
              data-testid="word-tip"
              style={{ left: pct(hovered.bbox.x0, page.width), top: pct(hovered.bbox.y0, page.height) }}
            >
              <strong>{hovered.text}</strong>
              <span>{t("result.confidence", { value: i18n.number(hovered.confidence, 1) })}</span>
            </div>
          ) : null}
        </div>
      </div>
      <div className="legend" aria-hidden="true">
        <span>{t("result.legend")}</span>
        <span className="legend-item">
          <i className="swatch word-high" /> {t("result.high")} ≥ 85
        </span>
        <span className="legend-item">
          <i className="swatch word-medium" /> {t("result.medium")} 60–85
        </span>
        <span className="legend-item">
          <i className="swatch word-low" /> {t("result.low")} &lt; 60
        </span>
      </div>
    </div>
  );
}
