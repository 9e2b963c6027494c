import { Link, Route, Switch } from "wouter";
import { useMe, useSetupState } from "./api/queries";
import { CollectionPage } from "./collections/collection-page";
import { CollectionsPage } from "./collections/collections-page";
import { AppShell } from "./components/layout";
import { LogoMark } from "./components/icons";
import { useI18n } from "./i18n/i18n";
import { LiveProvider } from "./live/live-context";
import { SetupPage, SignInPage } from "./pages/auth-pages";
import { BatchPage } from "./pages/batch-page";
import { DocumentPage } from "./pages/document-page";
import { DocumentsPage } from "./pages/documents-page";
import { SettingsPage } from "./pages/settings-page";
import { UploadPage } from "./pages/upload-page";
import { ReviewPage } from "./review/review-page";
import { ReviewQueuePage } from "./review/review-queue-page";

function Splash() {
  return (
    <div className="splash" aria-busy="true">
      <LogoMark size={44} />
    </div>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="page">
      <div className="empty card">
        <h1 className="empty-title">{t("common.notFound")}</h1>
        <Link href="/" className="btn">
          {t("common.home")}
        </Link>
      </div>
    </div>
  );
}

/**
 * Signed out: sign in, or the first-run setup while the server has no account. Signed in:
 * the pages, with one live event stream for the whole tab. The URL stays as it was while
 * signing in, so a deep link (or a reload after the session expired) lands where it pointed.
 */
export function App() {
  const me = useMe();
  const setup = useSetupState();
  if (me.isPending || (!me.data && setup.isPending)) return <Splash />;
  if (!me.data) return setup.data?.setup_required ? <SetupPage /> : <SignInPage />;
  const user = me.data;
  return (
    <LiveProvider key={user.id}>
      <AppShell me={user}>
        <Switch>
          <Route path="/">{() => <DocumentsPage />}</Route>
          <Route path="/upload">{() => <UploadPage />}</Route>
          <Route path="/documents/:id">{(params) => <DocumentPage key={params.id} id={params.id} />}</Route>
          <Route path="/review">{() => <ReviewQueuePage />}</Route>
          <Route path="/review/:id">{(params) => <ReviewPage key={params.id} id={params.id} />}</Route>
          <Route path="/collections">{() => <CollectionsPage />}</Route>
          <Route path="/collections/:id">{(params) => <CollectionPage key={params.id} id={params.id} />}</Route>
          <Route path="/batches/:id">{(params) => <BatchPage key={params.id} id={params.id} />}</Route>
          <Route path="/settings">{() => <SettingsPage me={user} />}</Route>
          <Route>{() => <NotFound />}</Route>
        </Switch>
      </AppShell>
    </LiveProvider>
  );
}
