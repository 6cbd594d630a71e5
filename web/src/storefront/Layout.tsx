import { type ReactNode, useEffect, useRef } from "react";
import { Link, NavLink, useLocation } from "react-router";
import { useSession } from "../app/auth/session";
import { useI18n } from "../app/i18n/i18n";
import { useCart } from "./cart/cart";
import { SearchBox } from "./components/SearchBox";

/** The storefront's frame: skip link, header (brand, search, navigation, language, cart), footer. */
export function Layout({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { user } = useSession();
  const { cart } = useCart();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const count = cart?.itemCount ?? 0;

  // After a navigation, focus goes to the new screen (not on the first load), as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
    window.scrollTo(0, 0);
  }, [location.pathname]);

  return (
    <>
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              C
            </span>
            {t("app.name")}
          </Link>
          <SearchBox />
          <nav aria-label={t("app.mainNav")} className="header-nav">
            <NavLink to="/search" className="nav-link">
              {t("nav.categories")}
            </NavLink>
            <NavLink to={user ? "/account" : "/account/signin"} className="nav-link">
              {user ? t("nav.account") : t("nav.signIn")}
            </NavLink>
            <NavLink to="/cart" className="nav-link nav-cart">
              {t("nav.cart")}
              <span className="badge" aria-hidden="true">
                {count}
              </span>
              <span className="visually-hidden"> {t("nav.cartCount", { count })}</span>
            </NavLink>
          </nav>
          <button
            type="button"
            className="button button-ghost lang-switch"
            lang={lang === "fr" ? "en" : "fr"}
            aria-label={t("app.language.switchLabel")}
            onClick={() => setLang(lang === "fr" ? "en" : "fr")}
          >
            {t("app.language.switch")}
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="site-main">
        {children}
      </main>
      <footer className="site-footer">
        <p>{t("app.footer")}</p>
      </footer>
    </>
  );
}
