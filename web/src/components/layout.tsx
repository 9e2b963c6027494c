import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { useApi } from "../api/api-context";
import { forgetSession } from "../api/keys";
import type { Me } from "../api/types";
import { useReviewCount } from "../api/queries";
import { LANGUAGES, useI18n, type Lang } from "../i18n/i18n";
import { useLiveMode } from "../live/live-context";
import { IconDocuments, IconLayers, IconLogout, IconReview, IconSettings, IconUpload, LogoMark } from "./icons";

export function LiveIndicator() {
  const mode = useLiveMode();
  const { t } = useI18n();
  const help = t(`live.${mode}.help`);
  return (
    <div
      className={`live live-${mode}`}
      role="status"
      aria-live="polite"
      title={help}
      data-testid="live-indicator"
      data-mode={mode}
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{t(`live.${mode}`)}</span>
      <span className="visually-hidden">{help}</span>
    </div>
  );
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t("nav.language")}>
      {LANGUAGES.map((l) => (
        <button
          key={l.code}
          type="button"
          className={l.code === lang ? "lang-btn active" : "lang-btn"}
          aria-pressed={l.code === lang}
          lang={l.code}
          title={l.label}
          onClick={() => setLang(l.code as Lang)}
        >
          {l.short}
        </button>
      ))}
    </div>
  );
}

function NavLink({
  href,
  icon,
  children,
  badge,
  label,
}: {
  href: string;
  icon: ReactNode;
  children: ReactNode;
  badge?: ReactNode;
  label?: string;
}) {
  const [location] = useLocation();
  const active =
    href === "/"
      ? location === "/" || location.startsWith("/documents") || location.startsWith("/batches")
      : location.startsWith(href);
  return (
    <Link
      href={href}
      className={active ? "nav-link active" : "nav-link"}
      aria-current={active ? "page" : undefined}
      aria-label={label}
    >
      {icon}
      <span>{children}</span>
      {badge}
    </Link>
  );
}

/** "Review 3": how many documents wait for a person, kept current by the event stream. */
function ReviewNavLink() {
  const i18n = useI18n();
  const count = useReviewCount();
  const badge =
    count !== undefined && count > 0 ? (
      <span className="nav-badge" data-testid="review-count" data-count={count}>
        {i18n.number(count)}
      </span>
    ) : null;
  return (
    <NavLink
      href="/review"
      icon={<IconReview />}
      badge={badge}
      label={count ? `${i18n.t("nav.review")}: ${i18n.tc("nav.reviewCount", count)}` : undefined}
    >
      {i18n.t("nav.review")}
    </NavLink>
  );
}

export function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const { t } = useI18n();
  const api = useApi();
  const qc = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => api.logout(),
    onSettled: () => forgetSession(qc),
  });
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        {t("nav.skip")}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand" aria-label="Docket">
            <LogoMark />
            <span className="brand-name">Docket</span>
          </Link>
          <nav className="nav" aria-label={t("nav.main")}>
            <NavLink href="/" icon={<IconDocuments />}>
              {t("nav.documents")}
            </NavLink>
            <NavLink href="/upload" icon={<IconUpload />}>
              {t("nav.upload")}
            </NavLink>
            <ReviewNavLink />
            <NavLink href="/collections" icon={<IconLayers />}>
              {t("nav.collections")}
            </NavLink>
            <NavLink href="/settings" icon={<IconSettings />}>
              {t("nav.settings")}
            </NavLink>
          </nav>
          <div className="topbar-tools">
            <LiveIndicator />
            <LanguageSwitch />
            <div className="user">
              <span className="user-email" title={me.email}>
                {me.email}
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                onClick={() => signOut.mutate()}
                title={t("nav.signOut")}
                aria-label={t("nav.signOut")}
                data-testid="sign-out"
              >
                <IconLogout />
              </button>
            </div>
          </div>
        </div>
      </header>
      <main id="content" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The centred card of the signed-out pages (sign in, first-run setup). */
export function AuthLayout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="auth">
      <div className="auth-top">
        <LanguageSwitch />
      </div>
      <main className="auth-main" id="content">
        <div className="auth-brand">
          <LogoMark size={40} />
          <span className="brand-name">Docket</span>
        </div>
        <div className="card auth-card">{children}</div>
        <p className="auth-footer">{t("auth.footer")}</p>
      </main>
    </div>
  );
}
