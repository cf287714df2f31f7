import type { Metadata } from "next";
import { AlertBanner } from "@/components/alerts/alert-banner";
import { ServiceTokenCreateForm } from "@/components/service-tokens/create-form";
import { ServiceTokenRow, type TokenStatus } from "@/components/service-tokens/token-row";
import { EmptyState } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { HeaderRow, Table, TBody } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { listServiceTokens, type ServiceTokenDto } from "@/lib/domain/service-tokens";
import { SignedIn } from "../../../signed-in";

export const metadata: Metadata = { title: "Service Tokens" };

/** Each token with its status at the time of the request. */
function withStatus(items: ServiceTokenDto[]): { token: ServiceTokenDto; status: TokenStatus }[] {
  const now = Date.now();
  return items.map((token) => ({ token, status: !token.enabled ? "disabled" : token.expires_at && Date.parse(token.expires_at) <= now ? "expired" : "active" }));
}

export default async function ServiceTokensPage() {
  const me = await requireUser();
  const canEdit = me.role === "admin";
  const items = withStatus((await listServiceTokens()).items);
  return (
    <>
      <PageHeader
        title="Service Tokens"
        description="A Client ID and Client Secret that services and scripts send as the CF-Access-Client-Id and CF-Access-Client-Secret request headers. Allow them with a Service Auth policy (Service Token or Any Access Service Token rule). Refused credentials get 401, never a sign-in page."
      />
      <SignedIn>
        <AlertBanner className="mb-4" />
      </SignedIn>
      {canEdit ? <ServiceTokenCreateForm /> : <ReadOnlyNotice ask="create or change service tokens" />}
      {items.length === 0 ? (
        <EmptyState title="No service tokens yet">
          Create one for each service that calls an application behind the gateway without a person signing in.
        </EmptyState>
      ) : (
        <Table caption="Service tokens">
          <HeaderRow columns={["Name", "Client ID", "Expires", "Status", "Last seen"]} actions={canEdit} />
          <TBody>
            {items.map(({ token, status }) => (
              <ServiceTokenRow key={token.id} token={token} status={status} canEdit={canEdit} />
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
