import { useSession } from "../auth/session";
import { useI18n } from "../i18n/i18n";
import { useDocumentTitle } from "../ui";
import { AuthForm } from "../../storefront/components/AuthForm";

/**
 * Nobody signed in, or someone who may not enter this staff part: the storefront's sign-in form,
 * saying in plain words who may enter (`lead`) or why the signed-in user may not (`refused`).
 */
export function StaffSignIn({
  title,
  lead,
  refused,
}: {
  title: string;
  lead: string;
  refused: (name: string) => string;
}) {
  const { t } = useI18n();
  const { user, signIn } = useSession();
  useDocumentTitle(title);
  return (
    <section className="staff-narrow">
      <h1>{title}</h1>
      {user ? (
        <p className="alert alert-error" role="alert">
          {refused(user.name)}
        </p>
      ) : (
        <p className="lead">{lead}</p>
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
