"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition, useActionState, useState, type FormEvent } from "react";
import { saveApplicationAction, type AppActionState } from "@/lib/actions/applications";
import type { ApplicationDto } from "@/lib/domain/applications";
import { parseAppDomain } from "@/lib/hostname";
import { DEFAULT_SESSION_DURATION, validateSessionDuration } from "@/lib/policy";
import { Button, buttonClass } from "../ui/button";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { LoginMethodsField, type LoginMethodOption } from "./login-methods-field";
import { RefusalNotice } from "./refusal-notice";

/**
 * Add an application, or (with `application`) edit its settings on the Overview tab. With `onSaved` the
 * caller decides what happens next; otherwise a new application opens its Configure page.
 */
export function ApplicationForm({
  application,
  version,
  onSaved,
  policyIds,
  defaultDomain,
  loginMethods,
}: {
  /** the login methods to choose from (Settings → Login methods); absent: the field is not shown and not sent */
  loginMethods?: LoginMethodOption[];
  application?: ApplicationDto;
  /** initial Domain when creating (the guided setup passes an associated hostname of its certificate) */
  defaultDomain?: string;
  /** policies to attach, in precedence order, when creating (the guided setup passes the policy it just made) */
  policyIds?: string[];
  /** current version when editing (it moves when the Policies tab saves) */
  version?: number;
  onSaved?: (app: ApplicationDto) => void;
}) {
  const router = useRouter();
  const [name, setName] = useState(application?.name ?? "");
  const [domain, setDomain] = useState(application?.domain ?? defaultDomain ?? "");
  const [duration, setDuration] = useState(application?.session_duration ?? DEFAULT_SESSION_DURATION);
  const [origin, setOrigin] = useState(application?.origin_url ?? "");
  const [checked, setChecked] = useState(false);
  const [idps, setIdps] = useState(() => ({ acceptAll: !application?.allowed_idps?.length, selected: application?.allowed_idps ?? [] }));
  function afterSave(saved: ApplicationDto) {
    if (application) {
      // Show what the server stored (the domain may have been normalised).
      setName(saved.name);
      setDomain(saved.domain);
      setDuration(saved.session_duration);
      setOrigin(saved.origin_url ?? "");
      setIdps({ acceptAll: !saved.allowed_idps.length, selected: saved.allowed_idps });
      onSaved?.(saved);
      router.refresh();
    } else if (onSaved) onSaved(saved);
    else router.push(`/access-controls/applications/${saved.id}`);
  }

  const [state, dispatch, pending] = useActionState(async (prev: AppActionState | null, payload: Parameters<typeof saveApplicationAction>[1]) => {
    const next = await saveApplicationAction(prev, payload);
    if (next.ok && next.data) afterSave(next.data);
    return next;
  }, null);

  const parsedDomain = domain.trim() ? parseAppDomain(domain) : null;
  const local = {
    name: checked && name.trim() === "" ? "Application name must not be empty" : null,
    domain: checked ? (parsedDomain ? (parsedDomain.ok ? null : parsedDomain.error) : "Domain must not be empty") : null,
    session_duration: checked ? validateSessionDuration(duration.trim() || DEFAULT_SESSION_DURATION) : null,
    allowed_idps: checked && loginMethods?.length && !idps.acceptAll && !idps.selected.length ? "Choose at least one login method, or accept all login methods" : null,
  };
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const errs = (k: "name" | "domain" | "session_duration" | "origin_url" | "allowed_idps") => {
    const l = k === "origin_url" ? null : local[k];
    return l ? [l] : fe[k];
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setChecked(true);
    const domainOk = parseAppDomain(domain);
    const noIdp = !!loginMethods?.length && !idps.acceptAll && !idps.selected.length;
    if (name.trim() === "" || !domainOk.ok || validateSessionDuration(duration.trim() || DEFAULT_SESSION_DURATION) || noIdp) return;
    const app: Record<string, unknown> = { name, domain, type: "self_hosted", session_duration: duration };
    // [] offers every login method; without login methods to choose from, the stored choice is left as it is.
    if (loginMethods?.length) app.allowed_idps = idps.acceptAll ? [] : loginMethods.map((m) => m.id).filter((id) => idps.selected.includes(id));
    if (application) Object.assign(app, { origin_url: origin, version: version ?? application.version });
    else if (policyIds?.length) app.policies = policyIds;
    startTransition(() => dispatch({ id: application?.id, app }));
  }

  const prefix = application ? "app-edit" : "app-new";
  const field = (k: "name" | "domain" | "session_duration" | "origin_url", id: string, hint?: boolean) => ({
    id,
    "aria-invalid": !!errs(k),
    "aria-describedby": describedBy(id, { hint, errors: errs(k) }),
  });
  const hasLocal = Object.values(local).some(Boolean);
  return (
    <form onSubmit={submit} noValidate className="max-w-2xl space-y-4" aria-label={application ? "Application settings" : "Add an application"}>
      {hasLocal ? <Notice tone="error">Check the highlighted fields.</Notice> : null}
      {state && !state.ok && !hasLocal ? <RefusalNotice message={state.message} kind={state.kind} /> : null}
      {state?.ok ? (
        <Notice tone="success">
          {state.message}
          {state.warnings?.length ? ` ${state.warnings.join(" ")}` : ""}
        </Notice>
      ) : null}
      <Field id={`${prefix}-name`} label="Application name" errors={errs("name")}>
        <Input {...field("name", `${prefix}-name`)} value={name} maxLength={350} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field id={`${prefix}-domain`} label="Domain" hint="Hostname and optional path, e.g. auth.example.com or auth.example.com/admin." errors={errs("domain")}>
        <Input {...field("domain", `${prefix}-domain`, true)} value={domain} placeholder="auth.example.com" onChange={(e) => setDomain(e.target.value)} />
      </Field>
      <Field id={`${prefix}-session`} label="Session duration" hint="Go duration, e.g. 24h, 30m or 1h30m." errors={errs("session_duration")}>
        <Input {...field("session_duration", `${prefix}-session`, true)} value={duration} onChange={(e) => setDuration(e.target.value)} />
      </Field>
      {application ? (
        <Field id={`${prefix}-origin`} label="Origin URL" hint="Optional. Where the gateway forwards allowed requests, e.g. http://10.0.0.5:8080." errors={errs("origin_url")}>
          <Input {...field("origin_url", `${prefix}-origin`, true)} value={origin} placeholder="http://10.0.0.5:8080" onChange={(e) => setOrigin(e.target.value)} />
        </Field>
      ) : null}
      {loginMethods ? <LoginMethodsField idPrefix={prefix} options={loginMethods} acceptAll={idps.acceptAll} selected={idps.selected} onChange={setIdps} errors={errs("allowed_idps")} /> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
        {!application && !onSaved ? (
          <Link href="/access-controls/applications" className={buttonClass("secondary")}>
            Cancel
          </Link>
        ) : null}
      </div>
    </form>
  );
}
