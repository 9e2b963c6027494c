import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiContext } from "./api/api-context";
import { ApiClient, ApiError } from "./api/client";
import { forgetSession, keys } from "./api/keys";
import { App } from "./app";
import { I18nProvider } from "./i18n/i18n";
import "./styles.css";
// The screen's rules first: review.css ends with the narrow-window overrides of both.
import "./review/review-screen.css";
import "./review/review.css";

const api = new ApiClient();
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Freshness comes from the event stream, not from refetching on focus.
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});
// A session that expires mid-use sends the person back to sign in (the URL is kept).
api.onUnauthorized(() => {
  if (queryClient.getQueryData(keys.me)) forgetSession(queryClient);
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <App />
        </I18nProvider>
      </QueryClientProvider>
    </ApiContext.Provider>
  </StrictMode>,
);
