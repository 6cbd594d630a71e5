import { Link, useNavigate, useSearchParams } from "react-router";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { AuthForm } from "../components/AuthForm";

/** A path of this site to go back to after signing in (never another origin). */
export const nextPath = (params: URLSearchParams) => {
  const next = params.get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/account";
};

/** /account/signin: the guest cart in this browser is merged into the customer's once signed in. */
export default function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  useDocumentTitle(t("account.signIn"));
  return (
    <section className="narrow">
      <h1>{t("account.signIn")}</h1>
      <AuthForm
        fields={[
          { name: "email", label: t("account.email"), type: "email", autoComplete: "email" },
          { name: "password", label: t("account.password"), type: "password", autoComplete: "current-password" },
        ]}
        submitLabel={t("account.signIn")}
        busyLabel={t("account.signingIn")}
        onSubmit={async ({ email, password }) => {
          await signIn(email!.trim(), password!);
          navigate(nextPath(params));
        }}
        footer={
          <p className="hint">
            {t("account.noAccount")} <Link to={`/account/signup?${params}`}>{t("account.signUp")}</Link>
          </p>
        }
      />
    </section>
  );
}
