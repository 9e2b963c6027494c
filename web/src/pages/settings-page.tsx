import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/api-context";
import { keys } from "../api/keys";
import { useTokens, useUsers } from "../api/queries";
import type { Me, TokenCreated, TokenInfo } from "../api/types";
import { ConfirmDialog } from "../components/dialog";
import { IconCopy, IconGlobe, IconKey, IconUsers } from "../components/icons";
import { LANGUAGES, useI18n, type Lang } from "../i18n/i18n";
import { DestinationsCard } from "../settings/destinations-card";
import { WebhooksCard } from "../settings/webhooks-card";
import "../settings/settings.css";

export function SettingsPage({ me }: { me: Me }) {
  const { t } = useI18n();
  return (
    <div className="page page-narrow">
      <div className="page-header">
        <h1 className="page-title">{t("settings.title")}</h1>
      </div>
      <LanguageCard />
      <TokensCard />
      <DestinationsCard />
      <WebhooksCard />
      {me.role === "admin" ? <UsersCard me={me} /> : null}
    </div>
  );
}

function LanguageCard() {
  const { t, lang, setLang } = useI18n();
  return (
    <section className="card settings-card" aria-labelledby="lang-title">
      <div className="settings-head">
        <IconGlobe className="settings-icon" />
        <div>
          <h2 className="card-title" id="lang-title">
            {t("settings.language")}
          </h2>
          <p className="muted">{t("settings.languageLead")}</p>
        </div>
      </div>
      <div className="segmented" role="radiogroup" aria-labelledby="lang-title">
        {LANGUAGES.map((l) => (
          <label key={l.code} className={l.code === lang ? "segment active" : "segment"}>
            <input
              type="radio"
              name="lang"
              value={l.code}
              checked={l.code === lang}
              onChange={() => setLang(l.code as Lang)}
              className="visually-hidden"
            />
            {l.label}
          </label>
        ))}
      </div>
    </section>
  );
}

function TokensCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const tokens = useTokens();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const create = useMutation({
    mutationFn: () => api.createToken(name.trim()),
    onSuccess: (token) => {
      setCreated(token);
      setCopied(false);
      setName("");
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.revokeToken(id),
    onSettled: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate();
  };
  return (
    <section className="card settings-card" aria-labelledby="tokens-title" data-testid="tokens">
      <div className="settings-head">
        <IconKey className="settings-icon" />
        <div>
          <h2 className="card-title" id="tokens-title">
            {t("settings.tokens")}
          </h2>
          <p className="muted">{t("settings.tokensLead")}</p>
        </div>
      </div>
      <form className="inline-form" onSubmit={submit}>
        <label className="field grow">
          <span className="visually-hidden">{t("settings.tokenName")}</span>
          <input
            className="input"
            placeholder={t("settings.tokenName")}
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            data-testid="token-name"
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
          {t("settings.create")}
        </button>
      </form>
      {create.isError ? (
        <p className="alert alert-error" role="alert">
          {create.error.message}
        </p>
      ) : null}
      {created ? (
        <div className="secret" role="status" data-testid="token-secret">
          <p className="secret-note">{t("settings.created")}</p>
          <div className="secret-row">
            <code className="secret-value" data-testid="token-value">
              {created.token}
            </code>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                void navigator.clipboard?.writeText(created.token).then(() => setCopied(true));
              }}
            >
              <IconCopy size={16} />
              {copied ? t("settings.copied") : t("settings.copy")}
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setCreated(null)}>
              {t("settings.done")}
            </button>
          </div>
        </div>
      ) : null}
      {tokens.data && tokens.data.items.length === 0 ? (
        <p className="muted">{t("settings.noTokens")}</p>
      ) : (
        <ul className="rows">
          {tokens.data?.items.map((token) => (
            <li key={token.id} className="row" data-testid="token-row">
              <div className="row-main">
                <span className="row-title">{token.name}</span>
                <span className="meta">
                  <code>{token.prefix}…</code>
                  <span>{t("common.created", { when: i18n.relative(token.created_at) })}</span>
                  <span>
                    {token.last_used_at
                      ? t("settings.lastUsed", { when: i18n.relative(token.last_used_at) })
                      : t("settings.neverUsed")}
                  </span>
                </span>
              </div>
              <button
                type="button"
                className="btn btn-small btn-danger-outline"
                onClick={() => setRevoking(token)}
                data-testid="revoke"
              >
                {t("settings.revoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t("settings.revokeTitle")}
        confirmLabel={t("settings.revoke")}
        danger
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => setRevoking(null)}
      >
        {t("settings.revokeBody", { name: revoking?.name ?? "" })}
      </ConfirmDialog>
    </section>
  );
}

function UsersCard({ me }: { me: Me }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const users = useUsers(true);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<"user" | "admin">("user");
  const [createdEmail, setCreatedEmail] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.createUser(email.trim(), password, role),
    onSuccess: (user) => {
      setCreatedEmail(user.email);
      setEmail("");
      setPassword("");
      setRole("user");
      void qc.invalidateQueries({ queryKey: keys.users });
    },
  });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: { disabled?: boolean; role?: "user" | "admin" } }) =>
      api.updateUser(id, patch),
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.users }),
  });
  return (
    <section className="card settings-card" aria-labelledby="users-title" data-testid="users">
      <div className="settings-head">
        <IconUsers className="settings-icon" />
        <div>
          <h2 className="card-title" id="users-title">
            {t("settings.users")}
          </h2>
          <p className="muted">{t("settings.usersLead")}</p>
        </div>
      </div>
      <form
        className="inline-form wrap"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label className="field grow">
          <span className="visually-hidden">{t("auth.email")}</span>
          <input
            className="input"
            type="email"
            placeholder={t("auth.email")}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="off"
          />
        </label>
        <label className="field grow">
          <span className="visually-hidden">{t("auth.password")}</span>
          <input
            className="input"
            type="password"
            placeholder={t("auth.password")}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={8}
            autoComplete="new-password"
          />
        </label>
        <label className="field">
          <span className="visually-hidden">{t("settings.role")}</span>
          <select className="select" value={role} onChange={(e) => setRole(e.target.value as "user" | "admin")}>
            <option value="user">{t("settings.role.user")}</option>
            <option value="admin">{t("settings.role.admin")}</option>
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !email || password.length < 8}>
          {t("settings.newUser")}
        </button>
      </form>
      {create.isError || update.isError ? (
        <p className="alert alert-error" role="alert">
          {(create.error ?? update.error)?.message}
        </p>
      ) : createdEmail ? (
        <p className="alert alert-success" role="status">
          {t("settings.userCreated", { email: createdEmail })}
        </p>
      ) : null}
      <ul className="rows">
        {users.data?.items.map((user) => (
          <li key={user.id} className={user.disabled ? "row row-disabled" : "row"} data-testid="user-row">
            <div className="row-main">
              <span className="row-title">
                {user.email} {user.id === me.id ? <span className="tag">{t("settings.you")}</span> : null}
              </span>
              <span className="meta">
                <span>{t(`settings.role.${user.role}`)}</span>
                <span>{t("common.created", { when: i18n.relative(user.created_at) })}</span>
                {user.disabled ? <span className="tag tag-red">{t("settings.disabled")}</span> : null}
              </span>
            </div>
            {user.id !== me.id ? (
              <div className="row-actions">
                <select
                  className="select select-small"
                  aria-label={`${t("settings.role")}: ${user.email}`}
                  value={user.role}
                  onChange={(e) => update.mutate({ id: user.id, patch: { role: e.target.value as "user" | "admin" } })}
                >
                  <option value="user">{t("settings.role.user")}</option>
                  <option value="admin">{t("settings.role.admin")}</option>
                </select>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => update.mutate({ id: user.id, patch: { disabled: !user.disabled } })}
                >
                  {user.disabled ? t("settings.enable") : t("settings.disable")}
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
