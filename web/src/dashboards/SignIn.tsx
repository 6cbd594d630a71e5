import { useSession } from "../app/auth/session";
import { useI18n } from "../app/i18n/i18n";
import { useDocumentTitle } from "../app/ui";
import { AuthForm } from "../storefront/components/AuthForm";

/**
 * Nobody signed in, or someone who may not read the reports (a clerk, a customer): the storefront's
 * sign-in form, for a manager or an admin.
 */
export function SignIn() {
  const { t } = useI18n();
  const { user, signIn } = useSession();
  useDocumentTitle(t("dashboards.signIn.title"));
  return (
    <section className="dash-narrow">
      <h1>{t("dashboards.signIn.title")}</h1>
      {user ? (
        <p className="alert alert-error" role="alert">
          {t("dashboards.signIn.notStaff", { name: user.name })}
        </p>
      ) : (
        <p className="lead">{t("dashboards.signIn.lead")}</p>
      )}
      <AuthForm
        key={user?.id ?? "anonymous"}
        fields={[
          { name: "email", label: t("account.email"), type: "email", autoComplete: "email" },
          { name: "password", label: t("account.password"), type: "password", autoComplete: "current-password" },
        ]}
        submitLabel={t("account.signIn")}
        busyLabel={t("account.signingIn")}
        onSubmit={async ({ email, password }) => {
          await signIn(email!.trim(), password!);
        }}
      />
    </section>
  );
}
