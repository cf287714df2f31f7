"use client";

import { useActionState, useState } from "react";
import { revokeApiTokenAction } from "@/lib/actions/api-tokens";
import type { ApiTokenDto } from "@/lib/domain/api-tokens";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
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
          <ConfirmDialog
            open={confirming && !state?.ok}
            onClose={() => setConfirming(false)}
            title="Revoke API token"
            fields={{ id: token.id }}
            action={action}
            confirmLabel="Revoke"
            pendingLabel="Revoking…"
            error={state && !state.ok ? state.message : null}
          >
            <p>
              Revoke <strong>{token.name}</strong>? Requests that use it are refused at once (401). This cannot be undone.
            </p>
          </ConfirmDialog>
        </Td>
      ) : null}
    </tr>
  );
}
