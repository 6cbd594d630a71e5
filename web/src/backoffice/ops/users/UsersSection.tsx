import { type FormEvent, useState } from "react";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { useSession } from "../../../app/auth/session";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useOpsAction, useOpsQuery, useStoreList } from "../data";
import { ROLES, type Role, type User, type UsersQuery } from "../types";
import { Badge, Done, Field, Loaded, OpsPage, Pager, Panel, shortOf, useUrlFilters, Scroll } from "../ui";

/** Users and roles (`/backoffice/users`): the accounts, a new staff account, an account's role, store and access. */
export default function UsersSection() {
  return (
    <Routes>
      <Route index element={<UserList />} />
      <Route path="new" element={<NewUser />} />
      <Route path=":id" element={<UserDetail />} />
    </Routes>
  );
}

/** Staff work in a store (managers and clerks); admins and customers belong to none. */
const inStore = (role: Role) => role === "manager" || role === "clerk";

function useStoreName() {
  const stores = useStoreList();
  return (id: string | null) => (id ? (stores.data?.data.find((s) => s.id === id)?.name ?? shortOf(id)) : "—");
}

const FILTERS = ["q", "role", "active"] as const;

function UserList() {
  const { t, date } = useI18n();
  const { values, page, set } = useUrlFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  const storeName = useStoreName();
  const query: UsersQuery = {
    page,
    limit: 25,
    ...(values.q.trim() ? { q: values.q.trim() } : {}),
    ...(values.role ? { role: values.role as Role } : {}),
    ...(values.active ? { active: values.active === "true" } : {}),
  };
  const users = useOpsQuery(["users", query], (client) =>
    client.identity.GET("/api/identity/users", { params: { query } }),
  );
  return (
    <OpsPage
      title={t("ops.users.title")}
      actions={
        <Link to="new" className="button">
          {t("ops.users.new")}
        </Link>
      }
    >
      <form
        className="ops-filters"
        role="search"
        aria-label={t("ops.users.filters")}
        onSubmit={(event) => {
          event.preventDefault();
          set(draft);
        }}
      >
        <Field label={t("ops.users.search")}>
          {(id) => (
            <input id={id} type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
          )}
        </Field>
        <Field label={t("ops.user.role")}>
          {(id) => (
            <select id={id} value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`ops.role.${role}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("ops.user.access")}>
          {(id) => (
            <select id={id} value={draft.active} onChange={(e) => setDraft({ ...draft, active: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              <option value="true">{t("ops.user.active")}</option>
              <option value="false">{t("ops.user.disabled")}</option>
            </select>
          )}
        </Field>
        <button type="submit" className="button">
          {t("ops.filter")}
        </button>
      </form>
      <Loaded query={users}>
        {({ data, pagination }) => (
          <>
            <p className="hint" role="status">
              {t("ops.users.count", { count: pagination.total })}
            </p>
            {data.length > 0 && (
              <Scroll label={t("ops.users.title")}>
                <table className="ops-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("ops.user.name")}</th>
                      <th scope="col">{t("ops.user.email")}</th>
                      <th scope="col">{t("ops.user.role")}</th>
                      <th scope="col">{t("ops.user.store")}</th>
                      <th scope="col">{t("ops.user.access")}</th>
                      <th scope="col">{t("ops.user.created")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((user) => (
                      <tr key={user.id}>
                        <td>
                          <Link to={user.id}>{user.name}</Link>
                        </td>
                        <td>{user.email}</td>
                        <td>{t(`ops.role.${user.role}`)}</td>
                        <td>{storeName(user.storeId)}</td>
                        <td>
                          <ActiveBadge active={user.active} />
                        </td>
                        <td>{date(user.createdAt, true)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            )}
            <Pager pagination={pagination} onPage={(next) => set({ page: String(next) })} />
          </>
        )}
      </Loaded>
    </OpsPage>
  );
}

function ActiveBadge({ active }: { active: boolean }) {
  const { t } = useI18n();
  return <Badge tone={active ? "ok" : "bad"}>{t(active ? "ops.user.active" : "ops.user.disabled")}</Badge>;
}

/** The role and store pickers, shared by the new account's form and an account's changes. */
function RoleAndStore({
  role,
  storeId,
  onChange,
}: {
  role: Role;
  storeId: string;
  onChange(next: { role: Role; storeId: string }): void;
}) {
  const { t } = useI18n();
  const stores = useStoreList();
  return (
    <>
      <Field label={t("ops.user.role")}>
        {(id) => (
          <select
            id={id}
            value={role}
            onChange={(e) => {
              const next = e.target.value as Role;
              onChange({ role: next, storeId: inStore(next) ? storeId : "" });
            }}
          >
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {t(`ops.role.${value}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {inStore(role) && (
        <Field label={t("ops.user.store")}>
          {(id) => (
            <select id={id} required value={storeId} onChange={(e) => onChange({ role, storeId: e.target.value })}>
              <option value="">{t("ops.user.pickStore")}</option>
              {stores.data?.data.map((store) => (
                <option key={store.id} value={store.id}>
                  {store.name} ({store.code})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </>
  );
}

function NewUser() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: "", email: "", password: "", language: "fr" as "fr" | "en" });
  const [access, setAccess] = useState<{ role: Role; storeId: string }>({ role: "clerk", storeId: "" });
  const create = useOpsAction(
    (
      client,
      body: {
        name: string;
        email: string;
        password: string;
        language: "fr" | "en";
        role: Role;
        storeId: string | null;
      },
    ) => client.identity.POST("/api/identity/users", { body }),
    (user) => void navigate(`../${user.id}`),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      name: form.name.trim(),
      email: form.email.trim(),
      password: form.password,
      language: form.language,
      role: access.role,
      storeId: access.storeId || null,
    });
  }
  return (
    <OpsPage title={t("ops.users.new")} back={{ to: "..", label: t("ops.users.back") }}>
      <Panel title={t("ops.user.account")}>
        <form onSubmit={submit}>
          <div className="ops-grid">
            <Field label={t("ops.user.name")}>
              {(id) => (
                <input
                  id={id}
                  required
                  maxLength={120}
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                />
              )}
            </Field>
            <Field label={t("ops.user.email")}>
              {(id) => (
                <input
                  id={id}
                  type="email"
                  required
                  autoComplete="off"
                  value={form.email}
                  onChange={(e) => setForm({ ...form, email: e.target.value })}
                />
              )}
            </Field>
            <Field label={t("ops.user.password")} hint={t("ops.user.passwordHint")}>
              {(id, hint) => (
                <input
                  id={id}
                  type="password"
                  required
                  minLength={8}
                  autoComplete="new-password"
                  aria-describedby={hint}
                  value={form.password}
                  onChange={(e) => setForm({ ...form, password: e.target.value })}
                />
              )}
            </Field>
            <Field label={t("ops.user.language")}>
              {(id) => (
                <select
                  id={id}
                  value={form.language}
                  onChange={(e) => setForm({ ...form, language: e.target.value as "fr" | "en" })}
                >
                  <option value="fr">Français</option>
                  <option value="en">English</option>
                </select>
              )}
            </Field>
            <RoleAndStore role={access.role} storeId={access.storeId} onChange={setAccess} />
          </div>
          {create.error ? <ErrorMessage error={create.error} /> : null}
          <button type="submit" className="button" disabled={create.isPending}>
            {t("ops.users.create")}
          </button>
        </form>
      </Panel>
    </OpsPage>
  );
}

function UserDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const user = useOpsQuery(["user", id], (client) =>
    client.identity.GET("/api/identity/users/{id}", { params: { path: { id } } }),
  );
  return (
    <OpsPage title={user.data?.name ?? t("ops.user.title")} back={{ to: "..", label: t("ops.users.back") }}>
      <Loaded query={user}>{(data) => <UserView user={data} />}</Loaded>
    </OpsPage>
  );
}

function UserView({ user }: { user: User }) {
  const { t, date } = useI18n();
  const { user: me } = useSession();
  const storeName = useStoreName();
  const [name, setName] = useState(user.name);
  const [access, setAccess] = useState({ role: user.role, storeId: user.storeId ?? "" });
  const [done, setDone] = useState<string | null>(null);
  const update = useOpsAction(
    (client, body: { name?: string; role?: Role; storeId?: string | null; active?: boolean }) =>
      client.identity.PATCH("/api/identity/users/{id}", { params: { path: { id: user.id } }, body }),
    (next) =>
      setDone(
        t(
          next.active === user.active
            ? "ops.user.saved"
            : next.active
              ? "ops.user.enabledDone"
              : "ops.user.disabledDone",
        ),
      ),
  );
  const self = me?.id === user.id;
  return (
    <>
      <Done text={done} />
      <div className="ops-grid">
        <Panel title={t("ops.user.account")}>
          <dl className="ops-facts">
            <dt>{t("ops.user.email")}</dt>
            <dd>{user.email}</dd>
            <dt>{t("ops.user.role")}</dt>
            <dd>{t(`ops.role.${user.role}`)}</dd>
            <dt>{t("ops.user.store")}</dt>
            <dd>{storeName(user.storeId)}</dd>
            <dt>{t("ops.user.language")}</dt>
            <dd>{user.language === "fr" ? "Français" : "English"}</dd>
            <dt>{t("ops.user.access")}</dt>
            <dd>
              <ActiveBadge active={user.active} />
            </dd>
            <dt>{t("ops.user.created")}</dt>
            <dd>{date(user.createdAt)}</dd>
          </dl>
        </Panel>
        <Panel title={t("ops.user.change")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              setDone(null);
              // Nobody changes their own role (identity refuses it): their name only.
              update.mutate(
                self
                  ? { name: name.trim() }
                  : { name: name.trim(), role: access.role, storeId: access.storeId || null },
              );
            }}
          >
            <Field label={t("ops.user.name")}>
              {(id) => (
                <input id={id} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
              )}
            </Field>
            {self ? (
              <p className="hint">{t("ops.user.selfHint")}</p>
            ) : (
              <RoleAndStore role={access.role} storeId={access.storeId} onChange={setAccess} />
            )}
            <button type="submit" className="button" disabled={update.isPending}>
              {t("ops.save")}
            </button>
          </form>
          <p className="ops-actions">
            {!self && (
              <button
                type="button"
                className={user.active ? "button button-secondary ops-danger" : "button button-secondary"}
                disabled={update.isPending}
                onClick={() => {
                  setDone(null);
                  update.mutate({ active: !user.active });
                }}
              >
                {t(user.active ? "ops.user.disable" : "ops.user.enable")}
              </button>
            )}
          </p>
          {update.error ? <ErrorMessage error={update.error} /> : null}
        </Panel>
      </div>
    </>
  );
}
