import { Suspense } from "react";
import { Link, Route, Routes } from "react-router";
import { type SessionUser, useSession } from "../app/auth/session";
import { addMessages, useI18n } from "../app/i18n/i18n";
import { StaffFrame } from "../app/staff/StaffFrame";
import { StaffSignIn } from "../app/staff/StaffSignIn";
import { Loading, useDocumentTitle } from "../app/ui";
import { opsSections } from "./ops/sections";
import type { BackofficeSection } from "./section";
import { ownSections } from "./sections";
import { NotFound } from "./ui";
import "./backoffice.css";
import { backofficeEn } from "./messages.en";
import { backofficeFr } from "./messages.fr";
import { opsEn } from "./ops/messages.en";
import { opsFr } from "./ops/messages.fr";

// The back office's strings (its sections' and the operations'), loaded with this chunk.
addMessages({ fr: { ...backofficeFr, ...opsFr }, en: { ...backofficeEn, ...opsEn } });

/** Every section of the back office, in the navigation's order. */
const SECTIONS: readonly BackofficeSection[] = [...ownSections, ...opsSections];

const STAFF: readonly SessionUser["role"][] = ["admin", "manager", "clerk"];

/**
 * The back office (`/backoffice/*`): staff sign in, then see the sections their role may use, each a
 * lazy chunk of its own mounted at `/backoffice/<path>/*`.
 */
export default function BackofficeRoutes() {
  const { t } = useI18n();
  const { user } = useSession();
  const role = user && STAFF.includes(user.role) ? user.role : null;
  const sections = role ? SECTIONS.filter((section) => section.roles.includes(role)) : [];
  const links = [
    { to: "/backoffice", label: t("backoffice.nav.home"), end: true },
    ...sections.map((section) => ({ to: `/backoffice/${section.path}`, label: t(section.labelKey) })),
  ];
  return (
    <StaffFrame
      part={t("backoffice.title")}
      navLabel={t("backoffice.nav.label")}
      links={role ? links : undefined}
      queryKey="backoffice"
    >
      {role ? (
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<HomePage sections={sections} />} />
            {sections.map((section) => (
              <Route key={section.path} path={`${section.path}/*`} element={section.element} />
            ))}
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      ) : (
        <StaffSignIn
          title={t("backoffice.signIn.title")}
          lead={t("backoffice.signIn.lead")}
          refused={(name) => t("backoffice.signIn.notStaff", { name })}
        />
      )}
    </StaffFrame>
  );
}

/** `/backoffice`: the sections this role may use. */
function HomePage({ sections }: { sections: readonly BackofficeSection[] }) {
  const { t } = useI18n();
  useDocumentTitle(t("backoffice.title"));
  return (
    <section>
      <h1>{t("backoffice.home.title")}</h1>
      <p className="lead">{t("backoffice.home.lead")}</p>
      <ul className="bo-sections">
        {sections.map((section) => (
          <li key={section.path}>
            <Link to={`/backoffice/${section.path}`} className="bo-section-link">
              {t(section.labelKey)}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
