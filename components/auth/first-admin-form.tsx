"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef } from "react";
import { createFirstAdminAction } from "@/lib/actions/login";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

export function FirstAdminForm() {
  const router = useRouter();
  const [state, action] = useActionState(createFirstAdminAction, null);
  const creds = useRef<{ email: string; password: string } | null>(null);
  useEffect(() => {
    if (!state?.ok || !creds.current) return;
    signIn("credentials", { ...creds.current, redirect: false }).then(() => {
      router.replace("/");
      router.refresh();
    });
  }, [state, router]);
  const fe = state?.fieldErrors ?? {};
  return (
    <form
      action={action}
      onSubmit={(e) => {
        const d = new FormData(e.currentTarget);
        creds.current = { email: String(d.get("email")), password: String(d.get("password")) };
      }}
      className="space-y-4"
      noValidate
    >
      {state && !state.ok && state.message ? <Notice tone="error">{state.message}</Notice> : null}
      {state?.ok ? <Notice tone="success">{state.message}</Notice> : null}
      <Field id="email" label="Email" errors={fe.email}>
        <Input id="email" name="email" type="email" autoComplete="username" defaultValue={state?.values?.email} aria-invalid={!!fe.email} aria-describedby={describedBy("email", { errors: fe.email })} />
      </Field>
      <Field id="name" label="Name" errors={fe.name}>
        <Input id="name" name="name" autoComplete="name" defaultValue={state?.values?.name} aria-invalid={!!fe.name} aria-describedby={describedBy("name", { errors: fe.name })} />
      </Field>
      <Field id="password" label="Password" hint="At least 12 characters." errors={fe.password}>
        <Input id="password" name="password" type="password" autoComplete="new-password" aria-invalid={!!fe.password} aria-describedby={describedBy("password", { hint: true, errors: fe.password })} />
      </Field>
      <SubmitButton className="w-full" pendingText="Creating…">
        Create the first admin
      </SubmitButton>
    </form>
  );
}
