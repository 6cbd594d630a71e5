import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { NavLink, useLocation } from "react-router";
import { useSession } from "../app/auth/session";
import { useI18n } from "../app/i18n/i18n";

/** The dashboards' frame: skip link, header (name, navigation, who is signed in, sign out, language). */
export function Layout({ children, nav }: { children: ReactNode; nav: boolean }) {
  const { t, lang, setLang } = useI18n();
  const { user, signOut } = useSession();
  const queryClient = useQueryClient();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const isAdmin = user?.role === "admin";

  // After a navigation to another screen, focus goes to it, as a page load would; not when a control
  // of the screen changes its URL (the store picked), which keeps the focus where the keyboard is.
  const screen = location.pathname.split("/")[2] ?? "";
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [screen]);

  const link = (to: string, label: string) => (
    <NavLink to={{ pathname: to, search: location.search }} end={to === "/dashboards"} className="dash-nav-link">
      {label}
    </NavLink>
  );

  return (
    <>
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <header className="dash-header">
        <div className="dash-header-inner">
          <p className="dash-brand">
            <span className="dash-mark" aria-hidden="true">
              C
            </span>
            {t("app.name")} <span className="dash-brand-part">{t("dashboards.title")}</span>
          </p>
          {nav && (
            <nav aria-label={t("dashboards.nav.label")} className="dash-nav">
              {link("/dashboards", t("dashboards.nav.overview"))}
              {link("/dashboards/store", t("dashboards.nav.store"))}
              {link("/dashboards/stock", t("dashboards.nav.stock"))}
              {isAdmin && link("/dashboards/conversion", t("dashboards.nav.conversion"))}
            </nav>
          )}
          <div className="dash-user">
            {user && (
              <>
                <span>{t("dashboards.signedInAs", { name: user.name, role: t(`dashboards.role.${user.role}`) })}</span>
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => {
                    queryClient.removeQueries({ queryKey: ["dashboards"] });
                    void signOut();
                  }}
                >
                  {t("account.signOut")}
                </button>
              </>
            )}
            <button
              type="button"
              className="button button-ghost"
              lang={lang === "fr" ? "en" : "fr"}
              aria-label={t("app.language.switchLabel")}
              onClick={() => setLang(lang === "fr" ? "en" : "fr")}
            >
              {t("app.language.switch")}
            </button>
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="dash-main">
        {children}
      </main>
    </>
  );
}
