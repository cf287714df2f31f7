"use client";

import { useActionState, useState } from "react";
import { revokeApiTokenAction } from "@/app/(console)/settings/token-actions";
import type { ApiTokenDto } from "@/lib/domain/api-tokens";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";
import { Td } from "../ui/table";

const fmt = (iso: string | null) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—");

const STATUS = { active: "Active", expired: "Expired", revoked: "Revoked" } as const;

export function ApiTokenRow({ token, canEdit }: { token: ApiTokenDto; canEdit: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [state, action] = useActionState(revokeApiTokenAction, null);
  return (
    <tr>
      <Td className="font-medium">{token.name}</Td>
      <Td>{token.permission === "edit" ? "Edit" : "Read"}</Td>
      <Td>{token.ownerEmail}</Td>
      <Td>{fmt(token.createdAt)}</Td>
      <Td>{token.lastUsedAt ? fmt(token.lastUsedAt) : "Never"}</Td>
      <Td>{token.expiresAt ? fmt(token.expiresAt) : "Never"}</Td>
      <Td>
        <Badge tone={token.status === "active" ? "green" : token.status === "expired" ? "amber" : "red"}>{STATUS[token.status]}</Badge>
      </Td>
      {canEdit ? (
        <Td>
          {token.status !== "revoked" ? (
            <Button size="sm" variant="danger" onClick={() => setConfirming(true)}>
              Revoke
            </Button>
          ) : null}
          {state && !state.ok ? <Notice tone="error">{state.message}</Notice> : null}
          <Dialog open={confirming && !state?.ok} onClose={() => setConfirming(false)} title="Revoke API token">
            <form action={action} className="space-y-4">
              <input type="hidden" name="id" value={token.id} />
              <p className="text-sm">
                Revoke <strong>{token.name}</strong>? Requests that use it are refused at once (401). This cannot be undone.
              </p>
              <div className="flex justify-end gap-2">
                <Button variant="secondary" onClick={() => setConfirming(false)}>
                  Cancel
                </Button>
                <SubmitButton variant="danger" pendingText="Revoking…">
                  Revoke
                </SubmitButton>
              </div>
            </form>
          </Dialog>
        </Td>
      ) : null}
    </tr>
  );
}
