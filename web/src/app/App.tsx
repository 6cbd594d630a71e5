import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { ProblemError } from "./api/client";
import { SessionProvider } from "./auth/session";
import { I18nProvider } from "./i18n/i18n";
import { Loading } from "./ui";

/**
 * The application's parts, each loaded when first visited (its own JavaScript chunk). The back
 * office (`/backoffice/*`), the point of sale (`/pos/*`) and the dashboards (`/dashboards/*`) take
 * their place here, each in its folder next to `storefront/`.
 */
const Storefront = lazy(() => import("../storefront/StorefrontRoutes"));
const Dashboards = lazy(() => import("../dashboards/DashboardsRoutes"));
const Backoffice = lazy(() => import("../backoffice/BackofficeRoutes"));
const Pos = lazy(() => import("../pos/PosRoutes"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx answer is an answer: retrying it changes nothing.
      retry: (failures, error) => !(error instanceof ProblemError && error.status < 500) && failures < 2,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <SessionProvider>
          <BrowserRouter>
            <Suspense fallback={<Loading />}>
              <Routes>
                <Route path="/dashboards/*" element={<Dashboards />} />
                <Route path="/backoffice/*" element={<Backoffice />} />
                <Route path="/pos/*" element={<Pos />} />
                <Route path="/*" element={<Storefront />} />
              </Routes>
            </Suspense>
          </BrowserRouter>
        </SessionProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}
