"use client";

import { useActionState, useState } from "react";
import { changeRoleAction, resetPasswordAction } from "@/lib/actions/users";
import type { UserDto } from "@/lib/domain/users";
import { Button } from "../ui/button";
import { FieldErrors, Input, Select } from "../ui/field";
import { Td } from "../ui/table";
import { UserDelete } from "./user-delete";

export function UserRow({ user, isSelf, canEdit }: { user: UserDto; isSelf: boolean; canEdit: boolean }) {
  const [roleState, roleAction] = useActionState(changeRoleAction, null);
  const [pwState, pwAction] = useActionState(resetPasswordAction, null);
  const [resetting, setResetting] = useState(false);
  const id = user.id.slice(0, 8);
  return (
    <tr>
      <Td>
        {user.email}
        {isSelf ? <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">(you)</span> : null}
      </Td>
      <Td>{user.name || "—"}</Td>
      <Td>
        <form action={roleAction} className="flex items-center gap-2">
          <input type="hidden" name="id" value={user.id} />
          <label htmlFor={`role-${id}`} className="sr-only">
            Access for {user.email}
          </label>
          <Select id={`role-${id}`} name="role" defaultValue={user.role} disabled={!canEdit} className="w-28 py-1">
            <option value="admin">Admin</option>
            <option value="viewer">Viewer</option>
          </Select>
          {canEdit ? (
            <Button type="submit" size="sm" variant="secondary" aria-label={`Change role for ${user.email}`}>
              Change role
            </Button>
          ) : null}
        </form>
        {roleState ? (
          <p role={roleState.ok ? "status" : "alert"} className={roleState.ok ? "text-xs text-emerald-700" : "text-xs text-red-600"}>
            {roleState.message}
          </p>
        ) : null}
      </Td>
      <Td>
        {canEdit && !resetting ? (
          <Button size="sm" variant="secondary" onClick={() => setResetting(true)} aria-label={`Reset password for ${user.email}`}>
            Reset password
          </Button>
        ) : null}
        {resetting ? (
          <form action={pwAction} className="flex items-start gap-2">
            <input type="hidden" name="id" value={user.id} />
            <div>
              <label htmlFor={`pw-${id}`} className="sr-only">
                New password for {user.email}
              </label>
              <Input id={`pw-${id}`} name="password" type="password" autoComplete="new-password" placeholder="New password" className="w-44 py-1" />
              <FieldErrors id={`pw-${id}`} errors={pwState?.fieldErrors?.password} />
            </div>
            <Button type="submit" size="sm">
              Set password
            </Button>
          </form>
        ) : null}
        {pwState ? (
          <p role={pwState.ok ? "status" : "alert"} className={pwState.ok ? "text-xs text-emerald-700" : "text-xs text-red-600"}>
            {pwState.message}
          </p>
        ) : null}
      </Td>
      <Td>{canEdit && !isSelf ? <UserDelete user={user} /> : null}</Td>
    </tr>
  );
}
