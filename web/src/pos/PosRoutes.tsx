import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { NavLink, Route, Routes, useLocation, useNavigate } from "react-router";
import { useSession } from "../app/auth/session";
import { ErrorMessage } from "../app/errors";
import { addMessages, useI18n } from "../app/i18n/i18n";
import { Loading } from "../app/ui";
import { StaffSignIn } from "../app/staff/StaffSignIn";
import { Key } from "./components";
import { ClosePage } from "./pages/ClosePage";
import { OpenRegister, RegisterPicker } from "./pages/OpenRegister";
import { PendingPage } from "./pages/PendingPage";
import { ReportPage } from "./pages/ReportPage";
import { ReturnsPage } from "./pages/ReturnsPage";
import { SalePage } from "./pages/SalePage";
import { PosProvider, usePos } from "./PosContext";
import { usePwa } from "./pwa/register";
import { type Till, useTillState } from "./till";
import "../app/staff/staff.css";
import "./pos.css";
import { posEn } from "./messages.en";
import { posFr } from "./messages.fr";

// The till's strings, loaded with this chunk.
addMessages({ fr: posFr, en: posEn });

const STAFF = new Set(["clerk", "manager", "admin"]);

/** The point of sale (`/pos/*`): a store's till, keyboard first, selling cash offline. */
export default function PosRoutes() {
  usePwa();
  const { user } = useSession();
  return <PosProvider>{user && STAFF.has(user.role) ? <Staff userId={user.id} /> : <SignIn />}</PosProvider>;
}

/** Nobody signed in, or a customer: the staff parts' sign-in form, for a store's clerk or manager. */
function SignIn() {
  const { t } = useI18n();
  return (
    <Frame till={null}>
      <StaffSignIn
        title={t("pos.signIn.title")}
        lead={t("pos.signIn.lead")}
        refused={(name) => t("pos.signIn.notStaff", { name })}
      />
    </Frame>
  );
}

/** The user's store (identity's profile, then retail's store), kept with the till for offline reloads. */
function Staff({ userId }: { userId: string }) {
  const { t } = useI18n();
  const { call } = useSession();
  const [till, setTill] = useTillState(userId);
  const known = till !== null;
  const me = useQuery({
    queryKey: ["pos", userId, "me"],
    queryFn: async () => {
      const profile = await call((client) => client.identity.GET("/api/identity/me"));
      if (!profile.storeId) return { storeId: null, storeName: "" };
      const store = await call((client) =>
        client.retail.GET("/api/retail/stores/{id}", { params: { path: { id: profile.storeId! } } }),
      );
      return { storeId: store.id, storeName: store.name };
    },
    enabled: !known,
  });

  useEffect(() => {
    if (!known && me.data?.storeId) {
      setTill({
        userId,
        storeId: me.data.storeId,
        storeName: me.data.storeName,
        registerId: null,
        registerName: null,
        sessionId: null,
      });
    }
  }, [known, me.data, setTill, userId]);

  let body: ReactNode;
  if (till) body = <Screens till={till} setTill={setTill} />;
  else if (me.data && !me.data.storeId) {
    body = (
      <p className="alert alert-error" role="alert">
        {t("pos.noStore")}
      </p>
    );
  } else if (me.error) {
    body = <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  } else body = <Loading />;
  return <Frame till={till}>{body}</Frame>;
}

