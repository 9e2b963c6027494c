import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useApi } from "../api/api-context";
import { keys } from "../api/keys";
import { useDocuments } from "../api/queries";
import { DocumentRowById } from "../components/document-row";
import { useI18n } from "../i18n/i18n";
import { collectionsApi, type Collection } from "./api";
import { collectionKeys } from "./queries";

/** Documents of the list not yet in the collection, to tick and add (the newest 100). */
function Picker({ collection, onDone }: { collection: Collection; onDone(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const list = useDocuments({ page: 1, page_size: 100, sort: "-created_at" });
  const [chosen, setChosen] = useState<string[]>([]);
  const present = new Set(collection.document_ids);
  const candidates = (list.data?.items ?? []).filter((d) => !present.has(d.id));
  const add = useMutation({
    mutationFn: () => collectionsApi.add(api, collection.id, chosen),
    onSuccess: (updated) => {
      qc.setQueryData(collectionKeys.one(collection.id), updated);
      void qc.invalidateQueries({ queryKey: collectionKeys.all });
      onDone();
    },
  });
  return (
    <fieldset className="collection-picker" data-testid="collection-picker">
      <legend>{t("col.pickTitle")}</legend>
      {list.data && candidates.length === 0 ? <p className="muted">{t("col.pickNone")}</p> : null}
      <ul>
        {candidates.map((d) => (
          <li key={d.id}>
            <label>
              <input
                type="checkbox"
                checked={chosen.includes(d.id)}
                onChange={(e) => setChosen((c) => (e.target.checked ? [...c, d.id] : c.filter((x) => x !== d.id)))}
                data-document-id={d.id}
              />{" "}
              {d.filename}
            </label>
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onDone}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={chosen.length === 0 || add.isPending}
          onClick={() => add.mutate()}
          data-testid="add-selected"
        >
          {t("col.addSelected", { count: chosen.length })}
        </button>
      </div>
      {add.isError ? <p className="alert alert-error">{t("common.error", { message: add.error.message })}</p> : null}
    </fieldset>
  );
}

/** The members in order, and the ways to add to them and to start the process stage. */
export function DocumentsTab({ collection }: { collection: Collection }) {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const [picking, setPicking] = useState(false);
  const [uploading, setUploading] = useState<{ done: number; total: number } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const refresh = (updated: Collection) => {
    qc.setQueryData(collectionKeys.one(collection.id), updated);
    void qc.invalidateQueries({ queryKey: collectionKeys.all });
    void qc.invalidateQueries({ queryKey: collectionKeys.statusAll(collection.id) });
  };
  const process = useMutation({
    mutationFn: () => collectionsApi.process(api, collection.id),
    onSuccess: (result) => {
      setNote(t("col.processed", { jobs: result.jobs.length, skipped: result.skipped.length }));
      for (const job of result.jobs) void qc.invalidateQueries({ queryKey: keys.status(job.document_id) });
    },
  });
  const remove = useMutation({
    mutationFn: (documentId: string) => collectionsApi.remove(api, collection.id, documentId),
    onSuccess: refresh,
  });
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      const ids: string[] = [];
      setUploading({ done: 0, total: files.length });
      for (const file of files) {
        const answer = await api.upload(file, {}, () => undefined);
        ids.push(answer.body.document.id);
        setUploading({ done: ids.length, total: files.length });
      }
      return collectionsApi.add(api, collection.id, ids);
    },
    onSuccess: refresh,
    onSettled: () => setUploading(null),
  });

  return (
    <div className="collection-documents">
      <div className="toolbar-row collection-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => process.mutate()}
          disabled={collection.document_ids.length === 0 || process.isPending}
          data-testid="process"
        >
          {t("col.process")}
        </button>
        <button type="button" className="btn" onClick={() => setPicking(true)} data-testid="add-documents">
          {t("col.add")}
        </button>
        <button type="button" className="btn" onClick={() => fileInput.current?.click()} data-testid="upload-into">
          {t("col.upload")}
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="upload-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = "";
            if (files.length > 0) upload.mutate(files);
          }}
        />
      </div>
      {uploading ? <p className="muted">{t("col.uploading", uploading)}</p> : null}
      {note ? (
        <p className="alert" role="status" data-testid="process-note">
          {note}
        </p>
      ) : null}
      {[process, upload, remove].map((m, i) =>
        m.isError ? (
          <p key={i} className="alert alert-error">
            {t("common.error", { message: m.error.message })}
          </p>
        ) : null,
      )}
      {picking ? <Picker collection={collection} onDone={() => setPicking(false)} /> : null}
      {collection.document_ids.length === 0 ? <p className="muted">{t("col.noMembers")}</p> : null}
      <ul className="doc-list" data-testid="collection-documents">
        {collection.document_ids.map((id) => (
          <li key={id} className="collection-member">
            <ul className="collection-member-row">
              <DocumentRowById id={id} />
            </ul>
            <button type="button" className="btn btn-small" onClick={() => remove.mutate(id)}>
              {t("col.remove")}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
