"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { addUserAction } from "@/lib/actions/users";
import { Button } from "../ui/button";
import { describedBy, Field, Input, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitCancel } from "../ui/form-buttons";

export function AddUserForm() {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(addUserAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) formRef.current?.reset();
  }, [state]);
  const fe = state?.fieldErrors ?? {};
  const v = state?.ok ? {} : (state?.values ?? {});
  return (
    <div className="space-y-3">
      {state?.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {!open ? (
        <Button onClick={() => setOpen(true)}>Add user</Button>
      ) : (
        <form ref={formRef} action={action} noValidate className="grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-2 dark:border-slate-700">
          {state && !state.ok ? <Notice tone="error" className="sm:col-span-2">{state.message}</Notice> : null}
          <Field id="new-user-email" label="Email" errors={fe.email}>
            <Input id="new-user-email" name="email" type="email" defaultValue={v.email} key={`e${v.email}`} aria-invalid={!!fe.email} aria-describedby={describedBy("new-user-email", { errors: fe.email })} />
          </Field>
          <Field id="new-user-name" label="Name" errors={fe.name}>
            <Input id="new-user-name" name="name" defaultValue={v.name} key={`n${v.name}`} aria-invalid={!!fe.name} />
          </Field>
          <Field id="new-user-password" label="Password" hint="At least 12 characters. Leave empty for a single sign-on only user (linked on their first verified single sign-on)." errors={fe.password}>
            <Input id="new-user-password" name="password" type="password" autoComplete="new-password" aria-invalid={!!fe.password} aria-describedby={describedBy("new-user-password", { hint: true, errors: fe.password })} />
          </Field>
          <Field id="new-user-role" label="Role" errors={fe.role}>
            <Select id="new-user-role" name="role" defaultValue={v.role ?? "viewer"} key={`r${v.role}`}>
              <option value="admin">Admin</option>
              <option value="viewer">Viewer</option>
            </Select>
          </Field>
          <SubmitCancel pendingText="Adding…" onCancel={() => setOpen(false)} className="sm:col-span-2">
            Add
          </SubmitCancel>
        </form>
      )}
    </div>
  );
}
