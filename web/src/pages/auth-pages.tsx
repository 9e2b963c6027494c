import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/api-context";
import { ApiError } from "../api/client";
import { keys } from "../api/keys";
import { AuthLayout } from "../components/layout";
import { useI18n } from "../i18n/i18n";

function useSignIn() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ email, password }: { email: string; password: string }) => {
      await api.login(email, password);
      return api.me();
    },
    onSuccess: (me) => qc.setQueryData(keys.me, me),
  });
}

export function SignInPage() {
  const { t } = useI18n();
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ email, password });
  };
  const error =
    signIn.error instanceof ApiError && (signIn.error.status === 401 || signIn.error.status === 400)
      ? t("auth.invalid")
      : signIn.error
        ? signIn.error.message
        : null;
  return (
    <AuthLayout>
      <h1 className="auth-title">{t("auth.signInTitle")}</h1>
      <form className="form" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field-label">{t("auth.email")}</span>
          <input
            className="input"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span className="field-label">{t("auth.password")}</span>
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error ? (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        ) : null}
        <button className="btn btn-primary btn-block" type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? t("auth.signingIn") : t("auth.signIn")}
        </button>
      </form>
    </AuthLayout>
  );
}

export function SetupPage() {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const setup = useMutation({
    mutationFn: () => api.setup(email, password),
    onSuccess: () => {
      qc.setQueryData(keys.setup, { setup_required: false });
      signIn.mutate({ email, password });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setup.mutate();
  };
  const failure =
    setup.error instanceof ApiError
      ? setup.error.code === "setup_done"
        ? t("auth.setupDone")
        : setup.error.message
      : null;
  return (
    <AuthLayout>
      <h1 className="auth-title">{t("auth.setupTitle")}</h1>
      <p className="auth-lead">{t("auth.setupLead")}</p>
      <form className="form" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field-label">{t("auth.email")}</span>
          <input
            className="input"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span className="field-label">{t("auth.password")}</span>
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby="pw-hint"
          />
          <span className="field-hint" id="pw-hint">
            {t("auth.passwordHint")}
          </span>
        </label>
        <label className="field">
          <span className="field-label">{t("auth.confirmPassword")}</span>
          <input
            className="input"
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </label>
        {mismatch || failure ? (
          <p className="alert alert-error" role="alert">
            {mismatch ? t("auth.mismatch") : failure}
          </p>
        ) : null}
        <button className="btn btn-primary btn-block" type="submit" disabled={setup.isPending || signIn.isPending}>
          {t("auth.setupSubmit")}
        </button>
      </form>
    </AuthLayout>
  );
}
