import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useApi } from "../api/api-context";
import { IconLayers } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { collectionsApi } from "./api";
import { collectionKeys, useCollections } from "./queries";

/** The user's collections, newest first, and a form to create one. */
export function CollectionsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState("");
  const list = useCollections();
  const create = useMutation({
    mutationFn: (value: string) => collectionsApi.create(api, value),
    onSuccess: (created) => {
      void qc.invalidateQueries({ queryKey: collectionKeys.all });
      navigate(`/collections/${created.id}`);
    },
  });
  const items = list.data?.items ?? [];
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">{t("col.title")}</h1>
          <p className="page-lead">{t("col.lead")}</p>
        </div>
      </div>
      <form
        className="card collection-create"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate(name.trim());
        }}
      >
        <label className="field">
          <span className="field-label">{t("col.name")}</span>
          <input
            className="input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="collection-name"
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
          {t("col.create")}
        </button>
        {create.isError ? (
          <p className="alert alert-error">{t("common.error", { message: create.error.message })}</p>
        ) : null}
      </form>
      {list.data && items.length === 0 ? <p className="empty card">{t("col.empty")}</p> : null}
      <ul className="doc-list card" data-testid="collections">
        {items.map((c) => (
          <li key={c.id} className="doc-row" data-collection-id={c.id}>
            <div className="doc-row-icon">
              <IconLayers size={20} />
            </div>
            <div className="doc-row-main">
              <Link href={`/collections/${c.id}`} className="doc-row-name">
                {c.name}
              </Link>
              <span className="meta">
                {i18n.tc("col.documents", c.document_ids.length)} · {i18n.relative(c.created_at)}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
