import type { Metadata } from "next";
import { AddUserForm } from "@/components/settings/add-user-form";
import { UserRow } from "@/components/settings/user-row";
import { Card } from "@/components/ui/card";
import { CopyField } from "@/components/ui/copy-field";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { listUsers } from "@/lib/domain/users";
import { SettingsExtraSections } from "./sections";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const me = await requireUser();
  const db = await getDb();
  const [users, accountId, zoneId] = await Promise.all([listUsers(), getSetting<string>(db, "account_id"), getSetting<string>(db, "zone_id")]);
  const canEdit = me.role === "admin";
  return (
    <>
      <PageHeader title="Settings" description="Users, API tokens and notifications for this Portcullis instance." />
      {!canEdit ? (
        <ReadOnlyNotice />
      ) : null}
      <Card className="mb-6">
        <dl className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
          <dt id="account-id-label" className="font-medium">
            Account ID
          </dt>
          <dd aria-labelledby="account-id-label" className="font-mono select-all">
            {accountId}
          </dd>
        </dl>
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          The <code>account_id</code> in REST API paths: <code>/client/v4/accounts/{accountId}/access/…</code>
        </p>
        <div className="mt-4 max-w-xl">
          <CopyField
            id="zone-id"
            label="Zone ID"
            value={zoneId ?? ""}
            hint={`The zone_id of zone-scoped REST API paths (one zone per installation): /client/v4/zones/${zoneId ?? ""}/client_certificates`}
          />
        </div>
      </Card>
      <section aria-labelledby="users-heading" className="mb-8 space-y-3">
        <h2 id="users-heading" className="text-lg font-semibold">
          Users
        </h2>
        <Table caption="Users">
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Password</Th>
              <Th>
                <span className="sr-only">Delete</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {users.map((u) => (
              <UserRow key={u.id} user={u} isSelf={u.id === me.id} canEdit={canEdit} />
            ))}
          </tbody>
        </Table>
        {canEdit ? <AddUserForm /> : null}
      </section>
      <SettingsExtraSections canEdit={canEdit} />
    </>
  );
}
