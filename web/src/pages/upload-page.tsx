import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type DragEvent } from "react";
import { Link } from "wouter";
import { useApi } from "../api/api-context";
import { activeJobOf, ApiError } from "../api/client";
import { keys } from "../api/keys";
import { useStatus } from "../api/queries";
import type { DocumentJson, Job, SkippedDocument } from "../api/types";
import { FileIcon } from "../components/document-row";
import { IconAlert, IconLayers, IconPlay, IconUpload, IconX } from "../components/icons";
import { Progress, StatusBadge } from "../components/status";
import { useI18n } from "../i18n/i18n";
import { putJob, putStatus } from "../live/cache";
import { useWatch } from "../live/live-context";
import { OptionsPanel, toFormFields, toSubmitOptions, useUploadOptions } from "./upload-options";

type ItemState = "waiting" | "uploading" | "uploaded" | "duplicate" | "rejected";

interface Item {
  key: string;
  file: File;
  state: ItemState;
  progress: number;
  document: DocumentJson | null;
  /** A job exists for the document (processed right away, submitted, or a duplicate's earlier job). */
  hasJob: boolean;
  /** Process found a job of the document already in progress (one active job per document): it shows that job. */
  alreadyActive?: boolean;
  error: { code: string; message: string } | null;
}

/** Uploads at once: enough to overlap, few enough to leave connections for the live stream. */
const PARALLEL_UPLOADS = 2;

