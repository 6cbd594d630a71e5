import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { NavLink, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n/i18n";
import "./staff.css";

/** One entry of a staff part's navigation. */
export interface StaffLink {
  to: string;
  label: string;
  /** Active only on this exact path (a part's home), not under it. */
  end?: boolean;
}

interface Props {
  children: ReactNode;
  /** The part's name beside the brand ("Tableaux de bord", "Back-office"). */
  part: string;
  /** The navigation's accessible name; no navigation when `links` is absent (nobody may enter yet). */
  navLabel: string;
  links?: readonly StaffLink[];
  /** The query keys of the part, forgotten on sign out. */
  queryKey: string;
  /** Which part of the path names a screen: focus moves to the screen when it changes. */
  screenOf?: (pathname: string) => string;
  /** Keep the URL's query (a period…) when following a link of the navigation. */
  keepSearch?: boolean;
}

/**
 * The frame of the staff parts (dashboards, back office): skip link, header (name, navigation, who is
 * signed in, sign out, language) and the main region, focused after a navigation to another screen.
 */
export function StaffFrame({ children, part, navLabel, links, queryKey, screenOf, keepSearch }: Props) {
  const { t, lang, setLang } = useI18n();
  const { user, signOut } = useSession();
  const queryClient = useQueryClient();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a navigation to another screen, focus goes to it, as a page load would; not when a control
  // of the screen changes its URL (a filter), which keeps the focus where the keyboard is.
  const screen = screenOf ? screenOf(location.pathname) : location.pathname;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [screen]);

  return (
    <>
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <header className="staff-header">
        <div className="staff-header-inner">
          <p className="staff-brand">
            <span className="staff-mark" aria-hidden="true">
              C
            </span>
            {t("app.name")} <span className="staff-brand-part">{part}</span>
          </p>
          {links && (
            <nav aria-label={navLabel} className="staff-nav">
              {links.map((link) => (
                <NavLink
                  key={link.to}
                  to={{ pathname: link.to, search: keepSearch ? location.search : "" }}
                  end={link.end}
                  className="staff-nav-link"
                >
                  {link.label}
                </NavLink>
              ))}
            </nav>
          )}
          <div className="staff-user">
            {user && (
              <>
                <span>{t("dashboards.signedInAs", { name: user.name, role: t(`dashboards.role.${user.role}`) })}</span>
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => {
                    queryClient.removeQueries({ queryKey: [queryKey] });
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
      <main id="main" ref={main} tabIndex={-1} className="staff-main">
        {children}
      </main>
    </>
  );
}
