import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FirstAdminForm } from "@/components/auth/first-admin-form";
import { SignInForm } from "@/components/auth/sign-in-form";
import { oidcEnabled } from "@/lib/auth/options";
import { currentUser } from "@/lib/auth/session";
import { countUsers } from "@/lib/domain/users";
import { safeCallbackPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  NotProvisioned: "Your single sign-on account is not a Portcullis user yet. Ask an admin to add your email.",
  EmailNotVerified:
    "Your identity provider has not verified your email address, so single sign-on cannot sign you in. Verify the email with your identity provider, or sign in with your password.",
  SsoLinkPassword:
    "This Portcullis account has a password. Sign in with it once below to link your single sign-on account (within 10 minutes, in this browser), or ask an admin.",
  SsoLinkedElsewhere: "This Portcullis account is already linked to another single sign-on identity. Ask an admin.",
  OAuthSignin: "Single sign-on could not start. Check the OIDC settings.",
  OAuthCallback: "Single sign-on failed. Try again.",
  AccessDenied: "Access denied.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const firstRun = (await countUsers()) === 0;
  const error = typeof params.error === "string" ? (ERRORS[params.error] ?? null) : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-lg font-bold">
          <span aria-hidden className="inline-block h-6 w-6 rounded bg-brand-600" /> Portcullis
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          {firstRun ? (
            <>
              <h1 className="text-xl font-semibold">Create the first admin</h1>
              <p className="mt-1 mb-4 text-sm text-slate-600 dark:text-slate-400">
                This instance has no users yet. The account you create now is its first admin.
              </p>
              <FirstAdminForm />
            </>
          ) : (
            <>
              <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
              <SignInForm callbackUrl={callbackUrl} initialError={error} oidc={oidcEnabled()} />
            </>
          )}
        </div>
      </div>
    </main>
  );
}