export function UploadPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const [options, setOptions] = useUploadOptions();
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const [batchId, setBatchId] = useState<string | null>(null);
  const [skippedCount, setSkippedCount] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const queue = useRef<{ items: Item[]; running: number }>({ items: [], running: 0 });

  const patch = (key: string, change: Partial<Item>) =>
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...change } : it)));

  const pump = () => {
    const q = queue.current;
    while (q.running < PARALLEL_UPLOADS && q.items.length > 0) {
      const item = q.items.shift()!;
      q.running++;
      void uploadOne(item).finally(() => {
        q.running--;
        pump();
      });
    }
  };

  const uploadOne = async (item: Item) => {
    patch(item.key, { state: "uploading", progress: 0 });
    try {
      const { body } = await api.upload(item.file, toFormFields(options), (fraction) =>
        patch(item.key, { progress: fraction }),
      );
      qc.setQueryData(keys.document(body.document.id), body.document);
      if (body.job) putJob(qc, body.job);
      // The status is fetched fresh: the upload's answer has the document, not its unified status.
      void api.status(body.document.id).then((s) => putStatus(qc, body.document.id, s));
      void qc.invalidateQueries({ queryKey: keys.documentsAll });
      patch(item.key, {
        state: body.duplicate ? "duplicate" : "uploaded",
        progress: 1,
        document: body.document,
        hasJob: body.job !== null || body.document.latest_job_id !== null,
      });
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(0, { detail: String(error) });
      patch(item.key, { state: "rejected", error: { code: e.code, message: e.message } });
    }
  };

  const addFiles = (files: FileList | File[]) => {
    const added: Item[] = Array.from(files).map((file) => ({
      key: crypto.randomUUID(),
      file,
      state: "waiting",
      progress: 0,
      document: null,
      hasJob: false,
      error: null,
    }));
    if (added.length === 0) return;
    setBatchId(null);
    setItems((all) => [...added, ...all]);
    queue.current.items.push(...added);
    pump();
  };

  const staged = items.filter(
    (it) => it.document && !it.hasJob && (it.state === "uploaded" || it.state === "duplicate"),
  );
  const process = useMutation({
    mutationFn: async (): Promise<{ batchId: string | null; jobs: Job[]; skipped: SkippedDocument[] }> => {
      const ids = [...new Set(staged.map((it) => it.document!.id))];
      const submitOptions = toSubmitOptions(options);
      // A document that already has a job in progress is not submitted twice: the server says
      // 409 job_active (one document, or all of a batch) or lists it in the batch's `skipped`.
      try {
        if (ids.length === 1) return { batchId: null, jobs: [await api.submit(ids[0]!, submitOptions)], skipped: [] };
        const batch = await api.batch(ids, submitOptions);
        return { batchId: batch.batch_id, jobs: batch.jobs, skipped: batch.skipped };
      } catch (error) {
        const single = activeJobOf(error);
        if (single !== null && ids.length === 1) {
          const message = (error as Error).message;
          return {
            batchId: null,
            jobs: [],
            skipped: [{ document_id: ids[0]!, reason: "job_active", job_id: single, message }],
          };
        }
        const all = error instanceof ApiError && error.code === "job_active" ? error.details.skipped : undefined;
        if (Array.isArray(all)) return { batchId: null, jobs: [], skipped: all as SkippedDocument[] };
        throw error;
      }
    },
    onSuccess: ({ batchId: id, jobs, skipped }) => {
      for (const job of jobs) putJob(qc, job);
      const touched = [...jobs.map((j) => j.document_id), ...skipped.map((s) => s.document_id)];
      for (const d of touched) void api.status(d).then((s) => putStatus(qc, d, s));
      const submitted = new Set(touched);
      const busy = new Set(skipped.map((s) => s.document_id));
      setItems((all) =>
        all.map((it) =>
          it.document && submitted.has(it.document.id)
            ? { ...it, hasJob: true, alreadyActive: busy.has(it.document.id) }
            : it,
        ),
      );
      setSkippedCount(skipped.length);
      setBatchId(id);
      void qc.invalidateQueries({ queryKey: keys.documentsAll });
    },
  });

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length > 0) addFiles(e.dataTransfer.files);
  };

  const finished = items.some((it) => it.state === "rejected" || it.hasJob);
  useWatch(items.flatMap((it) => (it.document ? [it.document.id] : [])));

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">{t("upload.title")}</h1>
          <p className="page-lead">{t("upload.lead")}</p>
        </div>
      </div>
      <div className="upload-layout">
        <div className="upload-main">
          <div
            className={dragging ? "dropzone dragging" : "dropzone"}
            onDragEnter={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragOver={(e) => {
              e.preventDefault();
              e.dataTransfer.dropEffect = "copy";
            }}
            onDragLeave={(e) => {
              if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
            }}
            onDrop={onDrop}
            data-testid="dropzone"
          >
            <div className="dropzone-icon">
              <IconUpload size={26} />
            </div>
            <p className="dropzone-title">{dragging ? t("upload.dropActive") : t("upload.drop")}</p>
            <p className="dropzone-or">{t("upload.or")}</p>
            <button type="button" className="btn btn-primary" onClick={() => input.current?.click()}>
              {t("upload.choose")}
            </button>
            <input
              ref={input}
              type="file"
              multiple
              className="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              accept="application/pdf,image/*,.pdf,.tif,.tiff"
              data-testid="file-input"
              onChange={(e) => {
                if (e.target.files) addFiles(e.target.files);
                e.target.value = "";
              }}
            />
          </div>

          {items.length > 0 ? (
            <section className="card upload-list-card" aria-labelledby="files-title">
              <div className="card-header">
                <h2 className="card-title" id="files-title">
                  {t("upload.files")}
                </h2>
                {finished ? (
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    onClick={() => setItems((all) => all.filter((it) => !(it.state === "rejected" || it.hasJob)))}
                  >
                    {t("upload.clear")}
                  </button>
                ) : null}
              </div>
              <ul className="upload-list" data-testid="upload-list">
                {items.map((item) => (
                  <UploadItem
                    key={item.key}
                    item={item}
                    onRemove={() => setItems((all) => all.filter((it) => it.key !== item.key))}
                  />
                ))}
              </ul>
              {staged.length > 0 || batchId || process.isError || skippedCount > 0 ? (
                <div className="upload-actions">
                  {skippedCount > 0 ? (
                    <p className="alert alert-info" role="status" data-testid="skipped-notice">
                      {i18n.tc("upload.skipped", skippedCount)}
                    </p>
                  ) : null}
                  {process.isError ? (
                    <p className="alert alert-error" role="alert">
                      {process.error.message}
                    </p>
                  ) : null}
                  {batchId ? (
                    <Link href={`/batches/${batchId}`} className="btn" data-testid="open-batch">
                      <IconLayers />
                      {t("upload.openBatch")}
                    </Link>
                  ) : null}
                  {staged.length > 0 ? (
                    <button
                      type="button"
                      className="btn btn-primary"
                      disabled={process.isPending}
                      onClick={() => process.mutate()}
                      data-testid="process"
                    >
                      <IconPlay />
                      {process.isPending ? t("upload.processing") : i18n.tc("upload.process", staged.length)}
                    </button>
                  ) : null}
                </div>
              ) : null}
            </section>
          ) : null}
        </div>
        <OptionsPanel options={options} onChange={setOptions} />
      </div>
    </div>
  );
}

function UploadItem({ item, onRemove }: { item: Item; onRemove(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const status = useStatus(item.document && item.hasJob ? item.document.id : null);
  const reason = item.error
    ? i18n.lang === "en"
      ? item.error.message
      : (i18n.maybe(`error.${item.error.code}`) ?? item.error.message)
    : "";
  return (
    <li
      className={`upload-item upload-${item.state}`}
      data-testid="upload-item"
      data-state={item.state}
      data-filename={item.file.name}
    >
      <div className="upload-item-icon">
        <FileIcon mime={item.file.type || (item.file.name.toLowerCase().endsWith(".pdf") ? "application/pdf" : "")} />
      </div>
      <div className="upload-item-main">
        <div className="upload-item-top">
          <span className="upload-item-name" title={item.file.name}>
            {item.document ? <Link href={`/documents/${item.document.id}`}>{item.file.name}</Link> : item.file.name}
          </span>
          <span className="upload-item-size">{i18n.bytes(item.file.size)}</span>
        </div>
        {item.state === "waiting" || item.state === "uploading" ? (
          <div className="progress">
            <div
              className={`bar bar-${item.state === "uploading" ? "processing" : "queued"}`}
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(item.progress * 100)}
              aria-label={item.file.name}
            >
              <div className="bar-fill" style={{ transform: `scaleX(${item.progress})` }} />
            </div>
            <div className="progress-text">
              {item.state === "uploading"
                ? t("upload.uploading", { p: Math.round(item.progress * 100) })
                : t("upload.waiting")}
            </div>
          </div>
        ) : item.state === "rejected" ? (
          <div className="upload-outcome outcome-rejected" role="alert">
            <IconAlert size={14} />
            <span data-testid="reject-reason">{t("upload.rejected", { reason })}</span>
          </div>
        ) : item.state === "duplicate" ? (
          <div className="upload-outcome outcome-duplicate" data-testid="duplicate">
            <span>{t("upload.duplicate")}</span>
            {item.document ? (
              <Link href={`/documents/${item.document.id}`} className="link-strong">
                {t("upload.open")}
              </Link>
            ) : null}
          </div>
        ) : status.data ? (
          <Progress status={status.data} />
        ) : (
          <div className="upload-outcome outcome-uploaded">
            <span>{t("upload.uploaded")}</span>
          </div>
        )}
      </div>
      <div className="upload-item-side">
        {item.state === "duplicate" ? <span className="tag tag-amber">{t("upload.duplicateTag")}</span> : null}
        {item.alreadyActive ? (
          <span className="tag tag-amber" data-testid="already-active">
            {t("upload.alreadyActive")}
          </span>
        ) : null}
        {status.data ? <StatusBadge status={status.data.status} /> : null}
        {item.state === "rejected" || (item.document && !item.hasJob) ? (
          <button
            type="button"
            className="btn btn-ghost btn-icon btn-small"
            onClick={onRemove}
            aria-label={t("upload.remove", { name: item.file.name })}
            title={t("upload.remove", { name: item.file.name })}
          >
            <IconX size={16} />
          </button>
        ) : null}
      </div>
    </li>
  );
}
