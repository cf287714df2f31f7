import { ApiTokensSection } from "@/components/settings/api-tokens-section";
import { NotificationsSection } from "@/components/settings/notifications-section";

/**
 * Settings sections owned by other features (API tokens, Notifications) are composed here so that the
 * page itself stays small.
 */
export async function SettingsExtraSections({ canEdit }: { canEdit: boolean }) {
  return (
    <>
      <ApiTokensSection canEdit={canEdit} />
      <NotificationsSection canEdit={canEdit} />
    </>
  );
}
