import { Link, useNavigate, useSearchParams } from "react-router";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { AuthForm } from "../components/AuthForm";
import { nextPath } from "./SignInPage";

/** /account/signup: a customer account, in the language the shop is shown in. */
export default function SignUpPage() {
  const { t, lang } = useI18n();
  const { signUp } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  useDocumentTitle(t("account.signUp"));
  return (
    <section className="narrow">
      <h1>{t("account.signUp")}</h1>
      <AuthForm
        fields={[
          { name: "name", label: t("account.name"), type: "text", autoComplete: "name" },
          { name: "email", label: t("account.email"), type: "email", autoComplete: "email" },
          {
            name: "password",
            label: t("account.password"),
            type: "password",
            autoComplete: "new-password",
            hint: t("account.passwordHint"),
            minLength: 10,
          },
        ]}
        submitLabel={t("account.signUp")}
        busyLabel={t("account.signingUp")}
        onSubmit={async ({ name, email, password }) => {
          await signUp({ name: name!.trim(), email: email!.trim(), password: password!, language: lang });
          navigate(nextPath(params));
        }}
        footer={
          <p className="hint">
            {t("account.haveAccount")} <Link to={`/account/signin?${params}`}>{t("account.signIn")}</Link>
          </p>
        }
      />
    </section>
  );
}
