import { listLoginMethods } from "@/lib/domain/login-methods";
import { LoginMethodsList } from "./login-methods-list";

/** Settings → Login methods: the OpenID Connect providers people sign in with at the gateway. */
export async function LoginMethodsSection({ canEdit }: { canEdit: boolean }) {
  const methods = await listLoginMethods();
  return (
    <section aria-labelledby="login-methods-heading" className="mb-8 space-y-3">
      <h2 id="login-methods-heading" className="text-lg font-semibold">
        Login methods
      </h2>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        OpenID Connect providers people sign in with at the gateway, for applications whose policies use <strong>Emails</strong> or{" "}
        <strong>Emails ending in</strong>. Register Portcullis at the provider as a confidential client with the redirect URI{" "}
        <code>https://&lt;application hostname&gt;/cdn-cgi/access/callback</code> for each application hostname (with the gateway&apos;s
        port when it is not 443). Each application offers every login method unless it lists some.
      </p>
      <LoginMethodsList methods={methods} canEdit={canEdit} />
    </section>
  );
}
