import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/api-context";
import { IconGlobe } from "../components/icons";
import type { MessageKey } from "../i18n/en";
import { useI18n } from "../i18n/i18n";
import { SettingsListCard } from "./settings-list-card";
import { deliveryApi, deliveryKeys, WEBHOOK_EVENTS, type Webhook, type WebhookEvent } from "./api";

/** Settings → Event webhooks: subscribe, see each delivery's answer, redeliver, turn back on. */
export function WebhooksCard() {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: deliveryKeys.webhooks, queryFn: () => deliveryApi.webhooks(api) });
  const refresh = () => void qc.invalidateQueries({ queryKey: deliveryKeys.webhooks });
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["job.completed", "job.failed"]);
  const create = useMutation({
    mutationFn: () => deliveryApi.createWebhook(api, { url: url.trim(), secret, events }),
    onSuccess: () => {
      setUrl("");
      setSecret("");
      refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <SettingsListCard
      titleId="hooks-title"
      testId="webhooks"
      icon={IconGlobe}
      title={t("hooks.title")}
      lead={t("hooks.lead")}
      form={
        <form className="stack-form" onSubmit={submit} data-testid="webhook-form">
          <label className="field">
            <span className="field-label">{t("hooks.url")}</span>
            <input
              className="input"
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              required
              data-testid="hook-url"
            />
          </label>
          <label className="field">
            <span className="field-label">{t("hooks.secret")}</span>
            <input
              className="input"
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              required
              data-testid="hook-secret"
            />
          </label>
          <fieldset className="checks">
            <legend className="field-label">{t("hooks.events")}</legend>
            {WEBHOOK_EVENTS.map((event) => (
              <label key={event} className="check">
                <input
                  type="checkbox"
                  checked={events.includes(event)}
                  onChange={(e) => setEvents(e.target.checked ? [...events, event] : events.filter((x) => x !== event))}
                  data-testid={`hook-event-${event}`}
                />
                {t(`event.${event}` as MessageKey)}
              </label>
            ))}
          </fieldset>
          {create.isError ? (
            <p className="alert alert-error" role="alert">
              {create.error.message}
            </p>
          ) : null}
          <div>
            <button
              type="submit"
              className="btn btn-primary"
              disabled={create.isPending || events.length === 0}
              data-testid="hook-add"
            >
              {t("hooks.add")}
            </button>
          </div>
        </form>
      }
      items={list.data}
      emptyText={t("hooks.none")}
      renderItem={(w) => <WebhookRow key={w.id} webhook={w} onChanged={refresh} />}
    />
  );
}

function WebhookRow({ webhook: w, onChanged }: { webhook: Webhook; onChanged: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const toggle = useMutation({
    mutationFn: () => deliveryApi.setWebhookActive(api, w.id, !w.active),
    onSettled: onChanged,
  });
  const remove = useMutation({ mutationFn: () => deliveryApi.deleteWebhook(api, w.id), onSettled: onChanged });
  return (
    <li className="row row-wrap" data-testid="webhook-row">
      <div className="row-main">
        <span className="row-title">
          {w.url}{" "}
          <span className={w.active ? "tag" : "tag tag-red"} data-testid="webhook-state">
            {w.active ? t("hooks.active") : t("hooks.disabled")}
          </span>
        </span>
        <span className="meta">{w.events.map((e) => t(`event.${e}` as MessageKey)).join(", ")}</span>
        {!w.active && w.disabled_reason ? (
          <p className="alert alert-error" data-testid="webhook-reason">
            {t("hooks.disabledReason", { reason: w.disabled_reason })}
          </p>
        ) : null}
        {open ? <DeliveryLog id={w.id} /> : null}
      </div>
      <div className="row-actions">
        <button type="button" className="btn btn-small" onClick={() => setOpen(!open)} data-testid="webhook-log">
          {open ? t("hooks.hide") : t("hooks.deliveries")}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => toggle.mutate()}>
          {w.active ? t("hooks.disable") : t("hooks.enable")}
        </button>
        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => remove.mutate()}>
          {t("hooks.delete")}
        </button>
      </div>
    </li>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const log = useQuery({
    queryKey: deliveryKeys.webhookDeliveries(id),
    queryFn: () => deliveryApi.webhookDeliveries(api, id),
    refetchInterval: 3_000,
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: string) => deliveryApi.redeliver(api, id, deliveryId),
    onSettled: () => void qc.invalidateQueries({ queryKey: deliveryKeys.webhookDeliveries(id) }),
  });
  if (log.data && log.data.length === 0) return <p className="muted">{t("hooks.noDeliveries")}</p>;
  return (
    <table className="delivery-log" data-testid="delivery-log">
      <tbody>
        {log.data?.map((d) => (
          <tr key={d.id} data-testid="delivery-row">
            <td>{t(`event.${d.event}` as MessageKey)}</td>
            <td data-status={d.status}>{t(`hooks.status.${d.status}` as MessageKey)}</td>
            <td>{d.response_status === null ? (d.last_error ?? "") : `HTTP ${d.response_status}`}</td>
            <td>{i18n.tc("hooks.attempts", d.attempts)}</td>
            <td>{i18n.relative(d.created_at)}</td>
            <td>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => redeliver.mutate(d.id)}
                data-testid="redeliver"
              >
                {t("hooks.redeliver")}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
