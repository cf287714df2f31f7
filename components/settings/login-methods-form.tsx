"use client";

import { useActionState } from "react";
import { saveLoginMethodAction, type LoginMethodFormState } from "@/lib/actions/login-methods";
import type { LoginMethodDto, LoginMethodTest } from "@/lib/domain/login-methods";
import { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "@/lib/domain/login-methods/defaults";
import { Button } from "../ui/button";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

type Key = "name" | "issuer_url" | "client_id" | "client_secret" | "scopes" | "email_claim";

/** What the provider answered to **Test**: its issuer and endpoints (a definition list inside a status region). */
function DiscoveryResult({ test }: { test: Extract<LoginMethodTest, { ok: true }> }) {
  const p = test.provider;
  const rows: [string, string][] = [
    ["Issuer", p.issuer],
    ["Authorization endpoint", p.authorization_endpoint ?? "—"],
    ["Token endpoint", p.token_endpoint ?? "—"],
    ["Userinfo endpoint", p.userinfo_endpoint ?? "none"],
    ["Keys (JWKS)", p.jwks_uri ?? "—"],
    ["PKCE (S256)", p.pkce_s256 ? "supported" : "not announced (the sign-in still sends it)"],
  ];
  return (
    <div role="status" aria-label="What the provider answered" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
      <p className="font-medium">The provider answered.</p>
      <dl className="mt-2 grid grid-cols-1 gap-x-3 gap-y-1 sm:grid-cols-[max-content_1fr]">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-600 dark:text-slate-300">{k}</dt>
            <dd className="break-all font-mono text-xs">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/**
 * Add or edit a login method: Name, Issuer URL, Client ID, Client secret, Scopes, Email claim; **Test** runs
 * discovery for the typed issuer and shows the answer, **Save** stores. When editing, an empty Client secret keeps
 * the stored one (it is never sent back to the browser).
 */
export function LoginMethodForm({ method, onDone }: { method?: LoginMethodDto; onDone: (saved: LoginMethodDto | null) => void }) {
  const [state, action] = useActionState(async (prev: LoginMethodFormState | null, form: FormData) => {
    const next = await saveLoginMethodAction(prev, form);
    if (next.ok && next.intent === "save") onDone(next.data as LoginMethodDto);
    return next;
  }, null);
  const prefix = method ? `login-method-${method.id}` : "login-method-new";
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const v: Record<string, string> = state?.values ?? {};
  const value = (k: Key, fallback: string) => (state?.values ? (v[k] ?? "") : fallback);
  const test = state?.intent === "test" ? (state.data as LoginMethodTest | undefined) : undefined;
  const input = (k: Key, hint?: boolean) => {
    const id = `${prefix}-${k}`;
    return { id, name: k, "aria-invalid": !!fe[k], "aria-describedby": describedBy(id, { hint, errors: fe[k] }) };
  };
  return (
    <form action={action} noValidate aria-label={method ? `Edit login method ${method.name}` : "Add login method"} className="grid max-w-3xl grid-cols-1 gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-2 dark:border-slate-700">
      {method ? (
        <>
          <input type="hidden" name="id" value={method.id} />
          <input type="hidden" name="version" value={method.version} />
        </>
      ) : null}
      {state && !state.ok && state.intent !== "test" ? <Notice tone="error" className="sm:col-span-2">{state.message}</Notice> : null}
      <Field id={`${prefix}-name`} label="Name" errors={fe.name}>
        <Input {...input("name")} maxLength={100} autoComplete="off" defaultValue={value("name", method?.name ?? "")} key={`n${v.name}`} />
      </Field>
      <Field id={`${prefix}-issuer_url`} label="Issuer URL" hint="The provider's issuer, e.g. https://login.example.com/realms/main (its /.well-known/openid-configuration is read)." errors={fe.issuer_url}>
        <Input {...input("issuer_url", true)} type="url" inputMode="url" autoComplete="off" placeholder="https://login.example.com" defaultValue={value("issuer_url", method?.issuer_url ?? "")} key={`i${v.issuer_url}`} />
      </Field>
      <Field id={`${prefix}-client_id`} label="Client ID" errors={fe.client_id}>
        <Input {...input("client_id")} autoComplete="off" spellCheck={false} defaultValue={value("client_id", method?.client_id ?? "")} key={`c${v.client_id}`} />
      </Field>
      <Field
        id={`${prefix}-client_secret`}
        label="Client secret"
        hint={method ? "Stored encrypted and never shown again. Leave empty to keep the stored secret." : "Stored encrypted and never shown again."}
        errors={fe.client_secret}
      >
        {/* A textbox whose characters are masked (not type=password: no password manager should offer to save it). */}
        <Input {...input("client_secret", true)} autoComplete="off" spellCheck={false} className="[-webkit-text-security:disc]" defaultValue="" key={`s${state ? JSON.stringify(v) : ""}`} />
      </Field>
      <Field id={`${prefix}-scopes`} label="Scopes" hint={`Optional, separated by spaces. Default: ${DEFAULT_SCOPES}.`} errors={fe.scopes}>
        <Input {...input("scopes", true)} autoComplete="off" placeholder={DEFAULT_SCOPES} defaultValue={value("scopes", method?.scopes ?? "")} key={`o${v.scopes}`} />
      </Field>
      <Field id={`${prefix}-email_claim`} label="Email claim" hint={`Optional. The ID token or userinfo claim that holds the email. Default: ${DEFAULT_EMAIL_CLAIM}.`} errors={fe.email_claim}>
        <Input {...input("email_claim", true)} autoComplete="off" placeholder={DEFAULT_EMAIL_CLAIM} defaultValue={value("email_claim", method?.email_claim ?? "")} key={`e${v.email_claim}`} />
      </Field>
      {test?.ok ? (
        <div className="sm:col-span-2">
          <DiscoveryResult test={test} />
        </div>
      ) : null}
      {state?.intent === "test" && !state.ok ? <Notice tone="error" className="sm:col-span-2">{state.message}</Notice> : null}
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <SubmitButton name="intent" value="test" variant="secondary">
          Test
        </SubmitButton>
        <SubmitButton name="intent" value="save">
          Save
        </SubmitButton>
        <Button variant="secondary" onClick={() => onDone(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
