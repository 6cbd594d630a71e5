import { useState } from "react";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { useSession } from "../../../app/auth/session";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useManagers, useOpsAction, useOpsQuery, useProfile, userName, useStoreList, useUserNames } from "../data";
import { type SessionsQuery, type Store, type StoreInput, WEEKDAYS } from "../types";
import { Badge, Done, Field, Loaded, OpsPage, Pager, Panel, ShortId, shortOf, Scroll } from "../ui";
import { StoreForm } from "./StoreForm";

/** Stores and registers (`/backoffice/stores`): the stores, a store (details, edit, registers, cash sessions), a new store. */
export default function StoresSection() {
  return (
    <Routes>
      <Route index element={<StoreList />} />
      <Route path="new" element={<NewStore />} />
      <Route path=":id" element={<StoreDetail />} />
    </Routes>
  );
}

function StoreList() {
  const { t } = useI18n();
  const { user } = useSession();
  const isAdmin = user?.role === "admin";
  const stores = useStoreList();
  const managers = useManagers(isAdmin);
  return (
    <OpsPage
      title={t("ops.stores.title")}
      actions={
        isAdmin && (
          <Link to="new" className="button">
            {t("ops.stores.new")}
          </Link>
        )
      }
    >
      <Loaded query={stores}>
        {({ data }) =>
          data.length === 0 ? (
            <p className="empty">{t("ops.stores.none")}</p>
          ) : (
            <Scroll label={t("ops.stores.title")}>
              <table className="ops-table">
                <thead>
                  <tr>
                    <th scope="col">{t("ops.store.code")}</th>
                    <th scope="col">{t("ops.store.name")}</th>
                    <th scope="col">{t("ops.store.city")}</th>
                    <th scope="col">{t("ops.store.timezone")}</th>
                    <th scope="col">{t("ops.store.manager")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((store) => (
                    <tr key={store.id}>
                      <td>{store.code}</td>
                      <td>
                        <Link to={store.id}>{store.name}</Link>
                      </td>
                      <td>{store.address.city}</td>
                      <td>{store.timezone}</td>
                      <td>{managerLabel(store.managerId, userName(managers.data?.data, store.managerId), t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )
        }
      </Loaded>
    </OpsPage>
  );
}

function managerLabel(id: string | null, name: string | undefined, t: ReturnType<typeof useI18n>["t"]): string {
  if (!id) return t("ops.store.noManager");
  return name ?? shortOf(id);
}

function NewStore() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const create = useOpsAction(
    (client, body: StoreInput) => client.retail.POST("/api/retail/stores", { body }),
    (store) => void navigate(`../${store.id}`),
  );
  return (
    <OpsPage title={t("ops.stores.new")} back={{ to: "..", label: t("ops.stores.back") }}>
      <Panel title={t("ops.store.details")}>
        <StoreForm busy={create.isPending} error={create.error} onSubmit={(input) => create.mutate(input)} />
      </Panel>
    </OpsPage>
  );
}

function StoreDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const store = useOpsQuery(["store", id], (client) =>
    client.retail.GET("/api/retail/stores/{id}", { params: { path: { id } } }),
  );
  return (
    <OpsPage title={store.data?.name ?? t("ops.store.title")} back={{ to: "..", label: t("ops.stores.back") }}>
      <Loaded query={store}>
        {(data) => (
          <>
            <StoreDetails store={data} />
            <Registers store={data} />
            <Sessions store={data} />
          </>
        )}
      </Loaded>
    </OpsPage>
  );
}

function StoreDetails({ store }: { store: Store }) {
  const { t } = useI18n();
  const { user } = useSession();
  const isAdmin = user?.role === "admin";
  const managers = useManagers(isAdmin);
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const update = useOpsAction(
    (client, input: StoreInput) => {
      const { code: _code, ...body } = input;
      return client.retail.PATCH("/api/retail/stores/{id}", { params: { path: { id: store.id } }, body });
    },
    () => {
      setEditing(false);
      setDone(t("ops.store.saved"));
    },
  );
  const address = store.address;
  return (
    <Panel
      title={t("ops.store.details")}
      actions={
        isAdmin &&
        !editing && (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setDone(null);
              setEditing(true);
            }}
          >
            {t("ops.edit")}
          </button>
        )
      }
    >
      <Done text={done} />
      {editing ? (
        <StoreForm
          store={store}
          busy={update.isPending}
          error={update.error}
          onSubmit={(input) => update.mutate(input)}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <dl className="ops-facts">
          <dt>{t("ops.store.code")}</dt>
          <dd>{store.code}</dd>
          <dt>{t("ops.store.address")}</dt>
          <dd>
            {[address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country]
              .filter(Boolean)
              .join(", ")}
          </dd>
          <dt>{t("ops.store.phone")}</dt>
          <dd>{store.phone}</dd>
          <dt>{t("ops.store.email")}</dt>
          <dd>{store.email}</dd>
          <dt>{t("ops.store.timezone")}</dt>
          <dd>{store.timezone}</dd>
          <dt>{t("ops.store.manager")}</dt>
          <dd>{managerLabel(store.managerId, userName(managers.data?.data, store.managerId), t)}</dd>
          <dt>{t("ops.store.hours")}</dt>
          <dd>
            <ul className="ops-plain">
              {WEEKDAYS.map((day) => (
                <li key={day}>
                  {t("ops.store.dayHours", {
                    day: t(`ops.day.${day}`),
                    hours:
                      store.openingHours[day].length === 0
                        ? t("ops.store.closed")
                        : store.openingHours[day].map((slot) => `${slot.open}–${slot.close}`).join(", "),
                  })}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      )}
    </Panel>
  );
}

function Registers({ store }: { store: Store }) {
  const { t, date } = useI18n();
  const { user } = useSession();
  const me = useProfile();
  // stores:manage (admins), or the store's own manager, may add a register.
  const mayAdd = user?.role === "admin" || (user?.role === "manager" && me.data?.storeId === store.id);
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const registers = useOpsQuery(["registers", store.id], (client) =>
    client.retail.GET("/api/retail/stores/{id}/registers", {
      params: { path: { id: store.id }, query: { limit: 100 } },
    }),
  );
  const add = useOpsAction(
    (client, body: { code: string; name: string }) =>
      client.retail.POST("/api/retail/stores/{id}/registers", { params: { path: { id: store.id } }, body }),
    (register) => {
      setCode("");
      setName("");
      setDone(t("ops.registers.added", { name: register.name }));
    },
  );
  return (
    <Panel title={t("ops.registers.title")}>
      <Loaded query={registers}>
        {({ data }) =>
          data.length === 0 ? (
            <p className="empty">{t("ops.registers.none")}</p>
          ) : (
            <Scroll label={t("ops.registers.title")}>
              <table className="ops-table">
                <thead>
                  <tr>
                    <th scope="col">{t("ops.store.code")}</th>
                    <th scope="col">{t("ops.store.name")}</th>
                    <th scope="col">{t("ops.registers.created")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((register) => (
                    <tr key={register.id}>
                      <td>{register.code}</td>
                      <td>{register.name}</td>
                      <td>{date(register.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )
        }
      </Loaded>
      {mayAdd && (
        <form
          className="ops-inline-form"
          aria-label={t("ops.registers.add")}
          onSubmit={(event) => {
            event.preventDefault();
            setDone(null);
            add.mutate({ code: code.trim(), name: name.trim() });
          }}
        >
          <Field label={t("ops.registers.code")}>
            {(id) => (
              <input
                id={id}
                required
                maxLength={40}
                pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,39}"
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <Field label={t("ops.registers.name")}>
            {(id) => <input id={id} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <button type="submit" className="button" disabled={add.isPending}>
            {t("ops.registers.add")}
          </button>
        </form>
      )}
      {add.error ? <ErrorMessage error={add.error} /> : null}
      <Done text={done} />
    </Panel>
  );
}

type SessionFilter = "open" | "flagged" | "all";

function Sessions({ store }: { store: Store }) {
  const { t, date, money } = useI18n();
  const [filter, setFilter] = useState<SessionFilter>("open");
  const [page, setPage] = useState(1);
  const registers = useOpsQuery(["registers", store.id], (client) =>
    client.retail.GET("/api/retail/stores/{id}/registers", {
      params: { path: { id: store.id }, query: { limit: 100 } },
    }),
  );
  const query: SessionsQuery = {
    storeId: store.id,
    page,
    limit: 20,
    ...(filter === "open" ? { status: "open" } : {}),
    ...(filter === "flagged" ? { flagged: true } : {}),
  };
  const sessions = useOpsQuery(["sessions", query], (client) =>
    client.retail.GET("/api/retail/sessions", { params: { query } }),
  );
  const cashiers = useUserNames(sessions.data?.data.map((session) => session.openedBy) ?? []);
  const registerName = (id: string) => registers.data?.data.find((r) => r.id === id)?.name ?? shortOf(id);
  return (
    <Panel title={t("ops.sessions.title")}>
      <div className="ops-filters">
        <Field label={t("ops.sessions.show")}>
          {(id) => (
            <select
              id={id}
              value={filter}
              onChange={(e) => {
                setFilter(e.target.value as SessionFilter);
                setPage(1);
              }}
            >
              <option value="open">{t("ops.sessions.open")}</option>
              <option value="flagged">{t("ops.sessions.flagged")}</option>
              <option value="all">{t("ops.sessions.all")}</option>
            </select>
          )}
        </Field>
      </div>
      <p className="hint">{t("ops.sessions.flaggedHint")}</p>
      <Loaded query={sessions}>
        {({ data, pagination }) => (
          <>
            {data.length === 0 ? (
              <p className="empty" role="status">
                {t("ops.sessions.none")}
              </p>
            ) : (
              <Scroll label={t("ops.sessions.title")}>
                <table className="ops-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("ops.sessions.register")}</th>
                      <th scope="col">{t("ops.sessions.opened")}</th>
                      <th scope="col">{t("ops.sessions.cashier")}</th>
                      <th scope="col">{t("ops.sessions.status")}</th>
                      <th scope="col" className="num">
                        {t("ops.sessions.float")}
                      </th>
                      <th scope="col" className="num">
                        {t("ops.sessions.variance")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((session) => (
                      <tr key={session.id}>
                        <td>{registerName(session.registerId)}</td>
                        <td>{date(session.openedAt)}</td>
                        <td>{cashiers.get(session.openedBy) ?? <ShortId id={session.openedBy} />}</td>
                        <td>
                          {session.status === "open" ? (
                            <Badge tone={session.flagged ? "bad" : "info"}>
                              {t(session.flagged ? "ops.sessions.badge.flagged" : "ops.sessions.badge.open")}
                            </Badge>
                          ) : (
                            <Badge tone="ok">
                              {t("ops.sessions.badge.closed", { at: session.closedAt ? date(session.closedAt) : "" })}
                            </Badge>
                          )}
                        </td>
                        <td className="num">{money(session.openingFloat)}</td>
                        <td className="num">{session.variance === null ? "—" : money(session.variance)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            )}
            <Pager pagination={pagination} onPage={setPage} />
          </>
        )}
      </Loaded>
    </Panel>
  );
}
