import { ApiTokensSection } from "@/components/settings/api-tokens-section";
import { LoginMethodsSection } from "@/components/settings/login-methods-section";
import { NotificationsSection } from "@/components/settings/notifications-section";
import { RetentionSection } from "@/components/settings/retention-section";
import { requireUser } from "@/lib/auth/session";

/**
 * Settings sections owned by other features (API tokens, Notifications) are composed here so that the
 * page itself stays small.
 */
export async function SettingsExtraSections({ canEdit }: { canEdit: boolean }) {
  // These sections load their own data: they check the session themselves too.
  await requireUser();
  return (
    <>
      <ApiTokensSection canEdit={canEdit} />
      <LoginMethodsSection canEdit={canEdit} />
      <NotificationsSection canEdit={canEdit} />
      <RetentionSection canEdit={canEdit} />
    </>
  );
}