function Screens({ till, setTill }: { till: Till; setTill(next: Till | null): void }) {
  const { call } = useSession();
  const pos = usePos();
  const register = useQuery({
    queryKey: ["pos", till.userId, "register", till.registerId],
    queryFn: () =>
      call((client) => client.retail.GET("/api/retail/registers/{id}", { params: { path: { id: till.registerId! } } })),
    enabled: till.registerId !== null && pos.online,
  });
  const sessionId = register.data ? (register.data.currentSession?.id ?? null) : till.sessionId;
  useEffect(() => {
    if (register.data && (register.data.currentSession?.id ?? null) !== till.sessionId) {
      setTill({ ...till, sessionId: register.data.currentSession?.id ?? null });
    }
  }, [register.data, till, setTill]);

  if (!till.registerId)
    return <RegisterPicker till={till} onPick={(r) => setTill({ ...till, ...r, sessionId: null })} />;
  if (register.isLoading && !till.sessionId) return <Loading />;
  if (!sessionId) {
    return (
      <OpenRegister
        till={till}
        onOpened={(id) => {
          setTill({ ...till, sessionId: id });
          void register.refetch();
        }}
        onOther={() => setTill({ ...till, registerId: null, registerName: null, sessionId: null })}
      />
    );
  }
  const open = { ...till, sessionId };
  return (
    <Routes>
      <Route index element={<SalePage till={open} />} />
      <Route path="returns" element={<ReturnsPage till={open} />} />
      <Route path="report" element={<ReportPage till={open} />} />
      <Route
        path="close"
        element={
          <ClosePage
            till={open}
            onClosed={() => {
              setTill({ ...till, sessionId: null });
              void register.refetch();
            }}
          />
        }
      />
      <Route path="pending" element={<PendingPage till={open} />} />
      <Route path="*" element={<SalePage till={open} />} />
    </Routes>
  );
}

/** Alt + a letter moves between the till's screens (letters Chrome and Firefox leave free). */
const SCREENS: {
  key: string;
  path: string;
  label: "pos.nav.sale" | "pos.nav.returns" | "pos.nav.report" | "pos.nav.close" | "pos.nav.pending";
}[] = [
  { key: "S", path: "/pos/", label: "pos.nav.sale" },
  { key: "R", path: "/pos/returns", label: "pos.nav.returns" },
  { key: "X", path: "/pos/report", label: "pos.nav.report" },
  { key: "C", path: "/pos/close", label: "pos.nav.close" },
  { key: "P", path: "/pos/pending", label: "pos.nav.pending" },
];

/** The till's frame: skip link, header (store, register, connection, sales waiting, who, language), screens. */
function Frame({ till, children }: { till: Till | null; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { user, signOut } = useSession();
  const pos = usePos();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const open = typeof till?.sessionId === "string" && till.sessionId !== "";

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (location.pathname !== "/pos" && location.pathname !== "/pos/") main.current?.focus();
  }, [location.pathname]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const screen = SCREENS.find((s) => event.code === `Key${s.key}`);
      if (!screen) return;
      event.preventDefault();
      void navigate(screen.path);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, navigate]);

  const waiting = pos.queue.filter((s) => s.state === "waiting").length;
  const attention = pos.queue.length - waiting;

  return (
    <>
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <header className="pos-header">
        <p className="pos-brand">
          <span className="pos-mark" aria-hidden="true">
            C
          </span>
          {t("pos.title")}
          {till && (
            <span className="pos-where">
              {till.storeName}
              {till.registerName ? ` · ${till.registerName}` : ""}
            </span>
          )}
        </p>
        <div className="pos-status" role="status" aria-live="polite">
          <span className={`pos-badge ${pos.online ? "pos-badge-ok" : "pos-badge-off"}`} data-testid="pos-online">
            {pos.online ? t("pos.status.online") : t("pos.status.offline")}
          </span>
          <span className="pos-badge" data-testid="pos-waiting">
            {t("pos.status.waiting", { count: waiting })}
          </span>
          {attention > 0 && (
            <span className="pos-badge pos-badge-off" data-testid="pos-attention">
              {t("pos.status.attention", { count: attention })}
            </span>
          )}
        </div>
        <div className="pos-user">
          {user && (
            <>
              <span>{user.name}</span>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => {
                  queryClient.removeQueries({ queryKey: ["pos"] });
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
        {open && (
          <nav aria-label={t("pos.nav.label")} className="pos-nav">
            {SCREENS.map((s) => (
              <NavLink key={s.key} to={s.path} end className="pos-nav-link" aria-keyshortcuts={`Alt+${s.key}`}>
                {t(s.label)} <Key>Alt+{s.key}</Key>
                {s.key === "P" && pos.queue.length > 0 ? ` (${pos.queue.length})` : ""}
              </NavLink>
            ))}
          </nav>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1} className="pos-main">
        {children}
      </main>
    </>
  );
}
