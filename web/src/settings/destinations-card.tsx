import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/api-context";
import { ConfirmDialog } from "../components/dialog";
import { IconLayers } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/en";
import { SettingsListCard } from "./settings-list-card";
import { DESTINATION_KINDS, deliveryApi, deliveryKeys, type Destination, type DestinationKind } from "./api";

/** The config fields of each kind, as form inputs; `secret` ones are password inputs, never shown again. */
const FIELDS: Record<DestinationKind, { name: string; label: MessageKey; secret?: boolean; optional?: boolean }[]> = {
  webhook: [
    { name: "url", label: "dest.url" },
    { name: "secret", label: "dest.secret", secret: true, optional: true },
  ],
  folder: [{ name: "path", label: "dest.path" }],
  s3: [
    { name: "bucket", label: "dest.bucket" },
    { name: "prefix", label: "dest.prefix", optional: true },
    { name: "endpoint", label: "dest.endpoint", optional: true },
    { name: "region", label: "dest.region", optional: true },
    { name: "access_key_id", label: "dest.accessKeyId" },
    { name: "secret_access_key", label: "dest.secretAccessKey", secret: true },
  ],
  webdav: [
    { name: "url", label: "dest.url" },
    { name: "username", label: "dest.username", optional: true },
    { name: "password", label: "dest.password", secret: true, optional: true },
  ],
};

function summary(d: Destination): string {
  return Object.entries(d.config)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(" · ");
}

/** Settings → Destinations: add (with a form per kind), test, make default, delete. */
export function DestinationsCard() {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: deliveryKeys.destinations, queryFn: () => deliveryApi.destinations(api) });
  const refresh = () => void qc.invalidateQueries({ queryKey: deliveryKeys.destinations });
  const [deleting, setDeleting] = useState<Destination | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => deliveryApi.deleteDestination(api, id),
    onSettled: () => {
      setDeleting(null);
      refresh();
    },
  });
  return (
    <SettingsListCard
      titleId="dest-title"
      testId="destinations"
      icon={IconLayers}
      title={t("dest.title")}
      lead={t("dest.lead")}
      form={<AddDestinationForm onAdded={refresh} />}
      items={list.data}
      emptyText={t("dest.none")}
      renderItem={(d) => (
        <DestinationRow key={d.id} destination={d} onChanged={refresh} onDelete={() => setDeleting(d)} />
      )}
    >
      <ConfirmDialog
        open={deleting !== null}
        title={t("dest.deleteTitle")}
        confirmLabel={t("dest.delete")}
        danger
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onClose={() => setDeleting(null)}
      >
        {t("dest.deleteBody", { name: deleting?.name ?? "" })}
      </ConfirmDialog>
    </SettingsListCard>
  );
}

function DestinationRow(props: { destination: Destination; onChanged: () => void; onDelete: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const d = props.destination;
  const test = useMutation({ mutationFn: () => deliveryApi.testDestination(api, d.id) });
  const setDefault = useMutation({
    mutationFn: (value: boolean) => deliveryApi.updateDestination(api, d.id, { is_default: value }),
    onSettled: props.onChanged,
  });
  return (
    <li className="row row-wrap" data-testid="destination-row">
      <div className="row-main">
        <span className="row-title">
          {d.name} <span className="tag">{t(`dest.kind.${d.kind}` as MessageKey)}</span>{" "}
          {d.is_default ? <span className="tag tag-amber">{t("dest.isDefault")}</span> : null}
        </span>
        <span className="meta">
          <span data-testid="destination-config">{summary(d)}</span>
        </span>
        {test.data ? (
          <p
            className={test.data.ok ? "alert alert-success" : "alert alert-error"}
            role="status"
            data-testid="test-result"
          >
            {t(test.data.ok ? "dest.testOk" : "dest.testFailed", { detail: test.data.detail })}
          </p>
        ) : null}
      </div>
      <div className="row-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => test.mutate()}
          disabled={test.isPending}
          data-testid="test"
        >
          {test.isPending ? t("dest.testing") : t("dest.test")}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setDefault.mutate(!d.is_default)}>
          {d.is_default ? t("dest.unsetDefault") : t("dest.makeDefault")}
        </button>
        <button
          type="button"
          className="btn btn-small btn-danger-outline"
          onClick={props.onDelete}
          data-testid="delete"
        >
          {t("dest.delete")}
        </button>
      </div>
    </li>
  );
}

function AddDestinationForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<DestinationKind>("webhook");
  const [values, setValues] = useState<Record<string, string>>({});
  const [isDefault, setIsDefault] = useState(false);
  const create = useMutation({
    mutationFn: () => {
      const config: Record<string, string> = {};
      for (const f of FIELDS[kind]) if (values[f.name]?.trim()) config[f.name] = values[f.name]!.trim();
      return deliveryApi.createDestination(api, { name: name.trim(), kind, config, is_default: isDefault });
    },
    onSuccess: () => {
      setName("");
      setValues({});
      setIsDefault(false);
      onAdded();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack-form" onSubmit={submit} data-testid="destination-form">
      <div className="inline-form">
        <label className="field grow">
          <span className="field-label">{t("dest.name")}</span>
          <input
            className="input"
            value={name}
            maxLength={63}
            onChange={(e) => setName(e.target.value)}
            required
            data-testid="dest-name"
          />
        </label>
        <label className="field">
          <span className="field-label">{t("dest.kind")}</span>
          <select
            className="select"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as DestinationKind);
              setValues({});
            }}
            data-testid="dest-kind"
          >
            {DESTINATION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`dest.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {FIELDS[kind].map((f) => (
        <label key={`${kind}-${f.name}`} className="field">
          <span className="field-label">{t(f.label)}</span>
          <input
            className="input"
            type={f.secret ? "password" : "text"}
            autoComplete={f.secret ? "new-password" : "off"}
            value={values[f.name] ?? ""}
            required={!f.optional}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            data-testid={`dest-${f.name}`}
          />
        </label>
      ))}
      <label className="check">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
        {t("dest.default")}
      </label>
      {create.isError ? (
        <p className="alert alert-error" role="alert" data-testid="dest-error">
          {create.error.message}
        </p>
      ) : null}
      <div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!name.trim() || create.isPending}
          data-testid="dest-add"
        >
          {t("dest.add")}
        </button>
      </div>
    </form>
  );
}
